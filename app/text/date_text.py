"""Dates and times as every screen shows them: ``5 Dec 2026``, ``5 Dec 2026, 06:44 UTC``.

Stored times are ISO UTC text (``backend.clock.to_iso``); the shop reads them in UTC,
said so, rather than in a guessed local zone.
"""

from __future__ import annotations

from backend.clock import parse_iso

#: the same day format for date pickers (Qt's format syntax)
QT_DAY_FORMAT = "d MMM yyyy"
#: the range the Payments page and the Dashboard open on: the last 30 days, today included
DEFAULT_RANGE_DAYS = 30


def day_text(iso: str | None, missing: str = "—") -> str:
    """``5 Dec 2026`` (``missing`` when there is no date)."""
    if not iso:
        return missing
    when = parse_iso(iso)
    return f"{when.day} {when:%b %Y}"


def moment_text(iso: str | None, missing: str = "") -> str:
    """``5 Dec 2026, 06:44 UTC`` (``missing`` when there is no time)."""
    if not iso:
        return missing
    return f"{day_text(iso)}, {parse_iso(iso):%H:%M} UTC"
