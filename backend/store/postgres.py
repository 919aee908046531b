"""The PostgreSQL engine: the same store on a server, for a chain of shops and for usage
traffic that outgrows one file.

Connections come from a psycopg pool; a thread holds one for the length of its
transaction. SQL arrives with SQLite's parameter markers and is rewritten once per text.

Locking (what SQLite's single writer gave for free, written down in docs/decisions.md):
every write transaction takes the store lock as a PostgreSQL advisory lock, held until
commit. A whole-store transaction takes it exclusively, so it runs alone, as on SQLite.
A transaction scoped to one customer (usage events) takes it shared, plus that
customer's own lock: writers for different customers run side by side, and a
whole-store writer still excludes them all. Locks are always taken in that order, so
two writers never deadlock. Uniqueness (event ids, Stripe event ids, idempotency keys)
stays with the constraints, and the "balance never below zero" guard is a trigger.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache
from typing import Any

from backend.errors import ConstraintViolation, StoreClosed, StoreError
from backend.store.base import Params, Scope, Store

#: advisory lock keys (64-bit): the store, and one per customer under it
STORE_LOCK = 0x4155_544F_4F53  # "AUTOOS"
SCOPE_KINDS = {"customer": 1}
#: connections kept open (made in the background at start): a request never waits for
#: PostgreSQL to start a backend for it, which takes hundreds of ms on a busy server
POOL_MIN = 4
POOL_MAX = 8
CONNECT_SECONDS = 10.0

_SQLSTATE_KIND = {"23505": "unique", "23503": "foreign_key", "23514": "check", "23502": "not_null"}
_PASSWORD = re.compile(r"^([a-z]+://[^:/@?]*:)[^/?#]*@")
_PASSWORD_PARAM = re.compile(r"([?&]password=)[^&]*", re.IGNORECASE)
_TOKEN = re.compile(r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|::|\?|:[A-Za-z_]\w*|%")


@lru_cache(maxsize=2048)
def to_pyformat(sql: str) -> str:
    """``?`` → ``%s`` and ``:name`` → ``%(name)s`` outside quoted text, and every ``%``
    (quoted or not) → ``%%``; the statement is then always run with its parameters, even
    none, so psycopg reads it the same way every time."""

    def swap(match: re.Match[str]) -> str:
        part = match.group(0)
        if part == "?":
            return "%s"
        if part == "%":
            return "%%"
        if part.startswith(":") and part != "::":
            return f"%({part[1:]})s"
        return part.replace("%", "%%")  # a quoted string or name, or "::"

    return _TOKEN.sub(swap, sql)


def public_url(url: str) -> str:
    """The URL without its password, for messages and the ``about`` command (text
    surgery, not parsing: a URL bad enough to refuse must still be shown safely)."""
    return _PASSWORD_PARAM.sub(r"\1***", _PASSWORD.sub(r"\1***@", url))


class _Result:
    """A statement's answer, read in full before its connection goes back to the pool."""

    def __init__(self, rowcount: int, columns: list[str], rows: list[tuple]) -> None:
        self.rowcount = rowcount
        self.columns = columns
        self.rows = rows

    def fetchone(self) -> tuple | None:
        return self.rows[0] if self.rows else None

    def fetchall(self) -> list[tuple]:
        return self.rows


def _first_line(exc: Exception) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _translate(exc: Exception) -> Exception:
    """A psycopg error as the store's own: constraint, closed, or unreachable."""
    import psycopg

    message = _first_line(exc)
    if isinstance(exc, psycopg.errors.IntegrityError):
        return ConstraintViolation(_SQLSTATE_KIND.get(exc.sqlstate or "", "rule"), message)
    if isinstance(exc, psycopg.errors.RaiseException):
        return ConstraintViolation("rule", message)
    if isinstance(exc, psycopg.OperationalError):
        return StoreError(f"The PostgreSQL server is unreachable or refused: {message}")
    return exc


@contextmanager
def _translated() -> Iterator[None]:
    """psycopg's errors raised as the store's own (others pass unchanged)."""
    try:
        yield
    except StoreError:
        raise
    except Exception as exc:
        translated = _translate(exc)
        if translated is exc:
            raise
        raise translated from None


def _configure(conn: Any) -> None:
    """Values travel as they do with SQLite: a Python bool is stored as 0 or 1 (flag
    columns are integers); a whole NUMERIC (``SUM`` of BIGINT money) comes back as
    ``int``, never ``Decimal``; a fractional one (``AVG``) as ``float``."""
    from psycopg.adapt import Dumper, Loader

    class BoolAsInteger(Dumper):
        oid = conn.adapters.types["int8"].oid

        def dump(self, obj: bool) -> bytes:
            return b"1" if obj else b"0"

    class WholeOrFloat(Loader):
        def load(self, data: Any) -> int | float:
            text = bytes(data).decode()
            return int(text) if text.lstrip("-").isdigit() else float(text)

    conn.adapters.register_loader("numeric", WholeOrFloat)
    conn.adapters.register_dumper(bool, BoolAsInteger)


