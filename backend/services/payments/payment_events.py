"""The payment history ledger: one append-only ``payment_events`` row per thing that
happened to a payment (created, paid, late, expired, refunded …), whatever its method.

UPI, card checkouts and refunds all write through :func:`record`, so every row has the
same shape: a kind, who did it, and a JSON object of details.
"""

from __future__ import annotations

import json
from typing import Any

from backend.context import Context


def record(ctx: Context, payment_id: str, kind: str, actor: str, **detail: Any) -> None:
    """Append one event (inside the caller's transaction, with the change it records)."""
    ctx.store.execute(
        "INSERT INTO payment_events (payment_id, at, kind, actor, detail) VALUES (?, ?, ?, ?, ?)",
        (payment_id, ctx.now_iso(), kind, actor, json.dumps(detail, sort_keys=True, default=str)),
    )


def history(ctx: Context, payment_id: str) -> list[dict[str, Any]]:
    """A payment's events, oldest first, details decoded."""
    rows = ctx.store.query(
        "SELECT at, kind, actor, detail FROM payment_events WHERE payment_id=? ORDER BY id",
        (payment_id,),
    )
    return [{**row, "detail": json.loads(row["detail"])} for row in rows]
