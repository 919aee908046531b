"""Invariants of the credit ledger and usage tables, checked by several tests (on
either engine)."""

from __future__ import annotations

from typing import Any

from backend.store import Store, open_store


def check_invariants(store: Store) -> dict[str, Any]:
    """Assert what must hold after any sequence of operations; return a few totals."""
    buckets = store.fetchall(
        "SELECT customer_id, bucket, SUM(amount) FROM credit_ledger GROUP BY 1, 2"
    )
    for customer_id, bucket, total in buckets:
        assert total >= 0, f"customer {customer_id} {bucket} balance {total} < 0"
    # every allowed trial workflow debited exactly one credit, keyed by its event id
    debits = dict(
        store.fetchall(
            "SELECT idempotency_key, amount FROM credit_ledger "
            "WHERE kind='debit' AND idempotency_key LIKE 'usage:%'"
        )
    )
    assert all(amount == -1 for amount in debits.values())
    refused_with_debit = store.scalar(
        "SELECT count(*) FROM usage_events WHERE allowed=0 AND 'usage:' || event_id IN "
        "(SELECT idempotency_key FROM credit_ledger)"
    )
    assert refused_with_debit == 0
    # running agents are exactly what the events say
    for customer_id, running in store.fetchall("SELECT customer_id, running FROM usage_agents"):
        derived = store.scalar(
            "SELECT COALESCE(SUM(agents_delta), 0) FROM usage_events WHERE customer_id=?",
            (customer_id,),
        )
        assert running == derived >= 0
    if store.engine == "sqlite":
        assert store.scalar("PRAGMA integrity_check") == "ok"
    events = store.scalar("SELECT count(*) FROM usage_events")
    return {"debits": len(debits), "events": events}


def subscribe(ctx, customer_id: int, tier: str, *, status: str = "active", days: int = 30) -> int:
    """Put a customer on a paid plan the way the payment code stores one."""
    from datetime import timedelta

    from backend.clock import to_iso

    now = ctx.clock.now()
    with ctx.store.transaction():
        return ctx.store.insert(
            "INSERT INTO subscriptions (customer_id, tier, interval, currency, amount, method, "
            "status, current_period_start, current_period_end, created_at, updated_at) "
            "VALUES (?, ?, 'month', 'INR', 79900, 'upi', ?, ?, ?, ?, ?) RETURNING id",
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


def dump(target) -> list[str]:
    """Every row of the store, as text (to show a failed command changed nothing)."""
    store = open_store(target, migrate=False)
    try:
        return [
            f"{table}: {row!r}"
            for table in store.table_names()
            for row in sorted(store.fetchall(f"SELECT * FROM {table}"), key=repr)
        ]
    finally:
        store.close()
