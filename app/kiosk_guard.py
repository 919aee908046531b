"""The kiosk's guards: idle detection from input events, and the hidden admin gesture.

Idle time runs from the last input event anywhere in the application (an event filter
on the ``QApplication``), so typing, tapping or scrolling all keep the session alive.
The interval comes from ``settings.ui.kiosk_idle_seconds``; tests set it small.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QElapsedTimer, QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication, QWidget

INPUT_EVENTS = frozenset(
    {
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseButtonRelease,
        QEvent.Type.MouseMove,
        QEvent.Type.KeyPress,
        QEvent.Type.KeyRelease,
        QEvent.Type.TouchBegin,
        QEvent.Type.TouchUpdate,
        QEvent.Type.TouchEnd,
        QEvent.Type.Wheel,
        QEvent.Type.TabletPress,
        QEvent.Type.InputMethod,
    }
)


class IdleWatcher(QObject):
    """Emits ``idle`` after ``seconds`` without any input event in the application."""

    idle = Signal()

    def __init__(self, seconds: float, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(max(1, int(seconds * 1000)))
        self.timer.timeout.connect(self.idle)
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in INPUT_EVENTS and self.timer.isActive():
            self.timer.start()  # restart: idle time counts from this event
        return False

    def arm(self) -> None:
        """Start counting (when a customer session begins)."""
        self.timer.start()

    def disarm(self) -> None:
        self.timer.stop()

    def remove(self) -> None:
        self.timer.stop()
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)


class CornerTaps(QWidget):
    """An invisible square in a corner; ``taps`` quick taps on it emit ``triggered``."""

    triggered = Signal()

    def __init__(
        self, parent: QWidget, size: int = 96, taps: int = 5, within_ms: int = 3000
    ) -> None:
        super().__init__(parent)
        self.setObjectName("adminCorner")
        self.setAttribute(Qt.WidgetAttribute.WA_NoSystemBackground, True)
        self.setAttribute(Qt.WidgetAttribute.WA_TranslucentBackground, True)
        self.setFixedSize(size, size)
        self.needed = taps
        self.within_ms = within_ms
        self._times: list[int] = []
        clock = QElapsedTimer()
        clock.start()
        #: milliseconds on a monotonic clock (replaced in tests to tap at chosen times)
        self.now_ms: Callable[[], int] = clock.elapsed

    def mousePressEvent(self, event: QMouseEvent) -> None:
        now = self.now_ms()
        self._times = [t for t in self._times if now - t <= self.within_ms] + [now]
        if len(self._times) >= self.needed:
            self._times.clear()
            self.triggered.emit()
        event.accept()
