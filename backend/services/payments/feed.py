"""Payment changes as they happen, for the screens that show them.

The ``payment_events`` ledger is the feed: append-only, one row per change, numbered.
:class:`PaymentFeed` follows it from a background thread and calls its listeners with
each new :class:`PaymentChange` — at once for a change this process commits (the store
wakes it), and within :data:`CHECK_SECONDS` for one another process commits (another
till on the same file, the REST server, the command line). The in-process windows turn
the calls into Qt signals; the REST server streams them to remote screens
(``GET /payments/stream``). Nothing here decides anything; it only tells.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from backend.context import Context
from backend.domain.records import PaymentChange
from backend.errors import StoreClosed

log = logging.getLogger(__name__)

#: how often the feed looks for changes made by other processes
CHECK_SECONDS = 0.1
BATCH = 500


Listener = Callable[[PaymentChange], None]


class PaymentFeed:
    """Follows the ledger and tells each listener about new changes (on its thread)."""

    def __init__(self, ctx: Context, check_seconds: float = CHECK_SECONDS) -> None:
        self.ctx = ctx
        self.check_seconds = check_seconds
        self._listeners: dict[int, tuple[Listener, str | None]] = {}
        self._ids = 0
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._last = 0
        self._stop_hook: Callable[[], None] | None = None

    def subscribe(self, listener: Listener, terminal: str | None = None) -> Callable[[], None]:
        """Call ``listener`` with each change from now on (only ``terminal``'s payments
        when it is given); returns the function that unsubscribes."""
        with self._lock:
            if self._thread is None:
                self._start()
            self._ids += 1
            number = self._ids
            self._listeners[number] = (listener, terminal)

        def unsubscribe() -> None:
            with self._lock:
                self._listeners.pop(number, None)
                last = not self._listeners
            if last:
                self.close()  # nobody listens: the thread ends (the next listener starts it)

        return unsubscribe

    def since(self, event_id: int, terminal: str | None = None) -> list[PaymentChange]:
        """The changes after ``event_id`` (a stream resuming after a dropped connection)."""
        changes = self._read(event_id)
        return [c for c in changes if terminal is None or c["terminal"] == terminal]

    @property
    def last_event_id(self) -> int:
        return int(self.ctx.store.scalar("SELECT COALESCE(MAX(id), 0) FROM payment_events"))

    def close(self) -> None:
        """Stop following (before the store closes)."""
        with self._lock:
            thread, self._thread = self._thread, None
            hook, self._stop_hook = self._stop_hook, None
            self._stopping.set()
            self._wake.set()
        if hook is not None:
            hook()
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=5)

    # the thread ----------------------------------------------------------------------
    def _start(self) -> None:
        self._last = self.last_event_id
        self._stopping = stopping = threading.Event()
        self._stop_hook = self.ctx.store.on_commit(self._wake.set)
        self._thread = threading.Thread(
            target=self._run, args=(stopping,), name="payment-feed", daemon=True
        )
        self._thread.start()

    def _run(self, stopping: threading.Event) -> None:
        while not stopping.is_set():
            self._wake.wait(self.check_seconds)
            self._wake.clear()
            if stopping.is_set():
                break
            try:
                while True:
                    changes = self._read(self._last)
                    for change in changes:
                        self._last = change["event_id"]
                        self._tell(change)
                    if len(changes) < BATCH:
                        break
            except StoreClosed:  # the store was closed under us: nothing to follow
                return
            except Exception:  # a busy store: try again on the next tick
                log.exception("payment feed: could not read the ledger")

    def _tell(self, change: PaymentChange) -> None:
        with self._lock:
            listeners = list(self._listeners.values())
        for listener, terminal in listeners:
            if terminal is not None and change["terminal"] != terminal:
                continue
            try:
                listener(change)
            except Exception:  # one broken screen must not stop the others hearing
                log.exception("payment feed: a listener failed")

    def _read(self, after: int) -> list[PaymentChange]:
        rows = self.ctx.store.query(
            "SELECT e.id, e.payment_id, e.kind, e.at, p.status, p.method, p.terminal "
            "FROM payment_events e JOIN payments p ON p.id = e.payment_id "
            "WHERE e.id > ? ORDER BY e.id LIMIT ?",
            (after, BATCH),
        )
        return [
            {
                "event_id": row["id"],
                "payment_id": row["payment_id"],
                "kind": row["kind"],
                "status": row["status"],
                "method": row["method"],
                "terminal": row["terminal"],
                "at": row["at"],
            }
            for row in rows
        ]


_making = threading.Lock()


def feed_of(ctx: Context) -> PaymentFeed:
    """The context's one feed (made on first use; its thread starts with a listener)."""
    with _making:
        found = ctx.adapters.get("payment_feed")
        if found is None:
            found = ctx.adapters["payment_feed"] = PaymentFeed(ctx)
        return found
