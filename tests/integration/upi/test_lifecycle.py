"""A UPI request's life with a moved clock: expiry, late money, cancel, UTR reuse."""

from __future__ import annotations

import json

import pytest

from backend.adapters.upi.qr import render_image
from backend.adapters.upi.uri import parse_uri
from backend.domain.money import Money
from backend.errors import DuplicateError, NotConfigured, StateError, ValidationError
from backend.services.billing import upi_subscriptions
from backend.services.upi import upi_requests as upi
from tests.qr_reading import read_qr

CONTRACT_KEYS = {
    "id",
    "customer_id",
    "uri",
    "amount",
    "currency",
    "amount_text",
    "tr",
    "status",
    "expires_at",
    "payee_name",
    "vpa",
    "tier",
    "tier_name",
    "interval",
    "psp",
    "paid_at",
    "receipt_no",
    "utr",
    "confirmed_by",
    "late",
}


def _events(ctx, payment_id):
    rows = ctx.store.query(
        "SELECT kind FROM payment_events WHERE payment_id=? ORDER BY id", (payment_id,)
    )
    return [r["kind"] for r in rows]


def _audit(ctx, payment_id):
    rows = ctx.store.query(
        "SELECT action FROM audit_log WHERE entity='payment' AND entity_id=? ORDER BY id",
        (payment_id,),
    )
    return [r["action"] for r in rows]


def test_request_has_catalog_price_uri_and_qr(ctx, customer):
    p = upi.create_request(
        ctx, customer_id=customer, tier="student", interval="month", actor="staff:ravi"
    )
    assert set(p) >= CONTRACT_KEYS
    assert (p["amount"], p["currency"], p["amount_text"]) == (79900, "INR", "₹799.00")
    assert (p["status"], p["late"], p["tier_name"], p["psp"]) == ("pending", False, "Student", None)
    assert p["expires_at"] == "2026-11-26T10:15:00Z"
    parsed = parse_uri(p["uri"])
    assert (parsed.pa, parsed.pn, parsed.mc, parsed.tr, parsed.am) == (
        "autoos.shop@okaxis",
        "AUTOOS Shop",
        "5734",
        p["tr"],
        "799.00",
    )

    assert read_qr(render_image(p["uri"], 300)) == [p["uri"]]
    yearly = upi.create_request(
        ctx, customer_id=customer, tier="employee", interval="year", actor="staff:ravi"
    )
    assert yearly["amount"] == 2399900
    assert yearly["tr"] != p["tr"]
    assert _events(ctx, p["id"]) == ["created"]


def test_pending_past_expiry_reads_and_is_stored_as_expired(ctx, clock, customer):
    p = upi.create_request(ctx, customer_id=customer, tier="student", interval="month", actor="t")
    clock.advance(minutes=14, seconds=59)
    assert upi.get_payment(ctx, p["id"])["status"] == "pending"
    clock.advance(seconds=1)
    assert upi.get_payment(ctx, p["id"])["status"] == "expired"
    assert ctx.store.scalar("SELECT status FROM payments WHERE id=?", (p["id"],)) == "expired"
    assert _events(ctx, p["id"]) == ["created", "expired"]
    with pytest.raises(StateError):
        upi.cancel_request(ctx, p["id"], actor="t")


def test_utr_confirms_once_activates_the_plan_and_issues_a_receipt(ctx, clock, customer):
    p = upi.create_request(ctx, customer_id=customer, tier="student", interval="month", actor="t")
    clock.advance(minutes=3)
    with pytest.raises(ValidationError, match="12-digit"):
        upi.confirm_with_utr(ctx, p["id"], "12345", actor="staff:7")
    done = upi.confirm_with_utr(ctx, p["id"], "4012 3456 7890", actor="staff:7")
    assert (done["status"], done["utr"], done["late"]) == ("succeeded", "401234567890", False)
    assert done["receipt_no"] == "AC/2627/000001"
    # the actor as the audit log names it, not prefixed again ("staff:staff:7")
    assert done["confirmed_by"] == "staff:7"
    assert done["paid_at"] == "2026-11-26T10:03:00Z"
    evidence = json.loads(ctx.store.scalar("SELECT evidence FROM payments WHERE id=?", (p["id"],)))
    assert evidence["source"] == "utr_entry"
    sub = upi_subscriptions.current_subscription(ctx, customer)
    assert (sub["tier"], sub["status"], sub["method"]) == ("student", "active", "upi")
    assert (sub["current_period_start"], sub["current_period_end"]) == (
        "2026-11-26T10:03:00Z",
        "2026-12-26T10:03:00Z",
    )
    assert "payment.succeeded" in _audit(ctx, p["id"])
    # the same UTR again on the same payment changes nothing; on another it is refused
    assert upi.confirm_with_utr(ctx, p["id"], "401234567890", actor="ravi")["receipt_no"] == (
        "AC/2627/000001"
    )
    other = upi.create_request(
        ctx, customer_id=customer, tier="student", interval="month", actor="t"
    )
    with pytest.raises(DuplicateError, match="one UTR pays one payment"):
        upi.confirm_with_utr(ctx, other["id"], "401234567890", actor="ravi")
    assert upi.get_payment(ctx, other["id"])["status"] == "pending"
    assert ctx.store.scalar("SELECT count(*) FROM payments WHERE utr='401234567890'") == 1


