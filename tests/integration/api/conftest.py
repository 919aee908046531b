"""A real API server per test: uvicorn on a thread, on a free loopback port, over the
test's own SQLite file and manual clock; clients talk to it with httpx over HTTP."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from backend.api.server import BackgroundServer
from backend.clock import ManualClock
from backend.config import Secrets
from backend.context import Context
from backend.services.shop import api_tokens

ROLES = api_tokens.ROLES


@pytest.fixture
def server(ctx: Context) -> Iterator[BackgroundServer]:
    with BackgroundServer(ctx) as running:
        yield running


@pytest.fixture
def tokens(ctx: Context) -> dict[str, str]:
    """One live token per role."""
    return {
        role: api_tokens.create_token(ctx, role=role, name=f"test-{role}", actor="test")["token"]
        for role in ROLES
    }


@pytest.fixture
def http(server: BackgroundServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=10) as client:
        yield client


@pytest.fixture
def as_role(http: httpx.Client, tokens: dict[str, str]):
    """``as_role("staff").post(...)``: the client with that role's bearer token."""

    class Authed:
        def __init__(self, role: str) -> None:
            self.headers = {"Authorization": f"Bearer {tokens[role]}"}

        def request(self, method: str, url: str, **kwargs) -> httpx.Response:
            headers = {**self.headers, **kwargs.pop("headers", {})}
            return http.request(method, url, headers=headers, **kwargs)

        def get(self, url: str, **kwargs) -> httpx.Response:
            return self.request("GET", url, **kwargs)

        def post(self, url: str, **kwargs) -> httpx.Response:
            return self.request("POST", url, **kwargs)

    return Authed


def error_of(response: httpx.Response) -> dict:
    """The error body, asserting the one shape every error has."""
    body = response.json()
    assert set(body) == {"error"}, body
    assert {"code", "message"} <= set(body["error"]), body
    assert body["error"]["message"]
    return body["error"]


STRIPE_KEY, STRIPE_WEBHOOK_SECRET = "sk_test_fake", "whsec_api_tests"
RZP_KEY_ID, RZP_KEY_SECRET, RZP_WEBHOOK_SECRET = "rzp_test_api", "rzp-key-secret", "rzp-whsec"


class Inbox:
    """Messages the local SMTP server received."""

    def __init__(self) -> None:
        self.messages: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        from email import message_from_bytes, policy

        self.messages.append(message_from_bytes(envelope.original_content, policy=policy.default))
        return "250 OK"


@dataclass
class Providers:
    stripe: Any
    razorpay: Any
    smtp: Any
    inbox: Inbox

    def stop(self) -> None:
        """All at once: each fake's shutdown waits out its poll interval."""
        stops = (self.stripe.stop, self.razorpay.stop, self.smtp.stop)
        stopping = [threading.Thread(target=stop) for stop in stops]
        for thread in stopping:
            thread.start()
        for thread in stopping:
            thread.join()


def start_providers(ctx: Context, clock: ManualClock) -> Providers:
    """Set a store up like a real one: fake Stripe and fake Razorpay over HTTP, their
    keys and webhook secrets in the (test) environment, a GSTIN for tax invoices, and a
    local SMTP server for invoice email."""
    from aiosmtpd.controller import Controller

    from backend.adapters.mail import build_mailer
    from backend.adapters.psp.razorpay import RazorpayQr
    from tests.fakes.razorpay import FakeRazorpay
    from tests.fakes.stripe_server import FakeStripe

    stripe = FakeStripe(clock, api_key=STRIPE_KEY).start()
    razorpay = FakeRazorpay(RZP_KEY_ID, RZP_KEY_SECRET, RZP_WEBHOOK_SECRET).start()
    ctx.secrets = Secrets(
        env={
            "STRIPE_SECRET_KEY": STRIPE_KEY,
            "STRIPE_WEBHOOK_SECRET": STRIPE_WEBHOOK_SECRET,
            "RAZORPAY_KEY_SECRET": RZP_KEY_SECRET,
            "RAZORPAY_WEBHOOK_SECRET": RZP_WEBHOOK_SECRET,
        },
        use_keyring=False,
    )
    ctx.settings.stripe.api_base = stripe.url
    ctx.settings.stripe.max_network_retries = 0
    ctx.settings.stripe.timeout_ms = 2000
    ctx.adapters.pop("stripe", None)
    ctx.settings.upi.psp = "razorpay"
    ctx.adapters["psp"] = RazorpayQr(key_id=RZP_KEY_ID, api_base=razorpay.url, secrets=ctx.secrets)
    ctx.settings.shop.gstin = "29ABCDE1234F1ZW"
    ctx.settings.shop.state = "Karnataka"
    inbox = Inbox()
    smtp = Controller(inbox, hostname="127.0.0.1", port=free_port())
    smtp.start()
    ctx.settings.mail.host, ctx.settings.mail.port = "127.0.0.1", smtp.port
    ctx.settings.mail.sender, ctx.settings.mail.starttls = "shop@autoos.example", False
    ctx.adapters["mail"] = build_mailer(ctx.settings.mail, ctx.secrets)
    return Providers(stripe, razorpay, smtp, inbox)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def providers(ctx: Context, clock: ManualClock) -> Iterator[Providers]:
    running = start_providers(ctx, clock)
    yield running
    running.stop()
