"""The store file: private, durable pragmas, migrations once, ledgers append-only."""

import sqlite3
import stat

import pytest

from backend.services.shop import customers
from backend.store import audit, open_store
from backend.store.migrations import MIGRATIONS, apply_migrations


def test_file_is_private_and_pragmas_are_set(ctx, db_path):
    assert stat.S_IMODE(db_path.stat().st_mode) == 0o600
    conn = ctx.store.conn
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    with pytest.raises(sqlite3.IntegrityError, match="FOREIGN KEY"), ctx.store.transaction():
        ctx.store.execute(
            "INSERT INTO trials (customer_id, started_at, ends_at, credits_granted, status) "
            "VALUES (999, 'a', 'b', 1, 'active')"
        )


def test_migrations_are_idempotent(ctx, db_path):
    tables = ctx.store.query("SELECT name FROM sqlite_master ORDER BY name")
    assert apply_migrations(ctx.store) == []
    again = open_store(db_path)
    assert apply_migrations(again) == []
    assert again.query("SELECT name FROM sqlite_master ORDER BY name") == tables
    applied = [r["name"] for r in again.query("SELECT name FROM _sqlite_migrations")]
    assert applied == sorted(applied)  # applied in their numbered order
    assert applied[:2] == ["0001_core", "0002_usage"]
    assert not MIGRATIONS.pending(again.db)
    again.close()


@pytest.mark.parametrize("table", ["credit_ledger", "audit_log", "usage_events"])
def test_ledgers_refuse_update_and_delete(ctx, table):
    cust = customers.add_customer(ctx, name="Ravi", email="ravi@example.com", actor="test")
    with ctx.store.transaction():
        ctx.store.execute(
            "INSERT INTO credit_ledger (customer_id, at, kind, bucket, amount, reason, "
            "idempotency_key, actor) VALUES (?, 'now', 'adjust', 'purchased', 5, 'r', 'k', 't')",
            (cust["id"],),
        )
        ctx.store.execute(
            "INSERT INTO usage_events (event_id, customer_id, kind, at, month, allowed) "
            "VALUES ('e', ?, 'workflow', 'now', '2026-11', 1)",
            (cust["id"],),
        )
        audit.record(ctx, "test", "x", "customer", cust["id"])
    before = ctx.store.query(f"SELECT * FROM {table}")
    for sql in (f"UPDATE {table} SET at='later'", f"DELETE FROM {table}"):
        with pytest.raises(sqlite3.IntegrityError, match="append-only"), ctx.store.transaction():
            ctx.store.execute(sql)
    assert ctx.store.query(f"SELECT * FROM {table}") == before


def test_ledger_trigger_refuses_going_below_zero(ctx):
    cust = customers.add_customer(ctx, name="Ravi", email="ravi@example.com", actor="test")
    insert = (
        "INSERT INTO credit_ledger (customer_id, at, kind, bucket, amount, reason, "
        "idempotency_key, actor) VALUES (?, 'now', ?, 'purchased', ?, 'r', ?, 't')"
    )
    with ctx.store.transaction():
        ctx.store.execute(insert, (cust["id"], "adjust", 2, "k1"))
    with pytest.raises(sqlite3.IntegrityError, match="below zero"), ctx.store.transaction():
        ctx.store.execute(insert, (cust["id"], "debit", -3, "k2"))
    assert ctx.store.scalar("SELECT SUM(amount) FROM credit_ledger") == 2


def test_a_failed_transaction_leaves_nothing(ctx):
    def change_then_fail():
        with ctx.store.transaction():
            customers.add_customer(ctx, name="Ravi", email="ravi@example.com", actor="test")
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        change_then_fail()
    assert ctx.store.scalar("SELECT count(*) FROM customers") == 0
    assert ctx.store.scalar("SELECT count(*) FROM audit_log") == 0
