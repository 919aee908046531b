"""How Qt objects end: on the GUI thread, with their timers stopped, never by accident.

Four rules, each kept in one place here so every window follows them:

* **Garbage is collected on the GUI thread only.** Python's cyclic collector runs in
  whichever thread happens to allocate; a cycle holding a widget collected in a worker
  thread destroys that widget off the GUI thread, which crashes Qt (a segfault inside
  "Garbage-collecting"). :class:`GuiThreadCollector` turns the automatic collector off
  and collects from a timer on the GUI thread instead, by the same thresholds.
* **A window that closes stops its timers** (debounce, countdown, polling, idle) and is
  marked closed, so background answers meant for it are dropped by the task runner
  instead of being delivered to a page nobody sees (:func:`close_down`).
* **A window that closes stops listening**: what it subscribed to outside Qt (the
  backend's payment changes, heard on a feed or stream thread) is a :class:`Listening`
  child, ended by :func:`close_down` — or when it is deleted — so no background thread
  keeps calling into a window that is gone.
* **A page taken out of a window is deleted later, on the GUI thread** (:func:`retire`):
  not left for Python to free from whichever thread drops the last reference.
"""

from __future__ import annotations

import gc
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QWidget

#: dynamic property set on a top-level window that has closed for good
CLOSED = "autoosClosed"


class GuiThreadCollector(QObject):
    """Runs Python's cyclic garbage collector from the GUI thread's event loop.

    Reference counting still frees most objects at once; only cycles wait for a tick.
    One per process: :func:`install_collector` keeps it.
    """

    INTERVAL_MS = 500

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.thresholds = gc.get_threshold()
        self.timer = QTimer(self)
        self.timer.setInterval(self.INTERVAL_MS)
        self.timer.timeout.connect(self.check)

    def start(self) -> None:
        gc.disable()
        self.timer.start()

    def stop(self) -> None:
        """Collect once more here, then hand collection back to Python."""
        self.timer.stop()
        gc.collect()
        gc.enable()

    def check(self) -> None:
        """Collect the oldest generation whose count passed its threshold."""
        counts = gc.get_count()
        for generation in (2, 1, 0):
            if counts[generation] > self.thresholds[generation]:
                gc.collect(generation)
                return


_collector: GuiThreadCollector | None = None


def install_collector(app: QObject) -> GuiThreadCollector:
    """Start collecting on the GUI thread for the life of ``app`` (idempotent)."""
    global _collector
    if _collector is None or not _is_alive(_collector):
        _collector = GuiThreadCollector(app)
    if not _collector.timer.isActive():
        _collector.start()
    return _collector


class Listening(QObject):
    """A subscription to something outside Qt, owned by a window: ``end`` is called once,
    when the window closes for good (:func:`close_down`, :func:`retire`) or when this
    object is destroyed, whichever comes first."""

    def __init__(self, end: Callable[[], None], parent: QObject) -> None:
        super().__init__(parent)
        ended = [False]

        def end_once() -> None:
            if not ended[0]:
                ended[0] = True
                end()

        self._end = end_once
        # lambdas holding only the function, not the objects (called mid-destruction);
        # the owner's signal comes first: it is sent before its children are deleted
        parent.destroyed.connect(lambda *_a: end_once())
        self.destroyed.connect(lambda *_a: end_once())

    def end(self) -> None:
        self._end()


def end_listening(widget: QObject) -> None:
    """End every subscription the widget or any of its children owns."""
    for listening in widget.findChildren(Listening):
        listening.end()


def stop_timers(widget: QObject) -> None:
    """Stop every timer the widget or any of its children owns."""
    for timer in widget.findChildren(QTimer):
        timer.stop()


def close_down(window: QWidget) -> None:
    """A window is closing for good: stop its timers and what it listens to; answers
    for it are dropped."""
    stop_timers(window)
    end_listening(window)
    window.setProperty(CLOSED, True)


def retire(page: QWidget) -> None:
    """Take a page out of use: stop its timers, hide it, delete it on the GUI thread.

    Answers still on their way to it are dropped by the task runner once it is deleted.
    """
    close_down(page)
    page.hide()
    page.setParent(None)
    page.deleteLater()


def is_closed(owner: QObject) -> bool:
    """True when ``owner`` was deleted, or belongs to a window that closed for good."""
    if not _is_alive(owner):
        return True
    if isinstance(owner, QWidget):
        widget: QWidget | None = owner
        while widget is not None:
            if widget.property(CLOSED):
                return True
            widget = widget.parentWidget()
    return False


def _is_alive(obj: QObject) -> bool:
    from shiboken6 import Shiboken

    return Shiboken.isValid(obj)
