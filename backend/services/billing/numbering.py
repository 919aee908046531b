"""Sequential document numbers per Indian financial year (April to March).

GST rules: at most 16 characters, unique, no gaps. The number is taken in the same
transaction as the change that needs it (``BEGIN IMMEDIATE`` serialises writers, even
across processes), so a rolled-back sale gives its number back and none is skipped.
"""

from __future__ import annotations

from datetime import datetime

from backend.clock import india_date
from backend.context import Context

PREFIX = "AC"


def financial_year(when: datetime) -> str:
    """``2026-27`` for 1 April 2026 .. 31 March 2027, by the date in India (GST law's
    calendar: a sale at 00:30 IST on 1 April belongs to the new year)."""
    day = india_date(when)
    start = day.year if day.month >= 4 else day.year - 1
    return f"{start}-{str(start + 1)[-2:]}"


def next_number(ctx: Context, kind: str = "INV") -> str:
    """Allocate the next number, e.g. ``AC/2627/000001`` (14 characters)."""
    if not ctx.store.in_transaction:
        raise RuntimeError("numbers are allocated inside the transaction that uses them")
    fy = financial_year(ctx.clock.now())
    series = f"{kind}/{fy}"
    ctx.store.execute(
        "INSERT INTO document_counters (series, last) VALUES (?, 1) "
        "ON CONFLICT(series) DO UPDATE SET last = document_counters.last + 1",
        (series,),
    )
    last = ctx.store.scalar("SELECT last FROM document_counters WHERE series=?", (series,))
    short_fy = fy[2:4] + fy[-2:]
    number = f"{PREFIX}/{short_fy}/{last:06d}"
    assert len(number) <= 16
    return number