class PostgresStore(Store):
    engine = "postgresql"

    def __init__(self, url: str, *, pool_max: int = POOL_MAX) -> None:
        super().__init__()
        self.path = public_url(url)
        try:
            import psycopg
            from psycopg_pool import ConnectionPool
        except ImportError:  # pragma: no cover - the package is a dependency
            raise StoreError("PostgreSQL needs the psycopg package: pip install psycopg") from None
        try:
            # one plain connection first: its error says what is wrong (no such
            # database, wrong password, nothing listening), where a pool only times out
            psycopg.connect(url, connect_timeout=int(CONNECT_SECONDS)).close()
        except psycopg.ProgrammingError as exc:
            raise StoreError(f"The database URL {self.path} is not valid: {exc}") from None
        except psycopg.Error as exc:
            detail = _first_line(exc).removeprefix("connection failed: ")
            raise StoreError(f"Cannot reach the database {self.path}: {detail}") from None
        self._pool = ConnectionPool(
            url,
            configure=_configure,
            min_size=min(POOL_MIN, pool_max),
            max_size=pool_max,
            kwargs={"autocommit": True, "connect_timeout": int(CONNECT_SECONDS)},
            open=True,
            name="autoos-store",
        )
        self._local = threading.local()
        self._closed = False

    # -- the thread's transaction ----------------------------------------------------
    @property
    def _depth(self) -> int:
        return getattr(self._local, "depth", 0)

    @property
    def in_transaction(self) -> bool:
        return self._depth > 0

    @contextmanager
    def transaction(self, scope: Scope = None) -> Iterator[None]:
        if self._depth:  # joins the outer transaction, and its locks
            self._local.depth += 1
            try:
                yield
            finally:
                self._local.depth -= 1
            return
        with self._connection() as conn:
            try:
                conn.execute(f"BEGIN; {self._locks(scope)}")  # one round trip
            except Exception as exc:
                conn.rollback()
                raise _translate(exc) from None
            self._local.conn, self._local.depth = conn, 1
            try:
                yield
            except BaseException:
                conn.rollback()
                raise
            else:
                try:
                    conn.commit()
                except Exception as exc:
                    raise _translate(exc) from None
            finally:
                self._local.conn, self._local.depth = None, 0
        self._committed()  # the connection is back in the pool: a listener may read

    @staticmethod
    def _locks(scope: Scope) -> str:
        """The statement that takes a transaction's locks. Its numbers are written into
        the text (they are ints, made here), so that it can follow ``BEGIN`` in one
        simple query: one round trip, where parameters would need two."""
        if scope is None:
            return f"SELECT pg_advisory_xact_lock({int(STORE_LOCK)})"
        kind, keys = scope
        wanted = ",".join(str((SCOPE_KINDS[kind] << 56) | int(key)) for key in sorted(set(keys)))
        # the store shared, then the customers in ascending order, in one statement: two
        # batches never wait on each other in a circle
        return (
            f"SELECT pg_advisory_xact_lock_shared({int(STORE_LOCK)}), "
            "(SELECT count(pg_advisory_xact_lock(k)) "
            f"FROM (SELECT unnest(ARRAY[{wanted}]::bigint[]) AS k ORDER BY 1) AS wanted)"
        )

    @contextmanager
    def savepoint(self) -> Iterator[None]:
        if not self._depth:
            raise RuntimeError("a savepoint runs inside a transaction")
        conn = self._local.conn
        conn.execute("SAVEPOINT part")
        try:
            yield
        except BaseException:
            conn.execute("ROLLBACK TO SAVEPOINT part")
            conn.execute("RELEASE SAVEPOINT part")
            raise
        conn.execute("RELEASE SAVEPOINT part")

    @contextmanager
    def _connection(self) -> Iterator[Any]:
        """The thread's transaction connection, or one borrowed from the pool."""
        if self._depth:
            yield self._local.conn
            return
        if self._closed:
            raise StoreClosed("the store is closed")
        with _translated(), self._pool.connection(timeout=CONNECT_SECONDS * 3) as conn:
            yield conn

    # -- statements ------------------------------------------------------------------
    def execute(self, sql: str, params: Params = ()) -> _Result:
        with self._connection() as conn, _translated():
            cur = conn.execute(to_pyformat(sql), params)
            columns = [d.name for d in cur.description or ()]
            rows = [tuple(r) for r in cur.fetchall()] if cur.description else []
            return _Result(cur.rowcount, columns, rows)

    def executemany(self, sql: str, rows: Sequence[Params]) -> None:
        """Every row in one pipeline: one round trip for the lot, not one a row (a single
        row goes as one statement, which costs less than a pipeline's own exchanges)."""
        if len(rows) == 1:
            self.execute(sql, rows[0])
            return
        with self._connection() as conn, _translated():
            conn.cursor().executemany(to_pyformat(sql), rows)

    def _fetch(self, sql: str, params: Params) -> tuple[list[str], list[tuple]]:
        result = self.execute(sql, params)
        return result.columns, result.rows

    def table_names(self) -> list[str]:
        rows = self.fetchall(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename"
        )
        return [row[0] for row in rows]

    @contextmanager
    def read_only(self) -> Iterator[Any]:
        """A connection in a read-only transaction, for one long report."""
        if self._depth:
            raise RuntimeError("a report reads outside the change's transaction")
        with self._connection() as conn:
            conn.execute("BEGIN READ ONLY")
            try:
                yield conn
            finally:
                conn.rollback()

    def close(self) -> None:
        self._closed = True
        self._pool.close()
