"""Versioned schema migrations (sqlite-utils ``Migrations``), applied on open.

Each module ``mNNNN_name.py`` registers its functions on :data:`MIGRATIONS`; the import
list below fixes their order. A new migration is a new module and one line here;
applied ones are never edited.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlite_utils.migrations import Migrations

#: sqlite-utils' own record of applied migrations
APPLIED_TABLE = "_sqlite_migrations"


class MigrationRegistry:
    """Collects migrations as their modules are imported, with the same decorator as
    sqlite-utils' ``Migrations``, without importing sqlite-utils (which pulls in numpy
    and dateutil: most of the app's start-up time). The real ``Migrations`` is built
    only when something is pending."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.entries: list[tuple[str, Callable[[Any], None], bool]] = []

    def __call__(
        self, *, name: str | None = None, transactional: bool = True
    ) -> Callable[[Callable[[Any], None]], Callable[[Any], None]]:
        def register(fn: Callable[[Any], None]) -> Callable[[Any], None]:
            self.entries.append((name or fn.__name__, fn, transactional))
            return fn

        return register

    def build(self) -> Migrations:
        from sqlite_utils.migrations import Migrations

        migrations = Migrations(self.name)
        for name, fn, transactional in self.entries:
            migrations(name=name, transactional=transactional)(fn)
        return migrations

    def pending(self, db: Any) -> list[Any]:
        """As ``Migrations.pending``: the registered migrations not applied to ``db``."""
        return self.build().pending(db)


MIGRATIONS = MigrationRegistry("autoos_checkout")


def run_script(db, script: str) -> None:
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


def apply_migrations(store) -> list[str]:
    """Apply pending migrations in one write transaction (safe with two processes)."""
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

    if _all_applied(store):
        return []
    migrations = MIGRATIONS.build()
    with store.transaction() as db:
        pending = [m.name for m in migrations.pending(db)]
        if pending:
            migrations.apply(db)
    return pending


def _all_applied(store) -> bool:
    """Read-only fast path for the usual start: every registered migration applied.
    (When this says no, the check is repeated under the write lock.)"""
    try:
        rows = store.query(
            f"SELECT name FROM {APPLIED_TABLE} WHERE migration_set=?", (MIGRATIONS.name,)
        )
    except sqlite3.OperationalError:  # a new file: no table yet
        return False
    applied = {row["name"] for row in rows}
    return all(name in applied for name, _fn, _tx in MIGRATIONS.entries)
