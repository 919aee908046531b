"""The one way the GUI runs backend work: an operation off the GUI thread, then its
success or failure callback back on the GUI thread (after Anki's ``taskman``).

Two executors: a single thread for database work (SQLite writes are serialised anyway,
and one thread keeps them in order) and a small pool for network calls (Stripe, a PSP,
SMTP, a remote store server), so a slow network never delays a local write.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

from PySide6.QtCore import QObject, Signal

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
        self._db = ThreadPoolExecutor(max_workers=1, thread_name_prefix="autoos-db")
        self._net = ThreadPoolExecutor(max_workers=network_workers, thread_name_prefix="autoos-net")
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
        return self._submit(self._db, op, on_success, on_failure)

    def run_net(
        self,
        op: Callable[[], T],
        on_success: Callable[[T], Any] | None = None,
        on_failure: Callable[[Exception], Any] | None = None,
    ) -> Future[T]:
        """Network work (Stripe, PSP, SMTP, remote server) on the pool."""
        return self._submit(self._net, op, on_success, on_failure)

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
        self._db.shutdown(wait=wait)
        self._net.shutdown(wait=wait, cancel_futures=True)
