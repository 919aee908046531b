"""Migration 0009 (UPI AutoPay) on a store that already holds sales: the payments and
subscriptions tables are rebuilt with the wider method CHECK and every row, reference
and index survives; foreign keys are enforced afterwards as before."""

from __future__ import annotations

import pytest

from backend.errors import ConstraintViolation
from backend.store.db import SqliteStore
from backend.store.migrations import apply_migrations

NOW = "2026-11-26T10:00:00Z"


def _old_store(path) -> SqliteStore:
    """A store migrated up to 0008, with a customer who paid and was refunded."""
    store = SqliteStore(path)
    assert apply_migrations(store, stop_before="0009_autopay")[-1] == "0008_payment_owner"
    with store.transaction():
        store.execute(
            "INSERT INTO customers (id, name, name_key, email, created_at, updated_at) "
            "VALUES (1, 'Asha', 'asha', 'asha@example.in', ?, ?)",
            (NOW, NOW),
        )
        store.execute(
            "INSERT INTO subscriptions (id, customer_id, tier, interval, currency, amount, "
            "method, status, created_at, updated_at, stripe_subscription_id) "
            "VALUES (7, 1, 'student', 'month', 'INR', 79900, 'card', 'active', ?, ?, 'sub_1')",
            (NOW, NOW),
        )
        for n, method in enumerate(("upi_qr", "card_on_file")):
            store.execute(
                "INSERT INTO payments (id, customer_id, method, status, amount, currency, "
                "subscription_id, created_at, updated_at, receipt_no, stripe_invoice_id, "
                "terminal) VALUES (?, 1, ?, 'succeeded', 79900, 'INR', 7, ?, ?, ?, ?, 'Till 1')",
                (f"pay_{n}", method, NOW, NOW, f"AC/2627/00000{n}", f"in_{n}"),
            )
            store.execute(
                "INSERT INTO payment_events (payment_id, at, kind, actor) "
                "VALUES (?, ?, 'succeeded', 't')",
                (f"pay_{n}", NOW),
            )
        store.execute(
            "INSERT INTO refunds (payment_id, amount, currency, status, created_at, updated_at, "
            "actor) VALUES ('pay_1', 100, 'INR', 'succeeded', ?, ?, 't')",
            (NOW, NOW),
        )
    return store


def _dump(store: SqliteStore, table: str) -> list[dict]:
    return store.query(f"SELECT * FROM {table} ORDER BY rowid")


def _indexes(store: SqliteStore, table: str) -> set[str]:
    return {
        r["name"]
        for r in store.query(
            "SELECT name FROM sqlite_master WHERE type='index' AND tbl_name=?", (table,)
        )
    }


def test_the_rebuild_keeps_every_row_reference_and_index(tmp_path):
    store = _old_store(tmp_path / "old.db")
    before = {
        t: _dump(store, t) for t in ("payments", "subscriptions", "payment_events", "refunds")
    }
    indexes = {t: _indexes(store, t) for t in ("payments", "subscriptions")}

    assert apply_migrations(store) == ["0009_autopay"]

    for table, rows in before.items():
        after = _dump(store, table)
        if table == "subscriptions":  # the new mandate columns are empty on old plans
            after = [{k: v for k, v in row.items() if k in rows[0]} for row in after]
        assert after == rows, table
    assert store.query("PRAGMA foreign_key_check") == []
    assert indexes["payments"] <= _indexes(store, "payments")
    assert indexes["subscriptions"] <= _indexes(store, "subscriptions")
    assert store.scalar("PRAGMA foreign_keys") == 1
    assert store.scalar("PRAGMA defer_foreign_keys") == 0  # ended with the migration

    with store.transaction():  # the new method is accepted, an unknown one still is not
        store.execute(
            "INSERT INTO subscriptions (customer_id, tier, interval, currency, amount, method, "
            "status, created_at, updated_at) VALUES (1, 'student', 'month', 'INR', 79900, "
            "'upi_autopay', 'active', ?, ?)",
            (NOW, NOW),
        )
        store.execute(
            "INSERT INTO payments (id, customer_id, method, status, amount, currency, "
            "created_at, updated_at) VALUES ('pay_auto', 1, 'upi_autopay', 'pending', 1, 'INR', "
            "?, ?)",
            (NOW, NOW),
        )
    with pytest.raises(ConstraintViolation, match="CHECK"), store.transaction():
        store.execute(
            "INSERT INTO payments (id, customer_id, method, status, amount, currency, "
            "created_at, updated_at) VALUES ('pay_x', 1, 'cash', 'pending', 1, 'INR', ?, ?)",
            (NOW, NOW),
        )
    with pytest.raises(ConstraintViolation, match="FOREIGN KEY"), store.transaction():
        store.execute(
            "INSERT INTO payment_events (payment_id, at, kind, actor) VALUES ('nope', ?, 'x', 't')",
            (NOW,),
        )
    with pytest.raises(ConstraintViolation, match="UNIQUE"), store.transaction():
        store.execute(  # the partial unique index on invoices was created again
            "INSERT INTO payments (id, customer_id, method, status, amount, currency, "
            "created_at, updated_at, stripe_invoice_id) VALUES ('pay_y', 1, 'card_on_file', "
            "'succeeded', 1, 'INR', ?, ?, 'in_1')",
            (NOW, NOW),
        )
    store.close()
