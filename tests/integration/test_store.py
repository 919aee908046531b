"""The store on both engines: foreign keys, migrations once, ledgers append-only; and
the SQLite file private with durable pragmas."""

import stat
import threading

import pytest

from backend.errors import ConstraintViolation, StoreClosed, StoreError
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


@pytest.mark.sqlite_only
def test_a_read_does_not_wait_for_another_threads_commit(ctx):
    """While one thread holds the write lock, another thread's SELECT answers at once
    with the last commit; the writing thread reads its own uncommitted row."""
    customers.add_customer(ctx, name="Asha", email="asha@example.com", actor="test")
    holding, release = threading.Event(), threading.Event()
    seen_inside: list[int] = []

    def writer() -> None:
        with ctx.store.transaction():
            customers.add_customer(ctx, name="Ravi", email="ravi@example.com", actor="test")
            seen_inside.append(ctx.store.scalar("SELECT count(*) FROM customers"))
            holding.set()
            release.wait()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        assert holding.wait(10)
        seen_outside: list[int] = []
        reader = threading.Thread(
            target=lambda: seen_outside.append(ctx.store.scalar("SELECT count(*) FROM customers"))
        )
        reader.start()
        reader.join(10)  # the writer holds its lock until released below
        assert seen_outside == [1], "the read waited for the other thread's transaction"
    finally:
        release.set()
        thread.join()
    assert seen_inside == [2]
    assert ctx.store.scalar("SELECT count(*) FROM customers") == 2


@pytest.mark.sqlite_only
def test_a_write_through_a_read_method_still_writes_and_a_closed_store_refuses(db_path):
    store = open_store(db_path)
    new_id = store.insert(
        "INSERT INTO customers (name, name_key, email, created_at, updated_at) "
        "VALUES ('Meera', 'meera', 'meera@example.com', 'a', 'a') RETURNING id"
    )  # outside a transaction, on the writing connection: a reader would refuse it
    assert store.scalar("SELECT name FROM customers WHERE id=?", (new_id,)) == "Meera"
    store.close()
    with pytest.raises(StoreClosed):
        store.scalar("SELECT count(*) FROM customers")
