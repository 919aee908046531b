"""Fixtures for the Stripe tests: a fake Stripe on 127.0.0.1 and a context pointed at it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from backend.clock import ManualClock
from backend.config import Secrets, Settings
from backend.context import Context
from backend.services.shop.customers import add_customer
from tests.fakes.stripe_server import FakeStripe

API_KEY = "sk_test_fake"
WEBHOOK_SECRET = "whsec_test_secret"


@pytest.fixture
def fake(clock: ManualClock) -> Iterator[FakeStripe]:
    server = FakeStripe(clock, api_key=API_KEY).start()
    server.slow_seconds = 0.6
    yield server
    server.stop()


def point_at(settings: Settings, fake: FakeStripe) -> None:
    settings.stripe.api_base = fake.url
    settings.stripe.max_network_retries = 2
    settings.stripe.network_retry_max_delay_ms = 0  # the outbox backs off by the clock
    settings.stripe.timeout_ms = 300


@pytest.fixture
def sctx(ctx: Context, fake: FakeStripe) -> Context:
    """The shared test context, with Stripe keys and the fake's address."""
    point_at(ctx.settings, fake)
    ctx.secrets = Secrets(
        env={"STRIPE_SECRET_KEY": API_KEY, "STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET},
        use_keyring=False,
    )
    ctx.adapters.pop("stripe", None)
    return ctx


def make_customer(ctx: Context, n: int) -> int:
    return int(
        add_customer(ctx, name=f"Customer {n}", email=f"customer{n}@example.com", actor="test")[
            "id"
        ]
    )


def paid_checkout(ctx: Context, fake: FakeStripe, customer_id: int, tier: str) -> dict:
    """A monthly USD card checkout the customer has paid, as the staff screen sees it."""
    from backend.services.cards import card_checkout

    started = card_checkout.start_checkout(
        ctx, customer_id=customer_id, tier=tier, interval="month", currency="USD", actor="a"
    )
    fake.complete_session(started["session_id"])
    return card_checkout.refresh(ctx, started["id"])
