"""The SQLite engine: opening the store file and running one transaction per change.

Pragmas are fixed here because money depends on them: WAL (readers never block the
writer), ``foreign_keys=ON``, a busy timeout so two processes queue instead of failing,
and ``synchronous=FULL`` so a committed payment survives a power cut. Writers take the
lock up front (``BEGIN IMMEDIATE``) so two processes never deadlock upgrading a read.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path

from backend.errors import ConstraintViolation, StoreClosed, StoreError
from backend.store.base import Params, Scope, Store
from backend.store.writer_queue import WriterQueue


def is_postgres_url(target: str) -> bool:
    return target.startswith(("postgresql://", "postgres://"))


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


class SqliteStore(Store):
    """One writing connection to the store file, shared by the threads of one process.

    Writes and a thread's reads inside its transaction go through a re-entrant lock: the
    GUI runs database work on a single serialized executor, the CLI and API call in
    directly. Every write transaction takes the file's one write lock up front, whatever
    its ``scope``. A ``SELECT`` outside the calling thread's transaction borrows a
    read-only connection instead (WAL: it sees the last commit and never waits for the
    writer), so an API request's token lookup or a screen's list does not queue behind
    another thread's commit and its fsync.
    """

    engine = "sqlite"

    def __init__(self, path: str | Path) -> None:
        super().__init__()
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
        self._lock = threading.RLock()
        self._depth = 0
        self._owner = 0  # the thread whose transaction is open (while _depth > 0)
        self._readers: list[sqlite3.Connection] = []  # idle read-only connections
        self._readers_lock = threading.Lock()
        self._closed = False
        # the write turn across processes (an in-memory store has no other process)
        self._writers = WriterQueue(self.path) if self.path != ":memory:" else _Alone()

    @contextmanager
    def transaction(self, scope: Scope = None) -> Iterator[None]:
        with self._lock:
            if self._depth:
                self._depth += 1
                try:
                    yield
                finally:
                    self._depth -= 1
                return
            with self._writers.turn(BUSY_TIMEOUT_MS / 1000):
                try:
                    self.conn.execute("BEGIN IMMEDIATE")
                except sqlite3.OperationalError as exc:
                    raise StoreError(f"The database is busy or read-only: {exc}") from None
                self._depth, self._owner = 1, threading.get_ident()
                try:
                    yield
                except BaseException:
                    if self.conn.in_transaction:
                        self.conn.execute("ROLLBACK")
                    raise
                else:
                    self.conn.execute("COMMIT")
                finally:
                    self._depth = 0
            self._committed()

    @contextmanager
    def savepoint(self) -> Iterator[None]:
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

    @property
    def in_transaction(self) -> bool:
        """Whether *this thread* is inside a transaction (the connection is shared, and
        another thread's open transaction is one to wait for, not to join)."""
        return self._depth > 0 and self._owner == threading.get_ident()

    def execute(self, sql: str, params: Params = ()) -> sqlite3.Cursor:
        with self._lock:
            try:
                return self.conn.execute(sql, params)
            except sqlite3.IntegrityError as exc:
                raise ConstraintViolation(_kind(str(exc)), str(exc)) from None
            except sqlite3.ProgrammingError as exc:
                if "closed" in str(exc):
                    raise StoreClosed(str(exc)) from None
                raise

    def executemany(self, sql: str, rows: Sequence[Params]) -> None:
        with self._lock:
            try:
                self.conn.executemany(sql, rows)
            except sqlite3.IntegrityError as exc:
                raise ConstraintViolation(_kind(str(exc)), str(exc)) from None

    def _fetch(self, sql: str, params: Params) -> tuple[list[str], list[tuple]]:
        if self.path != ":memory:" and not self.in_transaction and _is_select(sql):
            return self._read(sql, params)
        # fetched under the lock: a cursor must not be stepped by one thread while
        # another uses the connection (Python's sqlite3 can crash)
        with self._lock:
            cur = self.execute(sql, params)
            rows = [tuple(row) for row in cur.fetchall()]
            return [d[0] for d in cur.description or ()], rows

    def _read(self, sql: str, params: Params) -> tuple[list[str], list[tuple]]:
        """One ``SELECT`` on a borrowed read-only connection, returned after it (at most
        :data:`IDLE_READERS` are kept; a burst of readers opens more and closes them)."""
        with self._readers_lock:
            if self._closed:
                raise StoreClosed("Cannot operate on a closed database.")
            conn = self._readers.pop() if self._readers else None
        try:
            if conn is None:
                conn = read_only_connection(self.path)
            cur = conn.execute(sql, params)
            rows = cur.fetchall()
            return [d[0] for d in cur.description or ()], rows
        finally:
            with self._readers_lock:
                keep = conn is not None and not self._closed
                if keep and len(self._readers) < IDLE_READERS:
                    self._readers.append(conn)  # type: ignore[arg-type]
                elif conn is not None:
                    conn.close()

    def table_names(self) -> list[str]:
        rows = self.fetchall(
            "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' "
            "ORDER BY name"
        )
        return [row[0] for row in rows]

    def close(self) -> None:
        with self._readers_lock:
            self._closed = True
            readers, self._readers = self._readers, []
        for reader in readers:
            reader.close()
        with self._lock:
            self.conn.close()
            self._writers.close()


#: read-only connections a store keeps open between reads (the API's threads, a screen)
IDLE_READERS = 8


def _is_select(sql: str) -> bool:
    return sql.lstrip()[:6].upper() == "SELECT"


def read_only_connection(path: str) -> sqlite3.Connection:
    """A connection that can only read the store file (``query_only``), with the
    writer's busy timeout (a reader waits only while a checkpoint resets the WAL)."""
    uri = Path(path).resolve().as_uri() + "?mode=ro"
    try:
        conn = sqlite3.connect(
            uri,
            uri=True,
            isolation_level=None,
            check_same_thread=False,
            timeout=BUSY_TIMEOUT_MS / 1000,
        )
        conn.execute("PRAGMA query_only=ON")
    except sqlite3.Error as exc:
        raise StoreError(f"Cannot read the database {path}: {exc}") from None
    return conn


class _Alone:
    """The write turn of an in-memory store: nobody else can write to it."""

    def turn(self, timeout: float) -> AbstractContextManager[None]:
        return nullcontext()

    def close(self) -> None:
        pass


def _kind(message: str) -> str:
    """Which rule a SQLite integrity error broke, from its message."""
    for marker, kind in (
        ("UNIQUE", "unique"),
        ("FOREIGN KEY", "foreign_key"),
        ("CHECK", "check"),
        ("NOT NULL", "not_null"),
    ):
        if marker in message:
            return kind
    return "rule"  # RAISE(ABORT, …) from a guard trigger


def open_store(target: str | Path, *, migrate: bool = True) -> Store:
    """Open (creating if needed) the store and bring its schema up to date: a
    ``postgresql://`` URL opens the PostgreSQL engine, anything else is a SQLite file."""
    store: Store
    if is_postgres_url(str(target)):
        from backend.store.postgres import PostgresStore

        store = PostgresStore(str(target))
    elif "://" in str(target):
        scheme = str(target).split("://", 1)[0]
        raise StoreError(
            f"A {scheme}:// database is not supported: give a file path (SQLite) or a "
            "postgresql://user@host/name URL."
        )
    else:
        store = SqliteStore(target)
    if migrate:
        from backend.store.migrations import apply_migrations

        try:
            apply_migrations(store)
        except BaseException:
            store.close()
            raise
    return store
