"""UPI plans: activation, renewal periods, upgrade proration, downgrade and cancel."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from backend.errors import Conflict, ValidationError
from backend.services.billing import upi_subscriptions as subs
from backend.services.upi import upi_requests as upi


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


@pytest.mark.parametrize(
    ("paid", "interval", "now", "days_left", "days_in_period"),
    [
        # 31 Jan + 1 month is 28 Feb: a 28-day period, not the 31 days back from 28 Feb
        ("2027-01-31T10:00:00Z", "month", "2027-02-14T10:00:00Z", 14, 28),
        # 29 Feb 2028 + 1 year is 28 Feb 2029: 365 days, not 366 back from 28 Feb
        ("2028-02-29T10:00:00Z", "year", "2028-08-31T10:00:00Z", 181, 365),
    ],
)
def test_upgrade_proration_uses_the_period_actually_paid(
    ctx, clock, customer, paid, interval, now, days_left, days_in_period
):
    clock.set(paid)
    _pay(ctx, customer, "student", interval, "100000000001")
    clock.set(now)
    preview = subs.upgrade_preview(ctx, customer, "employee", interval)
    day = 86400
    assert (preview["remaining_seconds"], preview["period_seconds"]) == (
        days_left * day,
        days_in_period * day,
    )
    student = ctx.catalog.get("student").price("INR", interval).amount
    employee = ctx.catalog.get("employee").price("INR", interval).amount
    assert preview["amount"] == (employee - student) * days_left // days_in_period


def _two_renewal_requests(ctx, clock, customer):
    """A plan from 26 Nov to 26 Dec, and on 20 Dec two renewal requests (two tills)."""
    _pay(ctx, customer, "student", "month", "100000000001")
    clock.set("2026-12-20T08:00:00Z")
    return [
        upi.create_request(ctx, customer_id=customer, tier="student", interval="month", actor="t")
        for _ in range(2)
    ]


def test_two_early_renewals_paid_both_extend_the_plan(ctx, clock, customer):
    """Two renewal requests (two tills) both paid: the second month is not swallowed."""
    first, second = _two_renewal_requests(ctx, clock, customer)
    upi.confirm_with_utr(ctx, first["id"], "100000000002", actor="staff:1")
    upi.confirm_with_utr(ctx, second["id"], "100000000003", actor="staff:2")
    sub = subs.current_subscription(ctx, customer)
    assert (sub["current_period_end"], sub["prepaid_until"]) == (
        "2026-12-26T10:00:00Z",
        "2027-02-26T10:00:00Z",
    )
    # periods stay one month long as they roll, so proration stays per month
    clock.set("2026-12-27T00:00:00Z")
    sub = subs.current_subscription(ctx, customer)
    assert (sub["current_period_start"], sub["current_period_end"], sub["prepaid_until"]) == (
        "2026-12-26T10:00:00Z",
        "2027-01-26T10:00:00Z",
        "2027-02-26T10:00:00Z",
    )
    clock.set("2027-01-27T00:00:00Z")
    sub = subs.current_subscription(ctx, customer)
    assert (sub["status"], sub["current_period_end"], sub["prepaid_until"]) == (
        "active",
        "2027-02-26T10:00:00Z",
        None,
    )


def test_a_renewal_paid_after_the_end_keeps_the_prepaid_period(ctx, clock, customer):
    """The second till's renewal is paid after the period ended, before anyone looked."""
    first, second = _two_renewal_requests(ctx, clock, customer)
    upi.confirm_with_utr(ctx, first["id"], "100000000002", actor="staff:1")  # to 26 Jan
    clock.set("2026-12-27T09:00:00Z")
    upi.confirm_with_utr(ctx, second["id"], "100000000003", actor="staff:2")
    sub = subs.current_subscription(ctx, customer)
    assert (sub["current_period_start"], sub["current_period_end"], sub["prepaid_until"]) == (
        "2026-12-26T10:00:00Z",
        "2027-01-26T10:00:00Z",
        "2027-02-26T10:00:00Z",
    )


