"""Periods: report ranges of UTC days, and billing periods of one month or one year.

Reports and exports take whole days (``--from 2026-11-01 --to 2026-11-30``); stored times
are ISO UTC text, so a range becomes the half-open text interval ``[start, end + 1 day)``
that an index can scan. Days are UTC days, like the financial-year boundary of invoice
numbers (docs/decisions.md).

Billing periods (UPI plans, whose periods the backend computes itself): a period is one
month (same day of the month, clamped to the month's end) or one year after its start.
These are pure functions of aware UTC datetimes; the caller passes ``now``.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from backend.clock import to_iso
from backend.errors import ValidationError

#: longest range a report or export accepts (ten years of days)
MAX_DAYS = 3660


@dataclass(frozen=True)
class DateRange:
    """From ``start`` to ``end``, both days included."""

    start: date
    end: date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValidationError(
                f"The range ends ({self.end}) before it starts ({self.start}).", field="to"
            )
        if (self.end - self.start).days >= MAX_DAYS:
            raise ValidationError("Choose a range of at most ten years.", field="from")

    @property
    def start_iso(self) -> str:
        return day_start(self.start)

    @property
    def end_iso(self) -> str:
        """The first instant after the range (exclusive bound)."""
        return day_start(self.end + timedelta(days=1))

    def days(self) -> list[str]:
        count = (self.end - self.start).days + 1
        return [(self.start + timedelta(days=i)).isoformat() for i in range(count)]

    def to_json(self) -> dict[str, str]:
        return {"from": self.start.isoformat(), "to": self.end.isoformat()}


def day_start(day: date) -> str:
    return to_iso(datetime.combine(day, time(0), tzinfo=UTC))


def parse_day(text: str, field: str = "date") -> date:
    try:
        return date.fromisoformat((text or "").strip())
    except ValueError:
        raise ValidationError(
            f"{text!r} is not a date: write it as YYYY-MM-DD, e.g. 2026-11-01.", field=field
        ) from None


def parse_range(start: str, end: str) -> DateRange:
    """Read ``--from``/``--to`` text (``YYYY-MM-DD``) into a :class:`DateRange`."""
    return DateRange(parse_day(start, "from"), parse_day(end, "to"))


def last_days(today: date, count: int) -> DateRange:
    """The ``count`` days ending with ``today``."""
    return DateRange(today - timedelta(days=count - 1), today)


# --- billing periods ------------------------------------------------------------------

#: billing interval -> months it spans
MONTHS_PER_INTERVAL: dict[str, int] = {"month": 1, "year": 12}

#: one second, for exact integer counts of seconds between stored (second-precision) times
SECOND = timedelta(seconds=1)


def add_interval(start: datetime, interval: str, count: int = 1) -> datetime:
    """``count`` months or years after ``start``: the same day of the month, clamped to
    the month's end (31 Jan + 1 month = 28 Feb; 29 Feb 2028 + 1 year = 28 Feb 2029).

    Counting from the anchor (``count=n``) never drifts; stepping one period at a time from
    a clamped end (31 Jan → 28 Feb → 28 Mar) does, and that is what a plan renewed period by
    period gets.
    """
    if interval not in MONTHS_PER_INTERVAL:
        raise ValidationError(f"The billing interval must be month or year, not {interval!r}.")
    index = start.month - 1 + MONTHS_PER_INTERVAL[interval] * count
    year, month = start.year + index // 12, index % 12 + 1
    day = min(start.day, calendar.monthrange(year, month)[1])
    return start.replace(year=year, month=month, day=day)


def period_bought(
    paid_at: datetime, interval: str, paid_to: datetime | None = None
) -> tuple[datetime, datetime]:
    """The period a payment buys, as ``(start, end)``: from the end of the time already
    paid for (an early renewal must not lose the days left), or from the moment of
    payment (a new plan, or the paid time already ran out)."""
    start = paid_to if paid_to is not None and paid_to > paid_at else paid_at
    return start, add_interval(start, interval)


def next_prepaid_period(
    end: datetime, interval: str, prepaid_until: datetime
) -> tuple[datetime, datetime]:
    """The period that follows ``end`` when time up to ``prepaid_until`` is already paid:
    one interval at a time (never past what was paid), so a current period is always one
    month or one year long, which upgrade proration divides by."""
    return end, min(add_interval(end, interval), prepaid_until)


def count_periods(start: datetime, until: datetime, interval: str) -> int:
    """How many periods, stepped one at a time from ``start`` (as renewals roll them),
    begin before ``until``; a period cut short by ``until`` counts whole. 0 if
    ``until <= start``."""
    count = 0
    while start < until:
        count += 1
        start = add_interval(start, interval)
    return count


def seconds_between(start: datetime, end: datetime) -> int:
    """Whole seconds from ``start`` to ``end`` (negative when ``end`` is earlier), exact
    integer arithmetic for proration."""
    return (end - start) // SECOND


def seconds_left(end: datetime, now: datetime) -> int:
    """Whole seconds from ``now`` until ``end``; 0 once it has passed."""
    return max(0, seconds_between(now, end))


def uncredited_prepaid(
    current_end: datetime, prepaid_until: datetime | None, credited_until: datetime | None
) -> timedelta:
    """Prepaid time after ``current_end`` that an upgrade's price did not credit (it was
    credited only up to ``credited_until``, e.g. a renewal paid at another till after the
    upgrade was quoted): added to the new period so that paid time is never lost."""
    if prepaid_until is None:
        return timedelta(0)
    start = current_end if credited_until is None else max(current_end, credited_until)
    return max(prepaid_until - start, timedelta(0))