def test_new_request_for_the_same_checkout_cancels_the_pending_one(ctx, customer):
    first = upi.create_request(
        ctx, customer_id=customer, tier="student", interval="month", actor="t", checkout_id="co-1"
    )
    second = upi.create_request(
        ctx, customer_id=customer, tier="student", interval="year", actor="t", checkout_id="co-1"
    )
    assert upi.get_payment(ctx, first["id"])["status"] == "canceled"
    assert second["status"] == "pending"
    assert _audit(ctx, first["id"]) == ["payment.created", "payment.canceled"]
    live = ctx.store.scalar(
        "SELECT count(*) FROM payments WHERE checkout_id='co-1' AND status='pending'"
    )
    assert live == 1


def test_explicit_cancel_is_audited_and_late_money_is_kept_for_staff(ctx, clock, customer):
    p = upi.create_request(ctx, customer_id=customer, tier="student", interval="month", actor="t")
    canceled = upi.cancel_request(ctx, p["id"], actor="ravi")
    assert canceled["status"] == "canceled"
    assert _audit(ctx, p["id"])[-1] == "payment.canceled"
    # the customer had already scanned: the bank statement later shows the money
    row = ctx.store.one("SELECT * FROM payments WHERE id=?", (p["id"],))
    late = upi.confirm_from_statement(
        ctx, p["id"], utr="500000000001", late=True, evidence={"statement_line": 4}, actor="import"
    )
    assert (late["status"], late["late"], late["receipt_no"]) == ("late", True, None)
    assert upi_subscriptions.current_subscription(ctx, customer) is None  # not applied blindly
    assert row["amount"] == late["amount"]
    accepted = upi.accept_late(ctx, p["id"], actor="ravi")
    assert (accepted["status"], accepted["late"]) == ("succeeded", True)
    assert accepted["receipt_no"] == "AC/2627/000001"
    sub = upi_subscriptions.current_subscription(ctx, customer)
    assert sub["tier"] == "student"
    # linked to the plan it paid for, like a payment confirmed in time
    assert (
        ctx.store.scalar("SELECT subscription_id FROM payments WHERE id=?", (p["id"],))
        == (sub["id"])
    )
    assert _events(ctx, p["id"]) == ["created", "canceled", "late", "late_accepted"]


def test_utr_after_expiry_is_flagged_late_but_staff_confirmation_accepts(ctx, clock, customer):
    p = upi.create_request(ctx, customer_id=customer, tier="student", interval="month", actor="t")
    clock.advance(minutes=40)
    done = upi.confirm_with_utr(ctx, p["id"], "401234567891", actor="ravi")
    assert (done["status"], done["late"]) == ("succeeded", True)
    assert done["receipt_no"] is not None


def test_not_configured_without_a_merchant_vpa(ctx, customer):
    ctx.settings.upi.vpa = ""
    with pytest.raises(NotConfigured, match="UPI payments are not set up"):
        upi.create_request(ctx, customer_id=customer, tier="student", interval="month", actor="t")
    assert ctx.store.scalar("SELECT count(*) FROM payments") == 0


@pytest.mark.parametrize("minutes", [0, -5])
def test_an_expiry_that_is_not_a_positive_time_is_a_settings_error(ctx, customer, minutes):
    ctx.settings.upi.expiry_minutes = minutes  # a request would be expired when shown
    with pytest.raises(NotConfigured, match="expiry_minutes"):
        upi.create_request(ctx, customer_id=customer, tier="student", interval="month", actor="t")
    assert ctx.store.scalar("SELECT count(*) FROM payments") == 0


def test_amount_limit_from_settings(ctx, customer):
    ctx.settings.upi.max_amount_inr = 5000
    with pytest.raises(ValidationError, match=r"above the UPI limit of ₹5,000\.00"):
        upi.create_request(ctx, customer_id=customer, tier="employee", interval="year", actor="t")
    assert (
        upi.create_request(ctx, customer_id=customer, tier="student", interval="month", actor="t")[
            "amount"
        ]
        == Money(79900, "INR").amount
    )


def test_contact_sales_and_trial_tiers_cannot_be_paid(ctx, customer):
    for tier in ("enterprise", "free_trial"):
        with pytest.raises(ValidationError, match="cannot be paid"):
            upi.create_request(ctx, customer_id=customer, tier=tier, interval="month", actor="t")


def test_a_payment_for_a_plan_since_removed_from_the_catalog_still_shows(ctx, customer):
    from backend.domain.catalog import Catalog

    p = upi.create_request(ctx, customer_id=customer, tier="employee", interval="month", actor="t")
    upi.confirm_with_utr(ctx, p["id"], "401234567890", actor="staff:1")
    ctx.catalog = Catalog(tuple(t for t in ctx.catalog if t.id != "employee"))
    shown = upi.get_payment(ctx, p["id"])
    assert (shown["status"], shown["tier_name"]) == ("succeeded", "Employee")
    assert upi_subscriptions.current_subscription(ctx, customer)["tier_name"] == "Employee"
