"""Another terminal's change landing between a service's read and its write transaction:
the decision must be taken on what is stored inside the transaction, not on the read."""

from __future__ import annotations

import pytest

from backend.errors import StateError
from backend.services.billing import upi_subscriptions
from backend.services.upi import upi_requests as upi
from tests.integration.interleave import before_next_write


def _late_payment(ctx, clock, customer) -> str:
    p = upi.create_request(ctx, customer_id=customer, tier="student", interval="month", actor="t")
    clock.advance(minutes=30)
    upi.confirm_from_statement(ctx, p["id"], utr="401234567890", evidence={}, late=True, actor="t")
    assert upi.get_payment(ctx, p["id"])["status"] == "late"
    return p["id"]


def test_two_terminals_accepting_the_same_late_payment_accept_it_once(ctx, clock, customer):
    pid = _late_payment(ctx, clock, customer)
    first = lambda: upi.accept_late(ctx, pid, actor="staff:1")  # noqa: E731
    with before_next_write(ctx.store, first), pytest.raises(StateError, match="not a late"):
        upi.accept_late(ctx, pid, actor="staff:2")
    assert ctx.store.scalar("SELECT last FROM document_counters") == 1  # one receipt number
    kinds = ctx.store.query("SELECT kind FROM payment_events WHERE payment_id=?", (pid,))
    assert [k["kind"] for k in kinds].count("late_accepted") == 1
    sub = upi_subscriptions.current_subscription(ctx, customer)
    assert sub["prepaid_until"] is None  # one month paid, one month given


def test_cancel_after_another_terminal_confirmed_is_refused_and_not_recorded(ctx, customer):
    p = upi.create_request(ctx, customer_id=customer, tier="student", interval="month", actor="t")
    confirm = lambda: upi.confirm_with_utr(ctx, p["id"], "401234567890", actor="staff:1")  # noqa: E731
    with before_next_write(ctx.store, confirm), pytest.raises(StateError, match="succeeded"):
        upi.cancel_request(ctx, p["id"], actor="staff:2")
    kinds = ctx.store.query("SELECT kind FROM payment_events WHERE payment_id=?", (p["id"],))
    assert [k["kind"] for k in kinds] == ["created", "succeeded"]
    assert ctx.store.scalar("SELECT count(*) FROM audit_log WHERE action='payment.canceled'") == 0


def _pay(ctx, customer, utr):
    p = upi.create_request(ctx, customer_id=customer, tier="student", interval="month", actor="t")
    return upi.confirm_with_utr(ctx, p["id"], utr, actor="staff:1")


def test_period_roll_from_a_stale_read_keeps_a_renewal_paid_meanwhile(ctx, clock, customer):
    _pay(ctx, customer, "401234567801")  # 26 Nov -> 26 Dec
    _pay(ctx, customer, "401234567802")  # renewal paid early: prepaid to 26 Jan
    clock.set("2026-12-27T09:00:00Z")

    def other_terminal():
        upi_subscriptions.current_subscription(ctx, customer)  # rolls to 26 Dec -> 26 Jan
        _pay(ctx, customer, "401234567803")  # next renewal early: prepaid to 26 Feb

    with before_next_write(ctx.store, other_terminal):
        sub = upi_subscriptions.current_subscription(ctx, customer)
    assert (sub["current_period_end"], sub["prepaid_until"]) == (
        "2027-01-26T10:00:00Z",
        "2027-02-26T10:00:00Z",
    )
    rolls = "SELECT count(*) FROM audit_log WHERE action='subscription.next_period'"
    assert ctx.store.scalar(rolls) == 1


def test_the_same_statement_imported_by_two_terminals_at_once_applies_once(ctx, customer, tmp_path):
    from backend.services.upi import statements

    p = upi.create_request(ctx, customer_id=customer, tier="student", interval="month", actor="t")
    csv_file = tmp_path / "statement.csv"
    csv_file.write_text(
        f"date,narration,reference,credit\n2026-11-26,UPI {p['tr']},401234567895,799.00\n",
        encoding="utf-8",
    )
    first = lambda: statements.import_statement(ctx, csv_file, actor="staff:1")  # noqa: E731
    with before_next_write(ctx.store, first):
        second = statements.import_statement(ctx, csv_file, actor="staff:2")
    assert (second["already_imported"], second["applied"]) == (True, 0)
    assert upi.get_payment(ctx, p["id"])["status"] == "succeeded"
    assert ctx.store.scalar("SELECT count(*) FROM statement_imports") == 1


def test_downgrade_after_another_terminal_cancelled_is_refused(ctx, customer):
    p = upi.create_request(ctx, customer_id=customer, tier="employee", interval="month", actor="t")
    upi.confirm_with_utr(ctx, p["id"], "401234567811", actor="staff:1")
    cancel = lambda: upi_subscriptions.cancel_subscription(  # noqa: E731
        ctx, customer, at_period_end=False, actor="staff:1"
    )
    with before_next_write(ctx.store, cancel), pytest.raises(StateError, match="cancelled"):
        upi_subscriptions.schedule_downgrade(ctx, customer, "student", "month", actor="staff:2")
    row = ctx.store.one("SELECT status, pending_tier FROM subscriptions")
    assert row == {"status": "canceled", "pending_tier": None}
    scheduled = "SELECT count(*) FROM audit_log WHERE action LIKE 'subscription.%_scheduled'"
    assert ctx.store.scalar(scheduled) == 0


def test_cancel_after_another_terminal_cancelled_is_refused_and_audited_once(ctx, customer):
    _pay(ctx, customer, "401234567814")
    first = lambda: upi_subscriptions.cancel_subscription(  # noqa: E731
        ctx, customer, at_period_end=False, actor="staff:1"
    )
    with before_next_write(ctx.store, first), pytest.raises(StateError, match="cancelled"):
        upi_subscriptions.cancel_subscription(ctx, customer, at_period_end=True, actor="staff:2")
    row = ctx.store.one("SELECT status, cancel_at_period_end FROM subscriptions")
    assert row == {"status": "canceled", "cancel_at_period_end": 0}
    assert (
        ctx.store.scalar("SELECT count(*) FROM audit_log WHERE action='subscription.cancel'") == 1
    )
