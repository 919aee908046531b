"""UPI AutoPay from the admin command line (a separate process on the same store), and
bad input refused with a clear message before anything is sent to Stripe."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from backend.config import Secrets
from backend.errors import Conflict, NotConfigured, NotFound, ValidationError
from backend.services.upi import upi_requests
from tests.integration.api.conftest import STRIPE_KEY
from tests.integration.autopay.conftest import Shop, decode_png


def _env(shop: Shop, **extra: str) -> dict[str, str]:
    return {
        "STRIPE_SECRET_KEY": STRIPE_KEY,
        "STRIPE_API_BASE": shop.stripe.url,
        "ENABLE_UPI_AUTOPAY": "1",
        **extra,
    }


def test_start_status_and_cancel_from_the_command_line(shop: Shop, cli, tmp_path):
    shop.clock.set(datetime.now(UTC).replace(microsecond=0))  # the child runs on the wall clock
    cid = str(shop.customer())
    png = tmp_path / "autopay.png"
    started = cli(
        "autopay", "start", "--customer", cid, "--tier", "student", "--interval", "month",
        "--png", str(png), "--json", env=_env(shop),
    )  # fmt: skip
    assert started.code == 0, started.stderr
    sale = started.json
    assert {"id", "url", "status", "mandate"} <= set(sale)
    assert sale["status"] == "pending"
    assert sale["mandate"]["amount_type"] == "maximum"
    [session] = shop.stripe.all("checkout.session")
    assert sale["url"] == session["url"]
    assert decode_png(png.read_bytes()) == [sale["url"]]

    shop.stripe.complete_session(session["id"])
    status = cli("autopay", "status", sale["id"], "--json", env=_env(shop))
    assert status.code == 0, status.stderr
    assert status.json["status"] == "succeeded"
    assert status.json["mandate"]["status"] == "active"
    sub_id = str(status.json["subscription_id"])

    listed = cli("autopay", "attention", "--json", env=_env(shop))
    assert listed.code == 0
    assert listed.json == {"items": []}

    cancelled = cli("autopay", "cancel", sub_id, "--json", env=_env(shop))
    assert cancelled.code == 0, cancelled.stderr
    assert cancelled.json["subscription"]["status"] == "canceled"
    assert [m["status"] for m in shop.stripe.all("mandate")] == ["inactive"]

    # bad input: one line on stderr, exit 2, nothing sent to Stripe
    before = list(shop.stripe.requests)
    for args, words in (
        (("--tier", "enterprise", "--interval", "month"), "custom price"),
        (("--tier", "student", "--interval", "month", "--currency", "USD"), "rupees only"),
    ):
        refused = cli(
            "autopay", "start", "--customer", cid, *args, "--json", env=_env(shop)
        )  # fmt: skip
        assert refused.code == 2
        assert refused.stderr.startswith("error: ")
        assert words in refused.stderr
        assert len(refused.stderr.strip().splitlines()) == 1
    off = cli(
        "autopay", "start", "--customer", cid, "--tier", "student", "--interval", "month",
        env={"STRIPE_SECRET_KEY": STRIPE_KEY, "STRIPE_API_BASE": shop.stripe.url},
    )  # fmt: skip
    assert off.code == 2
    assert "switched off" in off.stderr
    assert shop.stripe.requests == before


@pytest.fixture
def nothing_sent(shop: Shop):
    """Asserts after the test that the fake Stripe saw no request at all."""
    before = list(shop.stripe.requests)
    yield
    assert shop.stripe.requests == before


def test_enterprise_has_a_custom_price(shop: Shop, nothing_sent):
    cid = shop.customer()
    with pytest.raises(ValidationError, match="custom price; contact sales"):
        shop.api.autopay_start(cid, "enterprise", "month")
    assert shop.api.autopay_offer("enterprise", "month")["enabled"] is False


def test_upi_is_rupees_only(shop: Shop, nothing_sent):
    cid = shop.customer()
    with pytest.raises(ValidationError, match="rupees only"):
        shop.api.autopay_start(cid, "student", "month", "USD")
    offer = shop.api.autopay_offer("student", "month", "USD")
    assert (offer["enabled"], offer["reason"]) == (
        False,
        "UPI AutoPay takes rupees only: choose the ₹ INR price.",
    )


def test_a_customer_with_a_plan_in_force(shop: Shop, nothing_sent):
    cid = shop.customer()
    request = upi_requests.create_request(
        shop.ctx, customer_id=cid, tier="student", interval="month", actor="t"
    )
    upi_requests.confirm_with_utr(shop.ctx, request["id"], "412345678909", actor="t")
    with pytest.raises(Conflict, match="already has Student"):
        shop.api.autopay_start(cid, "employee", "month")


def test_autopay_switched_off(shop: Shop, nothing_sent):
    shop.ctx.settings.features.upi_autopay = False
    cid = shop.customer()
    with pytest.raises(NotConfigured, match="UPI AutoPay is switched off"):
        shop.api.autopay_start(cid, "student", "month")
    assert shop.api.autopay_offer("student", "month")["reason"] == (
        "UPI AutoPay is switched off in the settings."
    )


def test_stripe_not_configured(shop: Shop, nothing_sent):
    shop.ctx.secrets = Secrets(env={}, use_keyring=False)
    shop.ctx.adapters.pop("stripe", None)
    cid = shop.customer()
    with pytest.raises(NotConfigured, match="STRIPE_SECRET_KEY"):
        shop.api.autopay_start(cid, "student", "month")


def test_yearly_switched_off_and_unknown_customer(shop: Shop, nothing_sent):
    cid = shop.customer()
    shop.ctx.settings.features.annual_billing = False
    with pytest.raises(ValidationError, match="Yearly billing is switched off"):
        shop.api.autopay_start(cid, "student", "year")
    with pytest.raises(NotFound):
        shop.api.autopay_start(9999, "student", "month")
