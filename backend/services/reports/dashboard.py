"""The admin dashboard's figures: pure SQL over a read-only connection.

Definitions (also in docs/decisions.md):

* **Revenue** is money kept: ``amount - refunded_amount`` of payments that succeeded
  (status ``succeeded`` or ``refunded``), dated by ``paid_at``, in the chosen currency.
  ``late`` payments are not revenue until staff settle them; they are counted apart.
  Today / 7 days / 30 days end at the clock's *now*; days are UTC days.
* **MRR** per currency: active subscriptions, monthly amounts plus yearly amounts / 12,
  rounded half up to the minor unit once per currency (never per subscription).
* **Trials**: active = ``active`` and not yet ended; ending soon = ends within 7 days.
  The funnel follows the trials *started in the range*: converted, expired (status
  ``expired``, or ``active`` past its end), still running. Conversion rate =
  converted / (converted + expired): trials still running have not decided yet.
* **Credits** granted vs consumed: ``grant`` entries vs ``debit`` entries in the range.
* **Usage**: allowed workflow runs and agent starts per day in the range.
* **UPI**: requests created in the range that are pending (not yet expired by the clock),
  expired (status, or pending past ``expires_at``) or late. **Failed card payments**:
  card methods with status ``failed`` created in the range.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any

from backend.clock import to_iso
from backend.context import Context
from backend.domain.money import check_currency
from backend.domain.payments import CARD_METHODS, REVENUE, PaymentMethod
from backend.domain.periods import DateRange, day_start, last_days
from backend.store.reader import Reader, reading

#: the payment vocabulary's revenue statuses, as query parameters
REVENUE_STATUSES = tuple(sorted(REVENUE))


@dataclass
class Dashboard:
    """Everything the dashboard shows; money in minor units of ``currency``."""

    currency: str
    range: DateRange
    now: str
    revenue_today: int = 0
    revenue_7d: int = 0
    revenue_30d: int = 0
    revenue_range: int = 0
    #: (day, revenue) for every day of the range, zero where nothing was paid
    revenue_per_day: list[tuple[str, int]] = field(default_factory=list)
    #: currency -> MRR in minor units
    mrr: dict[str, int] = field(default_factory=dict)
    #: tier id -> active subscriptions (all currencies)
    active_by_tier: dict[str, int] = field(default_factory=dict)
    trials_active: int = 0
    trials_ending_7d: int = 0
    trials_started: int = 0
    trials_converted: int = 0
    trials_expired: int = 0
    trials_running: int = 0
    credits_granted: int = 0
    credits_consumed: int = 0
    #: (day, workflow runs, agent starts) for every day of the range
    usage_per_day: list[tuple[str, int, int]] = field(default_factory=list)
    upi_pending: int = 0
    upi_expired: int = 0
    upi_late: int = 0
    card_failed: int = 0
    #: AutoPay renewals the mandate could not debit (the Payments tab lists them)
    autopay_failed: int = 0
    elapsed_ms: float = 0.0

    @property
    def conversion_rate(self) -> float | None:
        """Share of decided trials that converted (``None`` before any decided)."""
        decided = self.trials_converted + self.trials_expired
        return self.trials_converted / decided if decided else None

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["range"] = self.range.to_json()
        data["conversion_rate"] = self.conversion_rate
        return data


def load(ctx: Context, period: DateRange, currency: str) -> Dashboard:
    """Compute the dashboard on a fresh read-only connection (call off the GUI thread)."""
    with reading(ctx.store) as reader:
        return compute(reader, period, currency, ctx.clock.now())


def compute(reader: Reader, period: DateRange, currency: str, now: datetime) -> Dashboard:
    started = time.perf_counter()
    board = Dashboard(currency=check_currency(currency), range=period, now=to_iso(now))
    _revenue(reader, board, now)
    _subscriptions(reader, board)
    _trials(reader, board, now)
    _credits_and_usage(reader, board)
    _payment_problems(reader, board, now)
    board.elapsed_ms = (time.perf_counter() - started) * 1000
    return board


def mrr_of(monthly_total: int, yearly_total: int) -> int:
    """MRR in minor units: monthly + yearly/12, rounded half up once."""
    return (12 * monthly_total + yearly_total + 6) // 12


def _revenue(reader: Reader, board: Dashboard, now: datetime) -> None:
    period = board.range
    statuses = ",".join("?" * len(REVENUE_STATUSES))
    per_day = {
        row["day"]: row["revenue"]
        for row in reader.query(
            "SELECT substr(paid_at, 1, 10) AS day, SUM(amount - refunded_amount) AS revenue "
            f"FROM payments WHERE currency=? AND paid_at>=? AND paid_at<? "
            f"AND status IN ({statuses}) GROUP BY day",
            (board.currency, period.start_iso, period.end_iso, *REVENUE_STATUSES),
        )
    }
    board.revenue_per_day = [(day, per_day.get(day, 0)) for day in period.days()]
    board.revenue_range = sum(per_day.values())
    today = now.date()
    bounds = {n: day_start(last_days(today, n).start) for n in (1, 7, 30)}
    row = reader.one(
        "SELECT "
        "COALESCE(SUM(CASE WHEN paid_at>=? THEN amount - refunded_amount END), 0) AS d1, "
        "COALESCE(SUM(CASE WHEN paid_at>=? THEN amount - refunded_amount END), 0) AS d7, "
        "COALESCE(SUM(amount - refunded_amount), 0) AS d30 "
        f"FROM payments WHERE currency=? AND paid_at>=? AND paid_at<=? "
        f"AND status IN ({statuses})",
        (bounds[1], bounds[7], board.currency, bounds[30], to_iso(now), *REVENUE_STATUSES),
    )
    assert row is not None
    board.revenue_today, board.revenue_7d, board.revenue_30d = row["d1"], row["d7"], row["d30"]


def _subscriptions(reader: Reader, board: Dashboard) -> None:
    totals: dict[str, dict[str, int]] = {}
    by_tier: dict[str, int] = {}
    for row in reader.query(
        "SELECT currency, tier, interval, COUNT(*) AS n, SUM(amount) AS total "
        "FROM subscriptions WHERE status='active' GROUP BY currency, tier, interval"
    ):
        per = totals.setdefault(row["currency"], {"month": 0, "year": 0})
        per[row["interval"]] += row["total"]
        by_tier[row["tier"]] = by_tier.get(row["tier"], 0) + row["n"]
    board.mrr = {cur: mrr_of(t["month"], t["year"]) for cur, t in sorted(totals.items())}
    board.active_by_tier = by_tier


def _trials(reader: Reader, board: Dashboard, now: datetime) -> None:
    now_iso = to_iso(now)
    row = reader.one(
        "SELECT COUNT(*) AS active, "
        "COALESCE(SUM(CASE WHEN ends_at<=? THEN 1 ELSE 0 END), 0) AS ending "
        "FROM trials WHERE status='active' AND ends_at>?",
        (to_iso(now + timedelta(days=7)), now_iso),
    )
    assert row is not None
    board.trials_active, board.trials_ending_7d = row["active"], row["ending"]
    row = reader.one(
        "SELECT COUNT(*) AS started, "
        "COALESCE(SUM(CASE WHEN status='converted' THEN 1 ELSE 0 END), 0) AS converted, "
        "COALESCE(SUM(CASE WHEN status='expired' OR (status='active' AND ends_at<=?) "
        "THEN 1 ELSE 0 END), 0) AS expired "
        "FROM trials WHERE started_at>=? AND started_at<?",
        (now_iso, board.range.start_iso, board.range.end_iso),
    )
    assert row is not None
    board.trials_started = row["started"]
    board.trials_converted = row["converted"]
    board.trials_expired = row["expired"]
    board.trials_running = row["started"] - row["converted"] - row["expired"]


def _credits_and_usage(reader: Reader, board: Dashboard) -> None:
    period = board.range
    row = reader.one(
        "SELECT COALESCE(SUM(CASE WHEN kind='grant' THEN amount END), 0) AS granted, "
        "COALESCE(-SUM(CASE WHEN kind='debit' THEN amount END), 0) AS consumed "
        "FROM credit_ledger WHERE at>=? AND at<? AND kind IN ('grant', 'debit')",
        (period.start_iso, period.end_iso),
    )
    assert row is not None
    board.credits_granted, board.credits_consumed = row["granted"], row["consumed"]
    per_day: dict[str, list[int]] = {}
    for row in reader.query(
        "SELECT substr(at, 1, 10) AS day, kind, COUNT(*) AS n FROM usage_events "
        "WHERE at>=? AND at<? AND kind IN ('workflow', 'agent_start') AND allowed=1 "
        "GROUP BY day, kind",
        (period.start_iso, period.end_iso),
    ):
        slot = per_day.setdefault(row["day"], [0, 0])
        slot[0 if row["kind"] == "workflow" else 1] = row["n"]
    board.usage_per_day = [(day, *per_day.get(day, [0, 0])) for day in period.days()]  # type: ignore[misc]


def _payment_problems(reader: Reader, board: Dashboard, now: datetime) -> None:
    now_iso = to_iso(now)
    for row in reader.query(
        "SELECT method, status, purpose, COUNT(*) AS n, "
        "COALESCE(SUM(CASE WHEN expires_at IS NOT NULL AND expires_at<=? THEN 1 ELSE 0 END), 0) "
        "AS overdue "
        "FROM payments WHERE status IN ('pending', 'expired', 'late', 'failed') "
        "AND created_at>=? AND created_at<? GROUP BY method, status, purpose",
        (now_iso, board.range.start_iso, board.range.end_iso),
    ):
        method, status, n = row["method"], row["status"], row["n"]
        if method == "upi_qr":
            if status == "pending":
                board.upi_pending += n - row["overdue"]
                board.upi_expired += row["overdue"]
            elif status == "expired":
                board.upi_expired += n
            elif status == "late":
                board.upi_late += n
        elif method in CARD_METHODS and status == "failed":
            board.card_failed += n
        elif (method, status, row["purpose"]) == (PaymentMethod.UPI_AUTOPAY, "failed", "renewal"):
            board.autopay_failed += n  # a sign-up that failed is no plan's problem
