"""The one way the GUI runs backend work: an operation off the GUI thread, then its
success or failure callback back on the GUI thread (after Anki's ``taskman``).

Two executors: a single thread for database work (SQLite writes are serialised anyway,
and one thread keeps them in order) and a small pool for network calls (Stripe, a PSP,
SMTP, a remote store server), so a slow network never delays a local write.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from PySide6.QtCore import QObject, Signal

if TYPE_CHECKING:
    from concurrent.futures import Future, ThreadPoolExecutor

T = TypeVar("T")
log = logging.getLogger(__name__)


class TaskRunner(QObject):
    """Runs operations in the background and delivers results as Qt signals."""

    #: carries a zero-argument callable to run on the GUI thread
    _deliver = Signal(object)
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
        self._running = 0
        self._closed = False
        # _deliver is emitted only on the worker threads, so Qt queues each delivery to
        # this object's (the GUI) thread: a callback never runs inside run_db()/run_net()
        self._deliver.connect(self._on_gui_thread)

    @property
    def running(self) -> int:
        return self._running

    def run_db(
        self,
        op: Callable[[], T],
        on_success: Callable[[T], Any] | None = None,
        on_failure: Callable[[Exception], Any] | None = None,
    ) -> Future[T]:
        """Database work, in submission order, on the one database thread."""
        return self._submit(self._pool("autoos-db"), op, on_success, on_failure)

    def run_net(
        self,
        op: Callable[[], T],
        on_success: Callable[[T], Any] | None = None,
        on_failure: Callable[[Exception], Any] | None = None,
    ) -> Future[T]:
        """Network work (Stripe, PSP, SMTP, remote server) on the pool."""
        return self._submit(self._pool("autoos-net"), op, on_success, on_failure)

    def _pool(self, name: str) -> ThreadPoolExecutor:
        pool = self._pools.get(name)
        if pool is None:
            if self._closed:
                raise RuntimeError("the task runner is shut down: no new work")
            from concurrent.futures import ThreadPoolExecutor

            pool = ThreadPoolExecutor(max_workers=self._sizes[name], thread_name_prefix=name)
            self._pools[name] = pool
        return pool

    def _submit(
        self,
        executor: ThreadPoolExecutor,
        op: Callable[[], T],
        on_success: Callable[[T], Any] | None,
        on_failure: Callable[[Exception], Any] | None,
    ) -> Future[T]:
        self._running += 1
        self.busy_changed.emit(self._running)

        def job() -> T:
            try:
                result = op()
            except BaseException as exc:
                self._post(lambda error=exc: self._finish(error, None, on_success, on_failure))
                raise
            self._post(lambda: self._finish(None, result, on_success, on_failure))
            return result

        return executor.submit(job)

    def _post(self, deliver: Callable[[], None]) -> None:
        """From a worker thread: run ``deliver`` on the GUI thread (unless shut down)."""
        if not self._closed:
            self._deliver.emit(deliver)

    def _on_gui_thread(self, fn: Callable[[], None]) -> None:
        fn()

    def _finish(
        self,
        exc: BaseException | None,
        result: Any,
        on_success: Callable[[Any], Any] | None,
        on_failure: Callable[[Exception], Any] | None,
    ) -> None:
        self._running -= 1
        self.busy_changed.emit(self._running)
        if exc is not None:
            if not isinstance(exc, Exception):
                raise exc
            if on_failure is not None:
                on_failure(exc)
            else:
                log.error("background operation failed: %s", exc)
                self.failed.emit(exc)
        elif on_success is not None:
            on_success(result)

    def shutdown(self, wait: bool = True) -> None:
        """Stop accepting work; let running operations finish (writes must complete)."""
        self._closed = True
        if "autoos-db" in self._pools:
            self._pools["autoos-db"].shutdown(wait=wait)
        if "autoos-net" in self._pools:
            self._pools["autoos-net"].shutdown(wait=wait, cancel_futures=True)
