"""The store on both engines: foreign keys, migrations once, ledgers append-only; and
the SQLite file private with durable pragmas."""

import stat

import pytest

from backend.errors import ConstraintViolation, StoreError
from backend.services.shop import customers
from backend.store import audit, open_store
from backend.store.migrations import MIGRATIONS, apply_migrations


@pytest.mark.sqlite_only
def test_file_is_private_and_pragmas_are_set(ctx, db_path):
    assert stat.S_IMODE(db_path.stat().st_mode) == 0o600
    conn = ctx.store.conn
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1


def test_a_row_pointing_at_nothing_is_refused(ctx):
    with pytest.raises(ConstraintViolation) as refused, ctx.store.transaction():
        ctx.store.execute(
            "INSERT INTO trials (customer_id, started_at, ends_at, credits_granted, status) "
            "VALUES (999, 'a', 'b', 1, 'active')"
        )
    assert refused.value.kind == "foreign_key"
    assert ctx.store.scalar("SELECT count(*) FROM trials") == 0


def test_migrations_are_idempotent(ctx, db_path):
    tables = ctx.store.table_names()
    assert {"customers", "_sqlite_migrations"} <= set(tables)
    assert apply_migrations(ctx.store) == []
    again = open_store(db_path)
    assert apply_migrations(again) == []
    assert again.table_names() == tables
    applied = [r["name"] for r in again.query("SELECT name FROM _sqlite_migrations ORDER BY id")]
    assert applied == sorted(applied)  # applied in their numbered order
    assert applied[:2] == ["0001_core", "0002_usage"]
    assert not MIGRATIONS.pending(again)
    again.close()


def test_a_store_from_a_newer_version_is_refused_and_left_alone(ctx, db_path):
    with ctx.store.transaction():
        ctx.store.execute(
            "INSERT INTO _sqlite_migrations (migration_set, name, applied_at) "
            "VALUES ('autoos_checkout', '0099_future', 'later')"
        )
    with pytest.raises(StoreError, match=r"newer AUTOOS Checkout.*0099_future"):
        open_store(db_path)
    assert (
        ctx.store.scalar("SELECT count(*) FROM _sqlite_migrations") == len(MIGRATIONS.entries) + 1
    )


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
        with pytest.raises(ConstraintViolation, match="append-only"), ctx.store.transaction():
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
    with pytest.raises(ConstraintViolation, match="below zero") as refused, ctx.store.transaction():
        ctx.store.execute(insert, (cust["id"], "debit", -3, "k2"))
    assert refused.value.kind == "rule"
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
