"""The dashboard's figures on a small hand-built dataset equal hand-computed values.

The clock stands at 2026-11-26T10:00:00Z; the range is 1–26 November 2026, INR.
"""

from __future__ import annotations

from datetime import date

import pytest

from backend.domain.periods import DateRange
from backend.services.reports import dashboard

RANGE = DateRange(date(2026, 11, 1), date(2026, 11, 26))


@pytest.fixture
def board(ctx, rows):
    c = [rows.customer() for _ in range(8)]
    # -- payments ---------------------------------------------------------------
    rows.payment("p1", c[0], amount=79900, paid_at="2026-11-26T09:00:00Z")  # today
    rows.payment("p2", c[1], amount=239900, paid_at="2026-11-22T12:00:00Z")  # 7 days
    rows.payment(  # fully refunded: counts 0
        "p3",
        c[2],
        amount=799900,
        status="refunded",
        refunded_amount=799900,
        paid_at="2026-11-21T12:00:00Z",
    )
    rows.payment(  # partly refunded yearly plan, 30 days
        "p4", c[3], amount=2399900, refunded_amount=100000, paid_at="2026-11-05T12:00:00Z"
    )
    rows.payment("p5", c[4], amount=79900, paid_at="2026-10-30T12:00:00Z")  # 30 d, not range
    rows.payment(  # late UPI: flagged, not revenue
        "p6", c[5], status="late", paid_at="2026-11-25T12:00:00Z", created_at="2026-11-25T11:00:00Z"
    )
    rows.payment("p7", c[6], amount=999, currency="USD", paid_at="2026-11-26T09:30:00Z")
    rows.payment(
        "p8", c[7], method="stripe_checkout", status="failed", created_at="2026-11-24T10:00:00Z"
    )
    rows.payment(  # still payable
        "p9", c[0], status="pending", created_at="2026-11-26T09:50:00Z",
        expires_at="2026-11-26T10:05:00Z",
    )  # fmt: skip
    rows.payment(  # pending but past its expiry: expired by the clock
        "p10", c[1], status="pending", created_at="2026-11-26T09:00:00Z",
        expires_at="2026-11-26T09:15:00Z",
    )  # fmt: skip
    rows.payment("p11", c[2], status="expired", created_at="2026-11-10T09:00:00Z")
    rows.payment(  # an AutoPay renewal the mandate could not debit
        "p12", c[3], method="upi_autopay", status="failed", purpose="renewal",
        created_at="2026-11-23T10:00:00Z",
    )  # fmt: skip
    rows.payment(  # an AutoPay sign-up the provider refused: no plan needs attention
        "p13", c[4], method="upi_autopay", status="failed", created_at="2026-11-23T11:00:00Z"
    )
    # -- subscriptions ------------------------------------------------------------
    rows.subscription(c[0], tier="student", interval="month", amount=79900)
    rows.subscription(c[1], tier="employee", interval="year", amount=2399900)
    rows.subscription(c[2], tier="professional", amount=799900, status="canceled")
    rows.subscription(c[3], tier="student", interval="year", currency="USD", amount=9999)
    rows.subscription(c[4], tier="employee", currency="USD", amount=2999)
    # -- trials -------------------------------------------------------------------
    rows.trial(c[0], "2026-11-01T10:00:00Z", "2026-12-01T10:00:00Z")  # ends in 5 days
    rows.trial(c[1], "2026-11-20T10:00:00Z", "2026-12-20T10:00:00Z")
    rows.trial(c[2], "2026-11-02T10:00:00Z", "2026-12-02T10:00:00Z", "converted")
    rows.trial(c[3], "2026-11-03T10:00:00Z", "2026-12-03T10:00:00Z", "expired")
    rows.trial(c[4], "2026-10-20T10:00:00Z", "2026-11-19T10:00:00Z")  # over, started before
    rows.trial(c[5], "2026-11-05T10:00:00Z", "2026-12-05T10:00:00Z", "converted")
    rows.trial(c[6], "2026-10-01T10:00:00Z", "2026-10-31T10:00:00Z", "converted")
    # -- credits and usage ---------------------------------------------------------
    rows.credit(c[0], "grant", 10, "2026-11-01T10:00:00Z")
    rows.credit(c[1], "grant", 10, "2026-11-20T10:00:00Z")
    rows.credit(c[4], "grant", 10, "2026-10-20T10:00:00Z")
    rows.credit(c[0], "debit", -3, "2026-11-02T10:00:00Z")
    rows.credit(c[1], "debit", -1, "2026-11-21T10:00:00Z")
    rows.credit(c[4], "debit", -2, "2026-10-25T10:00:00Z")
    rows.credit(c[0], "adjust", 5, "2026-11-03T10:00:00Z")
    rows.usage(c[0], "workflow", "2026-11-25T10:00:00Z")
    rows.usage(c[0], "workflow", "2026-11-25T11:00:00Z")
    rows.usage(c[0], "workflow", "2026-11-25T12:00:00Z", allowed=False)
    rows.usage(c[1], "agent_start", "2026-11-25T13:00:00Z")
    rows.usage(c[1], "agent_stop", "2026-11-25T14:00:00Z")
    rows.usage(c[1], "workflow", "2026-11-26T08:00:00Z")
    rows.usage(c[1], "workflow", "2026-10-31T08:00:00Z")
    return dashboard.load(ctx, RANGE, "INR")


