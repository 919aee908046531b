"""Fixtures for UPI payment tests: a customer, and a till wired to a fake Razorpay."""

from __future__ import annotations

import pytest

from backend.adapters.psp.razorpay import RazorpayQr
from backend.config import Secrets
from backend.services.shop import customers
from tests.fakes.razorpay import FakeRazorpay

KEY_ID, KEY_SECRET, WEBHOOK_SECRET = "rzp_test_fake", "fake-key-secret", "fake-webhook-secret"


@pytest.fixture
def customer(ctx) -> int:
    return customers.add_customer(ctx, name="Asha Rao", email="asha@example.in", actor="test")["id"]


@pytest.fixture
def razorpay():
    fake = FakeRazorpay(KEY_ID, KEY_SECRET, WEBHOOK_SECRET).start()
    yield fake
    fake.stop()


@pytest.fixture
def psp_ctx(ctx, razorpay):
    """The test context with Razorpay configured as bootstrap would (secrets via env)."""
    ctx.secrets = Secrets(
        env={"RAZORPAY_KEY_SECRET": KEY_SECRET, "RAZORPAY_WEBHOOK_SECRET": WEBHOOK_SECRET},
        use_keyring=False,
    )
    ctx.settings.upi.psp = "razorpay"
    ctx.settings.upi.razorpay_key_id = KEY_ID
    ctx.settings.upi.razorpay_api_base = razorpay.url
    adapter = RazorpayQr(key_id=KEY_ID, api_base=razorpay.url, secrets=ctx.secrets)
    ctx.adapters["psp"] = adapter
    yield ctx
    adapter.close()
