"""Razorpay QR Codes over real HTTP against tests/fakes/razorpay.py: create, poll,
close, and the signed qr_code.credited webhook."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from backend.adapters.psp.razorpay import RazorpayQr
from backend.adapters.upi.uri import parse_uri
from backend.bootstrap import _build_adapters
from backend.config import Secrets
from backend.domain.money import Money
from backend.errors import NotConfigured, RejectedError, SignatureError, TransientError
from backend.services.billing import upi_subscriptions
from backend.services.upi import upi_requests as upi


def _create(ctx, customer, **kwargs):
    return upi.create_request(
        ctx, customer_id=customer, tier="student", interval="month", actor="t", **kwargs
    )


def _unix(clock, minutes=0):
    return int((clock.now() + timedelta(minutes=minutes)).timestamp())


def test_request_shows_the_psps_qr_single_use_fixed_amount(psp_ctx, clock, customer, razorpay):
    p = _create(psp_ctx, customer)
    qr_id = psp_ctx.store.scalar("SELECT psp_ref FROM payments WHERE id=?", (p["id"],))
    qr = razorpay.qr_codes[qr_id]
    assert (qr["usage"], qr["fixed_amount"], qr["payment_amount"]) == ("single_use", True, 79900)
    assert qr["close_by"] >= _unix(clock, 15)
    assert p["psp"] == "razorpay"
    assert p["uri"] == qr["image_content"]
    assert parse_uri(p["uri"]).amount == Money(79900, "INR")


def test_poll_confirms_with_the_rrn_as_utr(psp_ctx, clock, customer, razorpay):
    p = _create(psp_ctx, customer)
    assert upi.poll_psp(psp_ctx, p["id"])["status"] == "pending"
    qr_id = psp_ctx.store.scalar("SELECT psp_ref FROM payments WHERE id=?", (p["id"],))
    razorpay.pay(qr_id, rrn="612345678901", at=_unix(clock, 2))
    done = upi.poll_psp(psp_ctx, p["id"])
    assert (done["status"], done["utr"], done["confirmed_by"]) == (
        "succeeded",
        "612345678901",
        "psp:razorpay",
    )
    assert done["paid_at"] == "2026-11-26T10:02:00Z"
    assert upi_subscriptions.current_subscription(psp_ctx, customer)["tier"] == "student"
    assert upi.poll_psp(psp_ctx, p["id"])["receipt_no"] == done["receipt_no"]  # once


def test_webhook_good_signature_confirms_once_bad_signature_changes_nothing(
    psp_ctx, clock, customer, razorpay
):
    p = _create(psp_ctx, customer)
    qr_id = psp_ctx.store.scalar("SELECT psp_ref FROM payments WHERE id=?", (p["id"],))
    body = razorpay.pay(qr_id, rrn="612345678902", at=_unix(clock, 1))
    with pytest.raises(SignatureError):
        upi.handle_razorpay_webhook(psp_ctx, body, "0" * 64)
    with pytest.raises(SignatureError):
        upi.handle_razorpay_webhook(psp_ctx, body + b" ", razorpay.sign(body))
    with pytest.raises(SignatureError):  # a header that is not even ASCII
        upi.handle_razorpay_webhook(psp_ctx, body, "é" + razorpay.sign(body)[1:])
    assert upi.get_payment(psp_ctx, p["id"])["status"] == "pending"
    result = upi.handle_razorpay_webhook(psp_ctx, body, razorpay.sign(body))
    assert result["handled"] is True
    assert (result["payment"]["status"], result["payment"]["utr"]) == ("succeeded", "612345678902")
    again = upi.handle_razorpay_webhook(psp_ctx, body, razorpay.sign(body))  # Razorpay retries
    assert again["payment"]["receipt_no"] == result["payment"]["receipt_no"]
    events = psp_ctx.store.query("SELECT kind FROM payment_events WHERE payment_id=?", (p["id"],))
    assert [e["kind"] for e in events] == ["created", "succeeded"]
    other = json.dumps({"event": "payment.captured", "payload": {}}).encode()
    assert upi.handle_razorpay_webhook(psp_ctx, other, razorpay.sign(other))["handled"] is False


def test_webhook_after_expiry_is_late_not_applied(psp_ctx, clock, customer, razorpay):
    p = _create(psp_ctx, customer)
    qr_id = psp_ctx.store.scalar("SELECT psp_ref FROM payments WHERE id=?", (p["id"],))
    clock.advance(minutes=20)
    body = razorpay.pay(qr_id, rrn="612345678903", at=_unix(clock))
    result = upi.handle_razorpay_webhook(psp_ctx, body, razorpay.sign(body))
    assert (result["payment"]["status"], result["payment"]["late"]) == ("late", True)
    assert upi_subscriptions.current_subscription(psp_ctx, customer) is None


def test_cancel_and_replacement_close_the_qr_at_razorpay(psp_ctx, customer, razorpay):
    first = _create(psp_ctx, customer, checkout_id="co-9")
    second = _create(psp_ctx, customer, checkout_id="co-9")
    refs = {
        row["id"]: row["psp_ref"] for row in psp_ctx.store.query("SELECT id, psp_ref FROM payments")
    }
    assert razorpay.qr_codes[refs[first["id"]]]["status"] == "closed"
    upi.cancel_request(psp_ctx, second["id"], actor="ravi")
    assert razorpay.qr_codes[refs[second["id"]]]["status"] == "closed"
    assert ("POST", f"/v1/payments/qr_codes/{refs[second['id']]}/close") in razorpay.requests


def test_psp_offline_falls_back_to_the_shops_own_qr(psp_ctx, customer, razorpay):
    razorpay.fail_next = 503
    p = _create(psp_ctx, customer)
    assert p["psp"] is None
    assert parse_uri(p["uri"]).pa == "autoos.shop@okaxis"


def test_adapter_errors_are_classified_and_never_leak_the_secret(razorpay):
    good = Secrets(env={"RAZORPAY_KEY_SECRET": "fake-key-secret"}, use_keyring=False)
    wrong = Secrets(env={"RAZORPAY_KEY_SECRET": "s3cr3t-wrong"}, use_keyring=False)
    adapter = RazorpayQr(key_id="rzp_test_fake", api_base=razorpay.url, secrets=wrong)
    with pytest.raises(RejectedError, match="refused the API key") as info:
        adapter.fetch_payments("qr_x")
    assert "s3cr3t" not in str(info.value)
    adapter = RazorpayQr(key_id="rzp_test_fake", api_base=razorpay.url, secrets=good)
    with pytest.raises(RejectedError, match="does not exist"):
        adapter.fetch_payments("qr_missing")
    razorpay.fail_next = 429
    with pytest.raises(TransientError):
        adapter.fetch_payments("qr_missing")
    unreachable = RazorpayQr(key_id="k", api_base="http://127.0.0.1:9", secrets=good)
    with pytest.raises(TransientError, match="cannot be reached"):
        unreachable.fetch_payments("qr_x")
    no_secret = RazorpayQr(
        key_id="k", api_base=razorpay.url, secrets=Secrets(env={}, use_keyring=False)
    )
    with pytest.raises(NotConfigured, match="RAZORPAY_KEY_SECRET"):
        no_secret.fetch_payments("qr_x")


def test_bootstrap_builds_the_psp_from_settings(ctx, razorpay):
    _build_adapters(ctx)
    assert "psp" not in ctx.adapters
    ctx.settings.upi.psp = "razorpay"
    ctx.settings.upi.razorpay_api_base = razorpay.url
    _build_adapters(ctx)
    assert isinstance(ctx.adapters["psp"], RazorpayQr)
    assert razorpay.requests == []  # lazy: nothing connected at build time


def test_paid_in_time_but_polled_after_expiry_is_not_late(psp_ctx, clock, customer, razorpay):
    p = _create(psp_ctx, customer)
    qr_id = psp_ctx.store.scalar("SELECT psp_ref FROM payments WHERE id=?", (p["id"],))
    razorpay.pay(qr_id, rrn="612345678904", at=_unix(clock, 14))
    clock.advance(minutes=30)
    assert upi.get_payment(psp_ctx, p["id"])["status"] == "expired"  # the till was offline
    done = upi.poll_psp(psp_ctx, p["id"])
    assert (done["status"], done["late"], done["paid_at"]) == (
        "succeeded",
        False,
        "2026-11-26T10:14:00Z",
    )
    assert upi_subscriptions.current_subscription(psp_ctx, customer)["status"] == "active"


def test_a_payment_razorpay_describes_oddly_is_an_error_not_a_traceback(
    psp_ctx, clock, customer, razorpay
):
    p = _create(psp_ctx, customer)
    qr_id = psp_ctx.store.scalar("SELECT psp_ref FROM payments WHERE id=?", (p["id"],))
    razorpay.pay(qr_id, rrn="612345678905", at=_unix(clock, 2))
    razorpay.payments[qr_id][0]["amount"] = "seven hundred"  # an answer we cannot read
    with pytest.raises(RejectedError, match="cannot be read"):
        upi.poll_psp(psp_ctx, p["id"])
    assert upi.get_payment(psp_ctx, p["id"])["status"] == "pending"


def test_a_different_amount_is_kept_for_staff_and_the_webhook_is_answered(
    psp_ctx, clock, customer, razorpay
):
    p = _create(psp_ctx, customer)
    qr_id = psp_ctx.store.scalar("SELECT psp_ref FROM payments WHERE id=?", (p["id"],))
    body = razorpay.pay(qr_id, rrn="612345678909", at=_unix(clock, 1), amount=50000)
    result = upi.handle_razorpay_webhook(psp_ctx, body, razorpay.sign(body))  # no exception
    held = result["payment"]
    assert (held["status"], held["receipt_no"], held["amount"]) == ("late", None, 79900)
    [review] = held["needs_review"]
    assert (review["reason"], review["paid_amount"], review["requested_amount"]) == (
        "amount_mismatch",
        50000,
        79900,
    )
    assert review["utr"] == "612345678909"
    assert upi_subscriptions.current_subscription(psp_ctx, customer) is None  # plan untouched
    # Razorpay retries, and the till polls too: recorded once
    upi.handle_razorpay_webhook(psp_ctx, body, razorpay.sign(body))
    assert upi.poll_psp(psp_ctx, p["id"])["status"] == "late"
    events = psp_ctx.store.query("SELECT kind FROM payment_events WHERE payment_id=?", (p["id"],))
    assert [e["kind"] for e in events] == ["created", "needs_review"]
    audited = "SELECT count(*) FROM audit_log WHERE action='payment.needs_review'"
    assert psp_ctx.store.scalar(audited) == 1
    # the request's expiry does not hide the money
    clock.advance(hours=1)
    assert upi.get_payment(psp_ctx, p["id"])["status"] == "late"

    # staff accept it: the receipt is for the money actually paid
    accepted = upi.accept_late(psp_ctx, p["id"], actor="staff:1")
    assert (accepted["status"], accepted["amount"]) == ("succeeded", 50000)
    assert accepted["receipt_no"]
    assert upi_subscriptions.current_subscription(psp_ctx, customer)["tier"] == "student"
