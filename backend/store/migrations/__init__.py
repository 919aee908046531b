"""Versioned schema migrations, one history for both engines, applied on open.

Each module ``mNNNN_name.py`` registers its functions on :data:`MIGRATIONS`; the import
list below fixes their order. A new migration is a new module and one line here;
applied ones are never edited.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime

from backend.errors import StoreError
from backend.store.base import Store

#: the record of applied migrations (named by sqlite-utils, which wrote it first)
APPLIED_TABLE = "_sqlite_migrations"
SET_NAME = "autoos_checkout"

Migration = Callable[[Store], None]


class MigrationRegistry:
    """Collects migrations, in order, as their modules are imported."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.entries: list[tuple[str, Migration]] = []

    def __call__(self, *, name: str) -> Callable[[Migration], Migration]:
        def register(fn: Migration) -> Migration:
            if any(known == name for known, _fn in self.entries):
                raise ValueError(f"migration {name!r} is registered twice")
            self.entries.append((name, fn))
            return fn

        return register

    def pending(self, store: Store) -> list[str]:
        """The registered migrations not yet applied to ``store``, in order."""
        applied = _applied(store)
        return [name for name, _fn in self.entries if name not in applied]


MIGRATIONS = MigrationRegistry(SET_NAME)


def statements(script: str) -> list[str]:
    """A script cut into statements (triggers contain ``;``, so statements end where
    :func:`sqlite3.complete_statement` says, which holds for both engines' DDL here)."""
    found, buffer = [], ""
    for line in script.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            if buffer.strip():
                found.append(buffer.strip())
            buffer = ""
    if buffer.strip():
        raise ValueError(f"incomplete SQL statement in migration: {buffer[:80]!r}")
    return found


def run_script(store: Store, script: str) -> None:
    """Execute a migration's SQL statement by statement inside the current transaction;
    on PostgreSQL each statement is first put in its dialect (:mod:`.postgres_ddl`)."""
    translate: Callable[[str], list[str]] = lambda statement: [statement]  # noqa: E731
    if store.engine == "postgresql":
        from backend.store.migrations.postgres_ddl import translate

    for statement in statements(script):
        for sql in translate(statement):
            store.execute(sql)


def _load() -> None:
    from backend.store.migrations import (  # noqa: F401  (registration by import)
        m0001_core,
        m0002_usage,
        m0003_upi,
        m0004_stripe,
        m0005_reports,
        m0006_api,
        m0007_card_invoices,
        m0008_payment_owner,
        m0009_autopay,
    )


def apply_migrations(store: Store, *, stop_before: str | None = None) -> list[str]:
    """Apply pending migrations in one write transaction (safe with two processes: the
    second waits for the store lock, then finds nothing pending). ``stop_before`` leaves
    that migration and later ones pending (a test builds an older store that way)."""
    _load()
    applied = _applied(store)
    newer = sorted(applied - {name for name, _fn in MIGRATIONS.entries})
    if newer:
        raise StoreError(
            f"The database {store.path} was updated by a newer AUTOOS Checkout (it has "
            f"{', '.join(newer)}). Install that version or newer; nothing was changed."
        )
    if all(name in applied for name, _fn in MIGRATIONS.entries):
        return []
    with store.transaction():
        run_script(
            store,
            f"CREATE TABLE IF NOT EXISTS {APPLIED_TABLE} "
            "(id INTEGER PRIMARY KEY, migration_set TEXT, name TEXT, applied_at TEXT);",
        )
        if store.engine == "postgresql":
            from backend.store.migrations.postgres_ddl import COMPAT

            for sql in COMPAT:
                store.execute(sql)
        pending = MIGRATIONS.pending(store)
        if stop_before in pending:
            pending = pending[: pending.index(stop_before)]
        for name, fn in MIGRATIONS.entries:
            if name in pending:
                fn(store)
                store.execute(
                    f"INSERT INTO {APPLIED_TABLE} (migration_set, name, applied_at) "
                    "VALUES (?, ?, ?)",
                    (MIGRATIONS.name, name, str(datetime.now(UTC))),
                )
    return pending


def _applied(store: Store) -> set[str]:
    if APPLIED_TABLE not in store.table_names():  # a new store: nothing applied yet
        return set()
    rows = store.fetchall(f"SELECT name FROM {APPLIED_TABLE} WHERE migration_set=?", (SET_NAME,))
    return {row[0] for row in rows}
