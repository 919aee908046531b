"""Versioned schema migrations (sqlite-utils ``Migrations``), applied on open.

Each module ``mNNNN_name.py`` registers its functions on :data:`MIGRATIONS`; the import
list below fixes their order. A new migration is a new module and one line here;
applied ones are never edited.
"""

from __future__ import annotations

import sqlite3

from sqlite_utils.migrations import Migrations

MIGRATIONS = Migrations("autoos_checkout")


def run_script(db, script: str) -> None:  # type: ignore[no-untyped-def]
    """Execute SQL statements one by one inside the current transaction.

    (``executescript`` would commit first; triggers contain ``;`` so statements are
    split with :func:`sqlite3.complete_statement`.)
    """
    buffer = ""
    for line in script.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            if buffer.strip():
                db.execute(buffer)
            buffer = ""
    if buffer.strip():
        raise ValueError(f"incomplete SQL statement in migration: {buffer[:80]!r}")


def apply_migrations(store) -> list[str]:  # type: ignore[no-untyped-def]
    """Apply pending migrations in one write transaction (safe with two processes)."""
    from backend.store.migrations import (  # noqa: F401  (registration by import)
        m0001_core,
        m0003_upi,
    )

    with store.transaction() as db:
        pending = [m.name for m in MIGRATIONS.pending(db)]
        if pending:
            MIGRATIONS.apply(db)
    return pending
