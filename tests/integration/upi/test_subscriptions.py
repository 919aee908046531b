"""UPI plans: activation, renewal periods, upgrade proration, downgrade and cancel."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from backend.errors import Conflict, ValidationError
from backend.services import subscriptions as subs
from backend.services import upi_payments as upi


def _pay(ctx, customer, tier, interval, utr, **kwargs):
    p = upi.create_request(
        ctx, customer_id=customer, tier=tier, interval=interval, actor="t", **kwargs
    )
    return upi.confirm_with_utr(ctx, p["id"], utr, actor="ravi")


def test_add_interval_clamps_to_the_end_of_the_month():
    start = datetime(2027, 1, 31, 9, 0, tzinfo=UTC)
    assert subs.add_interval(start, "month") == datetime(2027, 2, 28, 9, 0, tzinfo=UTC)
    assert subs.add_interval(datetime(2028, 2, 29, tzinfo=UTC), "year") == datetime(
        2029, 2, 28, tzinfo=UTC
    )
    assert subs.add_interval(start, "month", -1) == datetime(2026, 12, 31, 9, 0, tzinfo=UTC)


def test_activation_converts_the_trial_and_numbers_receipts(ctx, clock, customer):
    ctx.store.execute(
        "INSERT INTO trials (customer_id, started_at, ends_at, credits_granted, status) "
        "VALUES (?, '2026-11-20T00:00:00Z', '2026-12-20T00:00:00Z', 10, 'active')",
        (customer,),
    )
    first = _pay(ctx, customer, "student", "month", "100000000001")
    assert first["receipt_no"] == "AC/2627/000001"
    trial = ctx.store.one("SELECT status, closed_at FROM trials WHERE customer_id=?", (customer,))
    assert trial == {"status": "converted", "closed_at": "2026-11-26T10:00:00Z"}
    sub = subs.current_subscription(ctx, customer)
    payment = ctx.store.one("SELECT subscription_id FROM payments WHERE id=?", (first["id"],))
    assert payment["subscription_id"] == sub["id"]


def test_early_renewal_extends_from_the_period_end_late_renewal_from_payment(ctx, clock, customer):
    _pay(ctx, customer, "student", "month", "100000000001")
    clock.set("2026-12-20T08:00:00Z")  # six days before the end
    due = subs.renewal_due(ctx, customer)
    assert due["due_at"] == "2026-12-26T10:00:00Z"
    assert due["reminders"] == [
        "2026-12-19T10:00:00Z",
        "2026-12-23T10:00:00Z",
        "2026-12-25T10:00:00Z",
    ]
    renewed = _pay(ctx, customer, "student", "month", "100000000002")
    assert renewed["receipt_no"] == "AC/2627/000002"
    sub = subs.current_subscription(ctx, customer)
    assert (sub["current_period_end"], sub["prepaid_until"]) == (
        "2026-12-26T10:00:00Z",
        "2027-01-26T10:00:00Z",
    )
    assert subs.renewal_due(ctx, customer)["due_at"] == "2027-01-26T10:00:00Z"
    with pytest.raises(Conflict, match="already paid up to"):
        upi.create_request(ctx, customer_id=customer, tier="student", interval="month", actor="t")
    clock.set("2026-12-26T10:00:00Z")  # the prepaid period starts at the old end
    sub = subs.current_subscription(ctx, customer)
    assert (sub["current_period_start"], sub["current_period_end"], sub["prepaid_until"]) == (
        "2026-12-26T10:00:00Z",
        "2027-01-26T10:00:00Z",
        None,
    )
    assert ctx.store.scalar("SELECT count(*) FROM subscriptions") == 1
    # the plan runs out unpaid: past due; paying then starts a fresh period from payment
    clock.set("2027-02-01T12:00:00Z")
    assert subs.current_subscription(ctx, customer)["status"] == "past_due"
    _pay(ctx, customer, "student", "month", "100000000003")
    sub = subs.current_subscription(ctx, customer)
    assert (sub["status"], sub["current_period_start"], sub["current_period_end"]) == (
        "active",
        "2027-02-01T12:00:00Z",
        "2027-03-01T12:00:00Z",
    )


def test_a_different_plan_needs_upgrade_or_downgrade(ctx, customer):
    _pay(ctx, customer, "student", "month", "100000000001")
    with pytest.raises(Conflict, match="use upgrade or downgrade"):
        upi.create_request(ctx, customer_id=customer, tier="employee", interval="month", actor="t")


def test_upgrade_is_prorated_for_the_remaining_time_and_paid_by_upi(ctx, clock, customer):
    _pay(ctx, customer, "student", "month", "100000000001")  # 26 Nov → 26 Dec (30 days)
    clock.set("2026-12-11T10:00:00Z")  # 15 of 30 days left
    preview = subs.upgrade_preview(ctx, customer, "employee", "month")
    # (₹2,399 − ₹799) × 15/30 = ₹800.00
    assert (preview["amount"], preview["amount_text"]) == (80000, "₹800.00")
    assert preview["new_period_end"] == "2026-12-26T10:00:00Z"
    clock.advance(seconds=1)  # one second less remaining: rounded down, never up
    preview = subs.upgrade_preview(ctx, customer, "employee", "month")
    assert preview["amount"] == 160000 * (15 * 86400 - 1) // (30 * 86400) == 79999
    request = upi.create_request(
        ctx, customer_id=customer, tier="employee", interval="month", actor="t", purpose="upgrade"
    )
    assert (request["amount"], request["tier"]) == (79999, "employee")
    upi.confirm_with_utr(ctx, request["id"], "100000000002", actor="ravi")
    sub = subs.current_subscription(ctx, customer)
    assert (sub["tier"], sub["amount"], sub["current_period_end"]) == (
        "employee",
        239900,
        "2026-12-26T10:00:00Z",
    )


def test_upgrade_to_yearly_credits_the_unused_month(ctx, clock, customer):
    _pay(ctx, customer, "student", "month", "100000000001")
    clock.set("2026-12-16T10:00:00Z")  # 10 of 30 days left: ₹799 × 1/3 unused
    preview = subs.upgrade_preview(ctx, customer, "student", "year")
    assert preview["unused_value"] == 26633
    assert preview["amount"] == 799900 - 26633
    assert preview["new_period_end"] == "2027-12-16T10:00:00Z"
    with pytest.raises(ValidationError, match="not an upgrade"):
        subs.upgrade_preview(ctx, customer, "student", "month")


def test_downgrade_waits_for_the_period_end_and_cancel_now_or_later(ctx, clock, customer):
    _pay(ctx, customer, "employee", "year", "100000000001")
    with pytest.raises(ValidationError, match="not a downgrade"):
        subs.schedule_downgrade(ctx, customer, "professional", "year", actor="ravi")
    sub = subs.schedule_downgrade(ctx, customer, "student", "month", actor="ravi")
    assert (sub["tier"], sub["pending_tier"], sub["pending_interval"]) == (
        "employee",
        "student",
        "month",
    )
    due = subs.renewal_due(ctx, customer)
    assert (due["tier"], due["amount"], due["due_at"]) == ("student", 79900, "2027-11-26T10:00:00Z")
    clock.set("2027-11-20T10:00:00Z")
    _pay(ctx, customer, "student", "month", "100000000002")  # renewal paid in advance
    assert subs.current_subscription(ctx, customer)["tier"] == "employee"  # until the end
    clock.set("2027-11-26T10:00:00Z")
    sub = subs.current_subscription(ctx, customer)
    assert (sub["tier"], sub["interval"], sub["pending_tier"]) == ("student", "month", None)
    assert sub["current_period_end"] == "2027-12-26T10:00:00Z"
    subs.cancel_subscription(ctx, customer, at_period_end=True, actor="ravi")
    assert subs.renewal_due(ctx, customer) is None
    clock.set("2027-12-26T10:00:00Z")
    assert subs.current_subscription(ctx, customer) is None
    assert ctx.store.scalar("SELECT status FROM subscriptions") == "canceled"


def test_cancel_now_ends_access_immediately(ctx, clock, customer):
    _pay(ctx, customer, "student", "month", "100000000001")
    clock.advance(days=3)
    result = subs.cancel_subscription(ctx, customer, at_period_end=False, actor="ravi")
    assert (result["status"], result["current_period_end"]) == ("canceled", "2026-11-29T10:00:00Z")
    assert subs.current_subscription(ctx, customer) is None
    actions = [
        r["action"]
        for r in ctx.store.query(
            "SELECT action FROM audit_log WHERE entity='subscription' ORDER BY id"
        )
    ]
    assert actions == ["subscription.activate", "subscription.cancel"]
