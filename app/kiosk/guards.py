"""The kiosk's guards: idle detection from input events, and the hidden admin gesture.

Idle time runs from the last input event anywhere in the application (an event filter
on the ``QApplication``), so typing, tapping or scrolling all keep the session alive.
The interval comes from ``settings.ui.kiosk_idle_seconds`` and is measured on the
injected clock.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

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
    """Emits ``idle`` once ``seconds`` have passed on the injected clock without any
    input event in the application.

    Idle time is computed from ``now`` (as a payment's expiry is), and looked at on a
    short GUI-thread tick: a test moves its clock instead of waiting.
    """

    idle = Signal()
    TICK_MS = 250

    def __init__(
        self, seconds: float, now: Callable[[], datetime], parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.seconds = seconds
        self._now = now
        self._since: datetime | None = None  # last input while armed; None: not armed
        self.timer = QTimer(self)
        self.timer.setInterval(self.TICK_MS)
        self.timer.timeout.connect(self.check)
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)

    @property
    def armed(self) -> bool:
        return self._since is not None

    def idle_for(self) -> float:
        """Seconds since the last input (0 when not armed)."""
        if self._since is None:
            return 0.0
        return (self._now() - self._since).total_seconds()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in INPUT_EVENTS and self._since is not None:
            self._since = self._now()  # idle time counts from this event
        return False

    def check(self) -> None:
        """Emit ``idle`` (once) if the idle time has run out."""
        if self._since is not None and self.idle_for() >= self.seconds:
            self.disarm()
            self.idle.emit()

    def arm(self) -> None:
        """Start counting (when a customer session begins)."""
        self._since = self._now()
        self.timer.start()

    def disarm(self) -> None:
        self._since = None
        self.timer.stop()

    def remove(self) -> None:
        self.disarm()
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
