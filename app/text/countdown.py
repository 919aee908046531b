"""Time left to pay, as every screen shows it (staff waiting step, display, kiosk)."""

from __future__ import annotations

from datetime import datetime

from backend.clock import parse_iso


def seconds_left(expires_at: datetime | str | None, now: datetime) -> int:
    """Whole seconds until ``expires_at`` (ISO text or a datetime), never below zero."""
    if not expires_at:
        return 0
    when = parse_iso(expires_at) if isinstance(expires_at, str) else expires_at
    return max(0, int((when - now).total_seconds()))


def countdown_text(seconds: int) -> str:
    """``14:05`` (``1:02:03`` past an hour; ``0:00`` once expired)."""
    hours, rest = divmod(max(0, seconds), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
