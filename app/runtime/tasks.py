"""The one way the GUI runs backend work: an operation off the GUI thread, then its
success or failure callback back on the GUI thread (after Anki's ``taskman``).

Two executors: a single thread for database work (SQLite writes are serialised anyway,
and one thread keeps them in order) and a small pool for network calls (Stripe, a PSP,
SMTP, a remote store server), so a slow network never delays a local write.

Lifetimes (why the code below is shaped as it is):

* Everything Python-side a task holds — the operation, its callbacks, and through their
  closures the widgets they belong to — lives in a table owned by the GUI thread. A
  worker thread borrows the operation, runs it and lets go; the signal it sends back
  carries only the task's number. So the last reference to a widget is never dropped on
  a worker thread (that would destroy it there, which crashes Qt).
* A callback is delivered only while its owner (the ``QObject`` the callback belongs
  to, found from a bound method or a closure, or given as ``owner=``) still exists and
  its window has not closed for good (:mod:`app.runtime.lifecycle`). Otherwise it is dropped.
* After :meth:`TaskRunner.shutdown`, new work is dropped quietly and queued work is
  discarded; nothing is raised into Qt's event loop. Database work already queued runs
  to the end first: a sale being written is never cut short.
"""

from __future__ import annotations

import itertools
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from PySide6.QtCore import QObject, Signal

from app.runtime.lifecycle import is_closed

if TYPE_CHECKING:
    from concurrent.futures import ThreadPoolExecutor

T = TypeVar("T")
log = logging.getLogger(__name__)

_NOT_RUN = object()


@dataclass
class _Task:
    op: Callable[[], Any]
    on_success: Callable[[Any], Any] | None
    on_failure: Callable[[Exception], Any] | None
    owner: QObject | None
    result: Any = _NOT_RUN
    error: BaseException | None = None


