"""What every store engine offers the services: one way to run SQL and one transaction
per state change, whether the data lives in a SQLite file or on a PostgreSQL server.

SQL is written once, with SQLite's parameter markers (``?`` and ``:name``) and in the
subset both engines understand (``INSERT … ON CONFLICT``, ``RETURNING``); the PostgreSQL
engine rewrites the markers. Where the engines truly differ, the difference lives in
three named places only: :mod:`backend.store.postgres` (locking, errors, value
conversion), :mod:`backend.store.migrations.postgres_ddl` (types, triggers,
``group_concat``) and :mod:`backend.store.reader` (read-only reports).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from typing import Any, ClassVar, Protocol

Params = Sequence[Any] | dict[str, Any]

#: A transaction's lock scope. ``None``: the whole store (one writer at a time, as
#: SQLite always is). ``("customer", (42, 57))``: only those customers' rows, so writers
#: for different customers run side by side on PostgreSQL (SQLite takes its one lock).
Scope = tuple[str, tuple[int, ...]] | None


class Cursor(Protocol):
    """What a caller may use of :meth:`Store.execute`'s answer (both engines)."""

    @property
    def rowcount(self) -> int: ...

    def fetchone(self) -> Any: ...

    def fetchall(self) -> list[Any]: ...


class Store(ABC):
    """One store, shared by the threads of one process.

    :meth:`transaction` opens one write transaction; nested calls join the outer one, so
    service functions compose. Reads outside a transaction see the last commit.
    """

    #: "sqlite" or "postgresql"
    engine: ClassVar[str]
    #: where the data lives, for people (a file path, or a URL without its password)
    path: str

    def __init__(self) -> None:
        #: called (outside any lock) after each commit made through this store
        self._on_commit: list[Callable[[], None]] = []

    # -- writing ---------------------------------------------------------------------
    @abstractmethod
    def transaction(self, scope: Scope = None) -> AbstractContextManager[None]:
        """One atomic write: commits on success, rolls back everything on any error."""

    @abstractmethod
    def savepoint(self) -> AbstractContextManager[None]:
        """A part of the current transaction that may fail on its own: on any error its
        writes are undone and the error goes on, while the outer transaction continues.
        A statement expected to break a constraint (a duplicate phone, a replayed
        idempotency key) runs inside one: PostgreSQL aborts the whole transaction on an
        error unless it was inside a savepoint."""

    @property
    @abstractmethod
    def in_transaction(self) -> bool: ...

    @abstractmethod
    def execute(self, sql: str, params: Params = ()) -> Cursor:
        """Run one statement; constraint failures raise :class:`ConstraintViolation`."""

    def insert(self, sql: str, params: Params = ()) -> int:
        """Run one ``INSERT … RETURNING id`` and give the new row's id (SQLite's
        ``lastrowid`` has no PostgreSQL twin; ``RETURNING`` works on both)."""
        row = self.fetchone(sql, params)
        if row is None:
            raise RuntimeError("the INSERT returned no id: does it end in RETURNING id?")
        return int(row[0])

    def executemany(self, sql: str, rows: Sequence[Params]) -> None:
        for params in rows:
            self.execute(sql, params)

    # -- reading ---------------------------------------------------------------------
    @abstractmethod
    def _fetch(self, sql: str, params: Params) -> tuple[list[str], list[tuple]]:
        """Column names and every row, read under whatever guard the engine needs."""

    def query(self, sql: str, params: Params = ()) -> list[dict[str, Any]]:
        """Rows as plain dicts (safe to hand to another thread)."""
        columns, rows = self._fetch(sql, params)
        return [dict(zip(columns, row, strict=True)) for row in rows]

    def one(self, sql: str, params: Params = ()) -> dict[str, Any] | None:
        columns, rows = self._fetch(sql, params)
        return dict(zip(columns, rows[0], strict=True)) if rows else None

    def scalar(self, sql: str, params: Params = ()) -> Any:
        _columns, rows = self._fetch(sql, params)
        return rows[0][0] if rows else None

    def fetchone(self, sql: str, params: Params = ()) -> tuple | None:
        _columns, rows = self._fetch(sql, params)
        return rows[0] if rows else None

    def fetchall(self, sql: str, params: Params = ()) -> list[tuple]:
        return self._fetch(sql, params)[1]

    # -- listening and closing -------------------------------------------------------
    def on_commit(self, listener: Callable[[], None]) -> Callable[[], None]:
        """Call ``listener`` after every commit made through this store; returns the
        function that stops it. A listener must be quick and must not write."""
        self._on_commit.append(listener)
        return lambda: self._on_commit.remove(listener)

    def _committed(self) -> None:
        for listener in list(self._on_commit):
            listener()  # e.g. wake the payment feed: it reads after the lock

    @abstractmethod
    def table_names(self) -> list[str]:
        """The store's tables, sorted (for checks and the ``about`` command)."""

    @abstractmethod
    def close(self) -> None: ...
