"""UPI QR requests through the API: create, images that decode, status, cancel, UTR,
and the Razorpay webhook (applied once; a bad signature changes nothing)."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from PIL import Image

from backend.adapters.psp.razorpay import RazorpayQr
from backend.config import Secrets
from backend.services.shop import customers
from tests.fakes.razorpay import FakeRazorpay
from tests.integration.api.conftest import error_of
from tests.qr_reading import read_qr

KEY_ID, KEY_SECRET, WEBHOOK_SECRET = "rzp_test_fake", "fake-key-secret", "fake-webhook-secret"


@pytest.fixture
def customer_id(ctx) -> int:
    return customers.add_customer(ctx, name="Asha Rao", email="asha@example.in", actor="t")["id"]


@pytest.fixture
def razorpay(ctx):
    """The till wired to a fake Razorpay, as bootstrap would (secrets from the env)."""
    fake = FakeRazorpay(KEY_ID, KEY_SECRET, WEBHOOK_SECRET).start()
    ctx.secrets = Secrets(
        env={"RAZORPAY_KEY_SECRET": KEY_SECRET, "RAZORPAY_WEBHOOK_SECRET": WEBHOOK_SECRET},
        use_keyring=False,
    )
    ctx.settings.upi.psp = "razorpay"
    ctx.adapters["psp"] = RazorpayQr(key_id=KEY_ID, api_base=fake.url, secrets=ctx.secrets)
    yield fake
    fake.stop()


def new_request(as_role, customer_id: int, role: str = "kiosk") -> dict:
    response = as_role(role).post(
        "/payments/qr-code",
        json={"customer_id": customer_id, "tier": "student", "interval": "month"},
    )
    assert response.status_code == 201, response.text
    return response.json()


def test_qr_request_and_its_images_decode_to_the_upi_uri(as_role, customer_id):
    payment = new_request(as_role, customer_id)
    assert payment["amount"] == 79900
    assert payment["currency"] == "INR"
    assert payment["amount_text"] == "₹799.00"
    assert payment["status"] == "pending"
    assert payment["expires_at"] == "2026-11-26T10:15:00Z"
    assert payment["uri"].startswith("upi://pay?pa=autoos.shop@okaxis")
    assert "am=799.00" in payment["uri"]

    png = as_role("kiosk").get(f"/payments/qr-code/{payment['id']}.png", params={"size": 400})
    assert png.headers["content-type"] == "image/png"
    image = Image.open(io.BytesIO(png.content))
    assert image.size == (400, 400)
    assert read_qr(image) == [payment["uri"]]

    svg = as_role("staff").get(f"/payments/qr-code/{payment['id']}.svg")
    assert svg.headers["content-type"] == "image/svg+xml"
    assert svg.text.lstrip().startswith("<?xml")
    assert "<path" in svg.text

    fetched = as_role("kiosk").get(f"/payments/qr-code/{payment['id']}").json()
    assert fetched == payment


def test_status_follows_the_clock_and_cancel(as_role, ctx, clock, customer_id):
    first = new_request(as_role, customer_id)
    clock.advance(timedelta(minutes=16))
    status = as_role("kiosk").get(f"/payments/qr-code/{first['id']}/status").json()
    assert status["status"] == "expired"
    second = new_request(as_role, customer_id)
    canceled = as_role("kiosk").post(f"/payments/qr-code/{second['id']}/cancel")
    assert canceled.json()["status"] == "canceled"
    stored = ctx.store.one("SELECT status FROM payments WHERE id=?", (second["id"],))
    assert stored == {"status": "canceled"}
    again = as_role("kiosk").post(f"/payments/qr-code/{second['id']}/cancel")
    assert again.json()["status"] == "canceled"  # a retried cancel is harmless
    expired = as_role("kiosk").post(f"/payments/qr-code/{first['id']}/cancel")
    assert expired.status_code == 409
    assert error_of(expired)["code"] == "wrong_state"


def test_staff_confirm_with_utr_once(as_role, ctx, customer_id):
    payment = new_request(as_role, customer_id)
    path = f"/payments/qr-code/{payment['id']}/confirm"
    assert as_role("kiosk").post(path, json={"utr": "412345678901"}).status_code == 403
    bad = as_role("staff").post(path, json={"utr": "12ab"})
    assert bad.status_code == 422
    assert error_of(bad)["field"] == "utr"
    done = as_role("staff").post(path, json={"utr": "412345678901"})
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "succeeded"
    assert done.json()["receipt_no"]
    other = new_request(as_role, customer_id, role="staff")
    reused = as_role("staff").post(
        f"/payments/qr-code/{other['id']}/confirm", json={"utr": "412345678901"}
    )
    assert reused.status_code == 409
    sub = ctx.store.one(
        "SELECT tier, status FROM subscriptions WHERE customer_id=?", (customer_id,)
    )
    assert sub == {"tier": "student", "status": "active"}


def test_qr_bad_input_and_roles(as_role, ctx, customer_id):
    kiosk = as_role("kiosk")
    body = {"customer_id": customer_id, "tier": "student", "interval": "week"}
    assert kiosk.post("/payments/qr-code", json=body).status_code == 422
    body = {"customer_id": customer_id, "tier": "nosuchplan", "interval": "month"}
    assert kiosk.post("/payments/qr-code", json=body).status_code == 404
    body = {"customer_id": customer_id, "tier": "enterprise", "interval": "month"}
    assert kiosk.post("/payments/qr-code", json=body).status_code == 422
    body = {"customer_id": 999, "tier": "student", "interval": "month"}
    assert kiosk.post("/payments/qr-code", json=body).status_code == 404
    body = {"customer_id": customer_id, "tier": "student", "interval": "month"}
    assert as_role("autoos").post("/payments/qr-code", json=body).status_code == 403
    assert kiosk.get("/payments/qr-code/upi_nope").status_code == 404
    assert kiosk.get("/payments/qr-code/upi_nope.png").status_code == 404
    assert kiosk.get("/payments/qr-code/bad.id").status_code == 422
    assert ctx.store.scalar("SELECT count(*) FROM payments") == 0


def test_razorpay_webhook_applies_once_and_refuses_bad_signatures(
    as_role, http, ctx, customer_id, razorpay
):
    payment = new_request(as_role, customer_id)
    qr_ref = ctx.store.scalar("SELECT psp_ref FROM payments WHERE id=?", (payment["id"],))
    assert qr_ref in razorpay.qr_codes
    body = razorpay.pay(qr_ref, rrn="412345678901", at=int(ctx.clock.now().timestamp()))

    forged = http.post(
        "/payments/webhooks/razorpay",
        content=body,
        headers={"X-Razorpay-Signature": "0" * 64, "Content-Type": "application/json"},
    )
    assert forged.status_code == 400
    assert error_of(forged)["code"] == "bad_signature"
    unsigned = http.post("/payments/webhooks/razorpay", content=body)
    assert unsigned.status_code == 400
    assert as_role("kiosk").get(f"/payments/qr-code/{payment['id']}").json()["status"] == "pending"

    signed = {"X-Razorpay-Signature": razorpay.sign(body), "Content-Type": "application/json"}
    for _ in range(2):
        response = http.post("/payments/webhooks/razorpay", content=body, headers=signed)
        assert response.status_code == 200, response.text
    assert as_role("kiosk").get(f"/payments/qr-code/{payment['id']}").json()["status"] == (
        "succeeded"
    )
    paid_events = ctx.store.scalar(
        "SELECT count(*) FROM payment_events WHERE payment_id=? AND kind='succeeded'",
        (payment["id"],),
    )
    assert paid_events == 1
    subs = ctx.store.query("SELECT status FROM subscriptions WHERE customer_id=?", (customer_id,))
    assert subs == [{"status": "active"}]


def test_razorpay_webhook_without_a_psp_is_503(http):
    response = http.post(
        "/payments/webhooks/razorpay", content=b"{}", headers={"X-Razorpay-Signature": "x"}
    )
    assert response.status_code == 503
    assert error_of(response)["code"] == "not_configured"
