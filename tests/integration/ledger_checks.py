"""Invariants of the credit ledger and usage tables, checked by several tests."""

from __future__ import annotations

import sqlite3
from typing import Any


def check_invariants(conn: sqlite3.Connection) -> dict[str, Any]:
    """Assert what must hold after any sequence of operations; return a few totals."""
    buckets = conn.execute(
        "SELECT customer_id, bucket, SUM(amount) FROM credit_ledger GROUP BY 1, 2"
    ).fetchall()
    for customer_id, bucket, total in buckets:
        assert total >= 0, f"customer {customer_id} {bucket} balance {total} < 0"
    # every allowed trial workflow debited exactly one credit, keyed by its event id
    debits = dict(
        conn.execute(
            "SELECT idempotency_key, amount FROM credit_ledger "
            "WHERE kind='debit' AND idempotency_key LIKE 'usage:%'"
        ).fetchall()
    )
    assert all(amount == -1 for amount in debits.values())
    refused_with_debit = conn.execute(
        "SELECT count(*) FROM usage_events WHERE allowed=0 AND 'usage:' || event_id IN "
        "(SELECT idempotency_key FROM credit_ledger)"
    ).fetchone()[0]
    assert refused_with_debit == 0
    # running agents are exactly what the events say
    for customer_id, running in conn.execute("SELECT customer_id, running FROM usage_agents"):
        derived = conn.execute(
            "SELECT COALESCE(SUM(agents_delta), 0) FROM usage_events WHERE customer_id=?",
            (customer_id,),
        ).fetchone()[0]
        assert running == derived >= 0
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    events = conn.execute("SELECT count(*) FROM usage_events").fetchone()[0]
    return {"debits": len(debits), "events": events}


def subscribe(ctx, customer_id: int, tier: str, *, status: str = "active", days: int = 30) -> int:
    """Put a customer on a paid plan the way the payment code stores one."""
    from datetime import timedelta

    from backend.clock import to_iso

    now = ctx.clock.now()
    with ctx.store.transaction():
        cur = ctx.store.execute(
            "INSERT INTO subscriptions (customer_id, tier, interval, currency, amount, method, "
            "status, current_period_start, current_period_end, created_at, updated_at) "
            "VALUES (?, ?, 'month', 'INR', 79900, 'upi', ?, ?, ?, ?, ?)",
            (
                customer_id,
                tier,
                status,
                to_iso(now),
                to_iso(now + timedelta(days=days)),
                to_iso(now),
                to_iso(now),
            ),
        )
    return cur.lastrowid


def dump(path) -> list[str]:
    """Every row of the database as SQL text (to show a failed command changed nothing)."""
    conn = sqlite3.connect(path)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()
