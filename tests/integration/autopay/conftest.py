"""A shop set up for UPI AutoPay: fake Stripe and fake Razorpay over real HTTP, a local
SMTP server for the dunning emails, a GSTIN for tax invoices, AutoPay switched on."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from io import BytesIO
from typing import Any

import httpx
import pytest

from backend.api.server import BackgroundServer
from backend.clock import ManualClock
from backend.context import Context
from backend.interface import STAFF, Caller, CheckoutApi
from backend.services.shop.customers import add_customer
from tests.integration.api.conftest import Providers, start_providers


@dataclass
class Shop:
    ctx: Context
    clock: ManualClock
    providers: Providers
    api: CheckoutApi

    @property
    def stripe(self) -> Any:
        return self.providers.stripe

    @property
    def razorpay(self) -> Any:
        return self.providers.razorpay

    @property
    def inbox(self) -> list[Any]:
        return self.providers.inbox.messages

    def customer(self, n: int = 1, email: str | None = None) -> int:
        made = add_customer(
            self.ctx,
            name=f"Asha {n}",
            email=email or f"asha{n}@example.in",
            state="Karnataka",
            actor="test",
        )
        return int(made["id"])

    def sync(self) -> dict[str, Any]:
        """What the till's sync worker does every few seconds."""
        return self.api.sync_once()

    def rows(self, sql: str, *args: Any) -> list[dict[str, Any]]:
        return self.ctx.store.query(sql, args)


def pay_overdue_twice(
    api: CheckoutApi, fake: Any, utr: str = "412345678901", *, sync: bool = True
) -> dict[str, Any]:
    """A Stripe AutoPay renewal that failed (its notice open), paid twice: by the one-time
    UPI QR (staff type the UTR), and by Stripe's own retry once the customer resumed the
    mandate, so Stripe refuses the "paid out of band" the next sync sends (``sync``: that
    sync runs here, which also brings Stripe's charge). The UPI payment, as confirmed."""
    [item] = [i for i in api.needing_attention() if i["kind"] == "renewal_failed"]
    qr = api.autopay_pay_overdue(item["notice_id"])
    paid = api.confirm_with_utr(qr["id"], utr)
    [mandate] = fake.all("mandate")
    fake.resume_mandate(mandate["id"])
    [invoice] = [i for i in fake.all("invoice") if i["status"] == "open"]
    assert fake.retry_invoice(invoice["id"]) is True  # Stripe collects it too
    if sync:
        api.sync_once()
    return paid


def enable_autopay(ctx: Context, provider: str = "stripe") -> None:
    ctx.settings.features.upi_autopay = True
    ctx.settings.upi.autopay_provider = provider
    ctx.settings.stripe.max_network_retries = 2
    ctx.settings.stripe.network_retry_max_delay_ms = 0
    ctx.adapters.pop("stripe", None)
    if provider == "razorpay":
        ctx.adapters["autopay_psp"] = ctx.adapters["psp"]
    else:
        ctx.adapters.pop("autopay_psp", None)


@pytest.fixture
def shop(ctx: Context, clock: ManualClock) -> Iterator[Shop]:
    providers = start_providers(ctx, clock)
    enable_autopay(ctx)
    api = CheckoutApi(ctx, Caller(STAFF, "staff:1", 1, terminal="Till 1"))
    yield Shop(ctx, clock, providers, api)
    providers.stop()


@pytest.fixture
def rzp(shop: Shop) -> Shop:
    """The shop with UPI AutoPay through Razorpay (``[upi] autopay_provider``)."""
    enable_autopay(shop.ctx, "razorpay")
    return shop


@pytest.fixture
def post(rzp: Shop) -> Iterator:
    """Deliver a webhook body to the running API, signed (or not) as Razorpay signs."""
    with BackgroundServer(rzp.ctx) as server, httpx.Client(base_url=server.url) as client:

        def deliver(body: bytes, signature: str | None = None) -> httpx.Response:
            return client.post(
                "/payments/webhooks/razorpay",
                content=body,
                headers={"X-Razorpay-Signature": signature or rzp.razorpay.sign(body)},
            )

        yield deliver


def decode_png(png: bytes) -> list[str]:
    from PIL import Image

    from tests.qr_reading import read_qr

    return read_qr(Image.open(BytesIO(png)))