class TaskRunner(QObject):
    """Runs operations in the background and delivers results on the GUI thread."""

    #: a task finished (its number); emitted on worker threads, queued to the GUI thread
    _finished = Signal(int)
    #: number of operations still running (drives busy indicators and progress)
    busy_changed = Signal(int)
    #: an operation failed and had no failure callback of its own
    failed = Signal(Exception)

    def __init__(self, parent: QObject | None = None, network_workers: int = 4) -> None:
        super().__init__(parent)
        # the pools (and concurrent.futures) start with the first operation of each kind:
        # the staff window's first paint does not wait for them (benchmarks/startup.py)
        self._pools: dict[str, ThreadPoolExecutor] = {}
        self._sizes = {"autoos-db": 1, "autoos-net": network_workers}
        self._tasks: dict[int, _Task] = {}
        self._lock = threading.Lock()  # guards _tasks against a worker's lookup
        self._numbers = itertools.count(1)
        self._closed = False
        # emitted only on worker threads, so Qt queues each to this object's (the GUI)
        # thread: a callback never runs inside run_db()/run_net()
        self._finished.connect(self._deliver)

    @property
    def running(self) -> int:
        """Operations submitted whose answer has not been handled yet."""
        return len(self._tasks)

    @property
    def is_shut_down(self) -> bool:
        return self._closed

    def run_db(
        self,
        op: Callable[[], T],
        on_success: Callable[[T], Any] | None = None,
        on_failure: Callable[[Exception], Any] | None = None,
        *,
        owner: QObject | None = None,
    ) -> None:
        """Database work, in submission order, on the one database thread."""
        self._submit("autoos-db", op, on_success, on_failure, owner)

    def run_net(
        self,
        op: Callable[[], T],
        on_success: Callable[[T], Any] | None = None,
        on_failure: Callable[[Exception], Any] | None = None,
        *,
        owner: QObject | None = None,
    ) -> None:
        """Network work (Stripe, PSP, SMTP, remote server) on the pool."""
        self._submit("autoos-net", op, on_success, on_failure, owner)

    def call(
        self,
        operation: Callable[..., T],
        *args: Any,
        on_success: Callable[[T], Any] | None = None,
        on_failure: Callable[[Exception], Any] | None = None,
        owner: QObject | None = None,
        **kwargs: Any,
    ) -> None:
        """Run one operation of the application interface with these arguments, on the
        pool its declaration names: the network pool if it may wait on Stripe, a PSP or
        SMTP (or a remote store server), else the database thread."""
        from backend.interface import operation_of

        declared = operation_of(operation)
        remote = getattr(getattr(operation, "__self__", None), "remote", False)
        network = remote or (declared is not None and declared.network)
        pool = "autoos-net" if network else "autoos-db"
        self._submit(pool, lambda: operation(*args, **kwargs), on_success, on_failure, owner)

    def _pool(self, name: str) -> ThreadPoolExecutor:
        pool = self._pools.get(name)
        if pool is None:
            from concurrent.futures import ThreadPoolExecutor

            pool = ThreadPoolExecutor(max_workers=self._sizes[name], thread_name_prefix=name)
            self._pools[name] = pool
        return pool

    def _submit(
        self,
        pool: str,
        op: Callable[[], Any],
        on_success: Callable[[Any], Any] | None,
        on_failure: Callable[[Exception], Any] | None,
        owner: QObject | None,
    ) -> None:
        if self._closed:
            # a timer or a late click after shut-down: nothing will run it, nobody waits
            log.debug("task runner shut down: dropped %r", op)
            return
        number = next(self._numbers)
        with self._lock:
            self._tasks[number] = _Task(
                op, on_success, on_failure, owner or owner_of(on_success, on_failure)
            )
        self.busy_changed.emit(len(self._tasks))
        self._pool(pool).submit(self._work, number)

    def _work(self, number: int) -> None:
        """On a worker thread: run the task's operation, keep its outcome in the table."""
        with self._lock:
            task = self._tasks.get(number)
        if task is None:
            return  # discarded by shutdown
        try:
            task.result = task.op()
        except BaseException as exc:  # handed to the GUI thread, which decides
            task.error = exc
        # drop this thread's reference before announcing: the table holds the last one
        del task
        self._finished.emit(number)

    def _deliver(self, number: int) -> None:
        """On the GUI thread: take the task out of the table and call its callback."""
        with self._lock:
            task = self._tasks.pop(number, None)
        if task is None:
            return
        self.busy_changed.emit(len(self._tasks))
        if self._closed or (task.owner is not None and is_closed(task.owner)):
            log.debug("answer dropped: its window is gone (%r)", task.op)
            return
        if task.error is not None:
            if not isinstance(task.error, Exception):
                raise task.error  # KeyboardInterrupt, SystemExit: not ours to swallow
            if task.on_failure is not None:
                task.on_failure(task.error)
            else:
                log.error("background operation failed: %s", task.error)
                self.failed.emit(task.error)
        elif task.on_success is not None:
            task.on_success(task.result)

    def shutdown(self) -> None:
        """Stop accepting work. Queued database work runs to the end (writes must
        complete); queued network work is discarded; running work finishes. Answers not
        yet delivered are dropped, and their references released here, on this thread."""
        self._closed = True
        db, net = self._pools.pop("autoos-db", None), self._pools.pop("autoos-net", None)
        if net is not None:
            net.shutdown(wait=False, cancel_futures=True)
        if db is not None:
            db.shutdown(wait=True)
        if net is not None:
            net.shutdown(wait=True)
        with self._lock:
            dropped, self._tasks = self._tasks, {}
        dropped.clear()
        self.busy_changed.emit(0)


def owner_of(*callbacks: Callable[..., Any] | None) -> QObject | None:
    """The ``QObject`` a callback belongs to: a bound method's object, or the first
    ``QObject`` a closure holds (``lambda rows: self._show(rows)`` belongs to ``self``)."""
    for callback in callbacks:
        if callback is None:
            continue
        target = getattr(callback, "__self__", None)
        if isinstance(target, QObject):
            return target
        for cell in getattr(callback, "__closure__", None) or ():
            try:
                value = cell.cell_contents
            except ValueError:  # an empty cell
                continue
            if isinstance(value, QObject):
                return value
    return None
