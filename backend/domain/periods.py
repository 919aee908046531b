"""Report periods: an inclusive range of UTC calendar days, as people choose them.

Reports and exports take whole days (``--from 2026-11-01 --to 2026-11-30``); stored times
are ISO UTC text, so a range becomes the half-open text interval ``[start, end + 1 day)``
that an index can scan. Days are UTC days, like the financial-year boundary of invoice
numbers (docs/decisions.md).
"""

from __future__ import annotations

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
