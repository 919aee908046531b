"""Read-only connections for long reports, so the one writer is never held up.

In WAL mode a reader on its own connection sees the last committed state and neither
blocks nor waits for the writer. A reader is opened per report (cheap: about a
millisecond) and closed after it; ``query_only`` makes a write through it impossible.
An in-memory store has no file to share, so it is read through its own connection.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, Protocol

from backend.store.base import Store
from backend.store.db import read_only_connection
from backend.store.postgres import PostgresStore, to_pyformat


class Reader(Protocol):
    def query(
        self, sql: str, params: Sequence[Any] | dict[str, Any] = ()
    ) -> list[dict[str, Any]]: ...

    def one(
        self, sql: str, params: Sequence[Any] | dict[str, Any] = ()
    ) -> dict[str, Any] | None: ...

    def scalar(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> Any: ...

    def cursor(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> sqlite3.Cursor: ...


class ReadOnlyConnection:
    """A private read-only connection to the store file (one thread at a time)."""

    def __init__(self, path: str) -> None:
        self.conn = read_only_connection(path)
        self.conn.row_factory = sqlite3.Row

    def query(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> list[dict[str, Any]]:
        return [dict(row) for row in self.conn.execute(sql, params)]

    def one(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> dict[str, Any] | None:
        row = self.conn.execute(sql, params).fetchone()
        return dict(row) if row is not None else None

    def scalar(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> Any:
        row = self.conn.execute(sql, params).fetchone()
        return row[0] if row is not None else None

    def cursor(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> sqlite3.Cursor:
        return self.conn.execute(sql, params)

    def close(self) -> None:
        self.conn.close()


class _SharedReader:
    """Reads an in-memory store through its own connection, under its lock."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def query(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> list[dict[str, Any]]:
        return self.store.query(sql, params)

    def one(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> dict[str, Any] | None:
        return self.store.one(sql, params)

    def scalar(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> Any:
        return self.store.scalar(sql, params)

    def cursor(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> sqlite3.Cursor:
        # materialise under the lock: the shared connection may be used by another thread
        rows = self.store.query(sql, params)
        return _ListCursor(rows)  # type: ignore[return-value]


class _ListCursor:
    def __init__(self, rows: list[dict[str, Any]]) -> None:
        self._rows = rows
        self._pos = 0

    def fetchmany(self, size: int) -> list[dict[str, Any]]:
        chunk = self._rows[self._pos : self._pos + size]
        self._pos += len(chunk)
        return chunk


class _ServerReader:
    """Reads one report on PostgreSQL inside a read-only transaction: it sees one
    snapshot and never waits for a writer (the same promise WAL gives on SQLite)."""

    def __init__(self, conn: Any) -> None:
        self.conn = conn

    def query(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> list[dict[str, Any]]:
        cur = self.conn.execute(to_pyformat(sql), params)
        names = [d.name for d in cur.description or ()]
        return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]

    def one(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> dict[str, Any] | None:
        rows = self.query(sql, params)
        return rows[0] if rows else None

    def scalar(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> Any:
        row = self.conn.execute(to_pyformat(sql), params).fetchone()
        return row[0] if row is not None else None

    def cursor(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> Any:
        # a server-side cursor: a large export streams in batches
        from psycopg.rows import dict_row

        cur = self.conn.cursor(name="report", row_factory=dict_row)
        cur.execute(to_pyformat(sql), params)
        return cur


@contextmanager
def reading(store: Store) -> Iterator[Reader]:
    """A reader for one report; closed when the block ends."""
    if isinstance(store, PostgresStore):
        with store.read_only() as conn:
            yield _ServerReader(conn)
        return
    if store.path == ":memory:":
        yield _SharedReader(store)
        return
    reader = ReadOnlyConnection(store.path)
    try:
        yield reader
    finally:
        reader.close()
