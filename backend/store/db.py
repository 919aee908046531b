"""Opening the SQLite file and running one transaction per state change.

Pragmas are fixed here because money depends on them: WAL (readers never block the
writer), ``foreign_keys=ON``, a busy timeout so two processes queue instead of failing,
and ``synchronous=FULL`` so a committed payment survives a power cut. Writers take the
lock up front (``BEGIN IMMEDIATE``) so two processes never deadlock upgrading a read.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from backend.errors import StoreError

if TYPE_CHECKING:
    import sqlite_utils

BUSY_TIMEOUT_MS = 30_000
PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA foreign_keys=ON",
    f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}",
    "PRAGMA synchronous=FULL",
)


def _create_private(path: Path) -> None:
    """Create the database file readable and writable by its owner only (0600)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        os.close(fd)


class Store:
    """One connection to the store file, shared by the threads of one process.

    All access goes through a re-entrant lock: the GUI runs database work on a single
    serialized executor, the CLI and API call in directly. :meth:`transaction` opens one
    write transaction; nested calls join the outer one, so service functions compose.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        try:
            if self.path != ":memory:":
                _create_private(Path(self.path))
            self.conn = sqlite3.connect(
                self.path,
                isolation_level=None,
                check_same_thread=False,
                timeout=BUSY_TIMEOUT_MS / 1000,
            )
            for pragma in PRAGMAS:
                self.conn.execute(pragma)
        except sqlite3.Error as exc:
            raise StoreError(f"Cannot open the database {self.path}: {exc}") from None
        self.conn.row_factory = sqlite3.Row
        self._db: sqlite_utils.Database | None = None
        self._lock = threading.RLock()
        self._depth = 0
        #: called (outside the lock) after each commit of this connection
        self._on_commit: list[Callable[[], None]] = []

    @property
    def db(self) -> sqlite_utils.Database:
        """The sqlite-utils view of the connection, made on first use: importing
        sqlite-utils costs more than the rest of start-up, and reads do not need it."""
        with self._lock:
            if self._db is None:
                import sqlite_utils

                self._db = sqlite_utils.Database(self.conn)
            return self._db

    @contextmanager
    def transaction(self) -> Iterator[sqlite_utils.Database]:
        """One atomic write: commits on success, rolls back everything on any error."""
        with self._lock:
            if self._depth:
                self._depth += 1
                try:
                    yield self.db
                finally:
                    self._depth -= 1
                return
            try:
                self.conn.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as exc:
                raise StoreError(f"The database is busy or read-only: {exc}") from None
            self._depth = 1
            try:
                yield self.db
            except BaseException:
                if self.conn.in_transaction:
                    self.conn.execute("ROLLBACK")
                raise
            else:
                self.conn.execute("COMMIT")
                for listener in list(self._on_commit):
                    listener()  # e.g. wake the payment feed: it reads after the lock
            finally:
                self._depth = 0

    @contextmanager
    def savepoint(self) -> Iterator[None]:
        """A part of the current transaction that may fail on its own: on any error its
        writes are undone and the error goes on, while the outer transaction continues
        (a statement import reports the bad line and applies the others)."""
        with self._lock:
            if not self._depth:
                raise RuntimeError("a savepoint runs inside a transaction")
            self.conn.execute("SAVEPOINT part")
            try:
                yield
            except BaseException:
                self.conn.execute("ROLLBACK TO part")
                self.conn.execute("RELEASE part")
                raise
            self.conn.execute("RELEASE part")

    def on_commit(self, listener: Callable[[], None]) -> Callable[[], None]:
        """Call ``listener`` after every commit made through this store; returns the
        function that stops it. A listener must be quick and must not write."""
        self._on_commit.append(listener)
        return lambda: self._on_commit.remove(listener)

    @property
    def in_transaction(self) -> bool:
        return self._depth > 0

    def execute(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> sqlite3.Cursor:
        with self._lock:
            return self.conn.execute(sql, params)

    def fetchone(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> tuple | None:
        """One row as a tuple, fetched under the lock (a cursor must not be stepped by
        one thread while another uses the connection: Python's sqlite3 can crash)."""
        with self._lock:
            row = self.conn.execute(sql, params).fetchone()
            return tuple(row) if row is not None else None

    def fetchall(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> list[tuple]:
        """Every row as a tuple, fetched under the lock (see :meth:`fetchone`)."""
        with self._lock:
            return [tuple(row) for row in self.conn.execute(sql, params).fetchall()]

    def query(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> list[dict[str, Any]]:
        """Rows as plain dicts (safe to hand to another thread)."""
        with self._lock:
            return [dict(row) for row in self.conn.execute(sql, params)]

    def one(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> dict[str, Any] | None:
        with self._lock:
            row = self.conn.execute(sql, params).fetchone()
            return dict(row) if row is not None else None

    def scalar(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> Any:
        with self._lock:
            row = self.conn.execute(sql, params).fetchone()
            return row[0] if row is not None else None

    def close(self) -> None:
        with self._lock:
            self.conn.close()


def open_store(path: str | Path, *, migrate: bool = True) -> Store:
    """Open (creating if needed) the store and bring its schema up to date."""
    store = Store(path)
    if migrate:
        from backend.store.migrations import apply_migrations

        apply_migrations(store)
    return store