def test_with_proration_off_an_upgrade_waits_for_the_next_period(ctx, clock, customer, settings):
    """ENABLE_PRORATION=0 (docs/configuration.md): upgrades take effect at the next
    period instead of being prorated now."""
    settings.features.proration = False
    _pay(ctx, customer, "student", "month", "100000000001")
    clock.set("2026-12-11T10:00:00Z")
    with pytest.raises(ValidationError, match="next period"):
        subs.upgrade_preview(ctx, customer, "employee", "month")
    with pytest.raises(ValidationError, match="next period"):
        upi.create_request(
            ctx, customer_id=customer, tier="employee", interval="month", actor="t",
            purpose="upgrade",
        )  # fmt: skip
    sub = subs.schedule_downgrade(ctx, customer, "employee", "month", actor="staff:1")
    assert (sub["tier"], sub["pending_tier"]) == ("student", "employee")
    due = subs.renewal_due(ctx, customer)
    assert (due["tier"], due["amount"], due["due_at"]) == (
        "employee",
        239900,
        "2026-12-26T10:00:00Z",
    )


def test_an_upgrade_paid_after_a_renewal_keeps_the_renewed_period(ctx, clock, customer):
    """Upgrade requested at one till, next month renewed at another, then the upgrade is
    paid: the upgrade covers this period, the renewal still buys the next one."""
    _pay(ctx, customer, "student", "month", "100000000001")  # 26 Nov -> 26 Dec
    clock.set("2026-12-11T10:00:00Z")
    upgrade = upi.create_request(
        ctx, customer_id=customer, tier="employee", interval="month", actor="t",
        purpose="upgrade",
    )  # fmt: skip
    _pay(ctx, customer, "student", "month", "100000000002")  # renewal: prepaid to 26 Jan
    upi.confirm_with_utr(ctx, upgrade["id"], "100000000003", actor="staff:1")
    sub = subs.current_subscription(ctx, customer)
    assert (sub["tier"], sub["current_period_end"], sub["prepaid_until"], sub["pending_tier"]) == (
        "employee",
        "2026-12-26T10:00:00Z",
        "2027-01-26T10:00:00Z",
        "student",
    )


def test_upgrade_to_yearly_credits_a_prepaid_month(ctx, clock, customer):
    _pay(ctx, customer, "student", "month", "100000000001")  # 26 Nov -> 26 Dec
    _pay(ctx, customer, "student", "month", "100000000002")  # next month prepaid: 26 Jan
    clock.set("2026-12-16T10:00:00Z")  # 10 of 30 days left: ₹799 × 1/3 unused
    preview = subs.upgrade_preview(ctx, customer, "student", "year")
    assert (preview["unused_value"], preview["prepaid_credit"]) == (26633, 79900)
    assert preview["amount"] == 799900 - 26633 - 79900
    with pytest.raises(Conflict, match="already paid"):  # same interval: after it starts
        subs.upgrade_preview(ctx, customer, "employee", "month")
    request = upi.create_request(
        ctx, customer_id=customer, tier="student", interval="year", actor="t", purpose="upgrade"
    )
    assert request["amount"] == 799900 - 26633 - 79900
    upi.confirm_with_utr(ctx, request["id"], "100000000003", actor="ravi")
    sub = subs.current_subscription(ctx, customer)
    assert (sub["interval"], sub["current_period_end"], sub["prepaid_until"]) == (
        "year",
        "2027-12-16T10:00:00Z",
        None,
    )


def test_a_month_prepaid_after_a_yearly_upgrade_was_asked_for_is_not_lost(ctx, clock, customer):
    _pay(ctx, customer, "student", "month", "100000000001")  # 26 Nov -> 26 Dec
    clock.set("2026-12-16T10:00:00Z")
    request = upi.create_request(
        ctx, customer_id=customer, tier="student", interval="year", actor="t", purpose="upgrade"
    )
    assert request["amount"] == 799900 - 26633  # nothing prepaid yet
    _pay(ctx, customer, "student", "month", "100000000002")  # another till: prepaid 26 Jan
    upi.confirm_with_utr(ctx, request["id"], "100000000003", actor="ravi")
    sub = subs.current_subscription(ctx, customer)
    # the year from now, plus the month paid meanwhile (26 Dec -> 26 Jan: 31 days)
    assert (sub["interval"], sub["current_period_end"], sub["prepaid_until"]) == (
        "year",
        "2028-01-16T10:00:00Z",
        None,
    )
