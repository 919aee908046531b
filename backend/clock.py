"""Injected time. Everything asks a clock; tests move a :class:`ManualClock`.

Times are timezone-aware UTC datetimes in memory and ISO 8601 strings ending in ``Z``
in the database (second precision, so they sort as text).
"""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware UTC."""
        ...


class SystemClock:
    """The real wall clock."""

    def now(self) -> datetime:
        return datetime.now(UTC).replace(microsecond=0)


class ManualClock:
    """A clock that only moves when told to (tests, benchmarks, demos)."""

    def __init__(self, start: datetime | str = "2026-11-26T10:00:00Z") -> None:
        self._now = parse_iso(start) if isinstance(start, str) else start.astimezone(UTC)
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return self._now

    def advance(self, delta: timedelta | None = None, **kwargs: float) -> datetime:
        with self._lock:
            self._now += delta if delta is not None else timedelta(**kwargs)
            return self._now

    def set(self, when: datetime | str) -> None:
        with self._lock:
            self._now = parse_iso(when) if isinstance(when, str) else when.astimezone(UTC)


#: India Standard Time: the calendar of GST invoices and of Indian bank statements
IST = timezone(timedelta(hours=5, minutes=30), "IST")


def india_date(when: datetime) -> date:
    """The date in India of an aware time (an invoice's date, a statement's day)."""
    return when.astimezone(IST).date()


def to_iso(when: datetime) -> str:
    """Format an aware datetime as stored: ``2026-11-26T10:00:00Z``."""
    if when.tzinfo is None:
        raise ValueError("naive datetime: every time in AUTOOS Checkout is UTC-aware")
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_iso(text: str) -> datetime:
    """Parse a stored or API time; a missing offset is taken as UTC."""
    value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC)
