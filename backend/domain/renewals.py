"""Dates around the end of paid or free time: trial ends, reminders, days left.

A trial lasts a whole number of days from its start; staff and customers are reminded a
fixed number of days before a trial ends or a UPI renewal is due (UPI plans are pushed
payments, so nobody is charged automatically and a reminder is the only nudge). Pure
functions of aware UTC datetimes; the caller passes ``now``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta

#: days before a UPI renewal is due when the customer is reminded
RENEWAL_REMINDER_DAYS: tuple[int, ...] = (7, 3, 1)

#: trial reminder stage -> days before the trial's end, earliest stage first
TRIAL_REMINDER_STAGES: dict[str, int] = {"7d": 7, "3d": 3, "1d": 1, "expired": 0}

DAY = timedelta(days=1)


def trial_end(start: datetime, trial_days: int) -> datetime:
    """When a trial started at ``start`` ends: exactly ``trial_days`` × 24 hours later
    (UTC has no daylight saving, so a day is always 24 hours)."""
    return start + timedelta(days=trial_days)


def days_before(when: datetime, days: int) -> datetime:
    """The moment ``days`` whole days before ``when`` (a reminder's due time)."""
    return when - timedelta(days=days)


def reminder_times(due: datetime, days: Iterable[int] = RENEWAL_REMINDER_DAYS) -> list[datetime]:
    """When to remind about something due at ``due``, in the order of ``days``."""
    return [days_before(due, d) for d in days]


def stages_reached(ends: datetime, now: datetime, stages: Mapping[str, int]) -> list[str]:
    """The reminder stages (``name -> days before the end``) whose time has come by
    ``now``, in the mapping's order; the last one is the one worth sending."""
    return [name for name, days in stages.items() if days_before(ends, days) <= now]


def days_left(ends: datetime, now: datetime) -> int:
    """Days until ``ends``, any part of a day counting as a whole one ("1 day left" until
    the very end), 0 once it has passed. Exact integer arithmetic (ceiling)."""
    remaining = ends - now
    if remaining <= timedelta(0):
        return 0
    return -(-remaining // DAY)