def test_revenue_today_7_30_days_and_range(board):
    assert board.revenue_today == 79900
    assert board.revenue_7d == 79900 + 239900 + 0
    assert board.revenue_30d == 79900 + 239900 + 0 + (2399900 - 100000) + 79900
    assert board.revenue_range == 79900 + 239900 + 0 + (2399900 - 100000)
    per_day = dict(board.revenue_per_day)
    assert len(per_day) == 26
    assert per_day["2026-11-26"] == 79900
    assert per_day["2026-11-22"] == 239900
    assert per_day["2026-11-05"] == 2299900
    assert per_day["2026-11-21"] == 0
    assert sum(per_day.values()) == board.revenue_range


def test_mrr_counts_yearly_plans_as_one_twelfth(board):
    # INR: 799.00 + 23,999.00 / 12 = 2,798.9166.. -> ₹2,798.92 ; USD: 29.99 + 99.99/12 = 38.3225
    assert board.mrr == {"INR": 279892, "USD": 3832}
    assert board.active_by_tier == {"student": 2, "employee": 2}


def test_trials_funnel_and_conversion_rate(board):
    assert (board.trials_active, board.trials_ending_7d) == (2, 1)
    assert board.trials_started == 5
    assert (board.trials_converted, board.trials_expired, board.trials_running) == (2, 1, 2)
    assert board.conversion_rate == pytest.approx(2 / 3)


def test_credits_usage_and_payment_problems(board):
    assert (board.credits_granted, board.credits_consumed) == (20, 4)
    usage = {day: (wf, ag) for day, wf, ag in board.usage_per_day}
    assert usage["2026-11-25"] == (2, 1)
    assert usage["2026-11-26"] == (1, 0)
    assert sum(wf for wf, _ in usage.values()) == 3
    assert (board.upi_pending, board.upi_expired, board.upi_late) == (1, 2, 1)
    assert board.card_failed == 1
    assert board.autopay_failed == 1


def test_usd_view_and_empty_range(ctx, board):
    usd = dashboard.load(ctx, RANGE, "usd")
    assert (usd.currency, usd.revenue_today, usd.revenue_range) == ("USD", 999, 999)
    empty = dashboard.load(ctx, DateRange(date(2025, 1, 1), date(2025, 1, 3)), "INR")
    assert empty.revenue_per_day == [("2025-01-01", 0), ("2025-01-02", 0), ("2025-01-03", 0)]
    assert empty.conversion_rate is None
    assert empty.to_json()["range"] == {"from": "2025-01-01", "to": "2025-01-03"}


def test_reader_cannot_write(ctx):
    from backend.store.reader import reading

    with (  # each engine says it its own way; neither lets a report write
        reading(ctx.store) as reader,
        pytest.raises(Exception, match=r"readonly|read-only"),
    ):
        reader.query("DELETE FROM customers")
