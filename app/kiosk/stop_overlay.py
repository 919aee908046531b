"""The kiosk's question before a customer's own Cancel withdraws their QR: in the window,
finger-sized, over the QR (not a desktop dialog box a touch screen handles badly)."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Signal
from PySide6.QtGui import QColor, QPainter, QPaintEvent
from PySide6.QtWidgets import QFrame, QHBoxLayout, QVBoxLayout, QWidget

from app.kiosk.touch import TOUCH_PX, touch_button
from app.widgets.scaling import role_label

TITLE = "Stop paying?"
MESSAGE = "This QR will stop working."
KEEP, STOP = "Keep paying", "Yes, stop"


class StopPayingOverlay(QWidget):
    """Covers ``page`` with a question: keep paying (the default) or stop."""

    keep = Signal()
    stop = Signal()

    def __init__(self, page: QWidget) -> None:
        super().__init__(page)
        self.setObjectName("stopPaying")
        card = QFrame()
        card.setObjectName("stopCard")
        card.setStyleSheet("#stopCard { background: white; border-radius: 24px; }")
        self.title = role_label(TITLE, "title", center=True)
        self.message = role_label(MESSAGE, "message", wrap=True, center=True)
        self.keep_button = touch_button(KEEP, primary=True)
        self.stop_button = touch_button(STOP)
        for button in (self.keep_button, self.stop_button):
            button.setMinimumSize(TOUCH_PX * 5, TOUCH_PX + 24)
        self.keep_button.clicked.connect(self._keep)
        self.stop_button.clicked.connect(self._stop)
        buttons = QHBoxLayout()
        buttons.setSpacing(32)
        buttons.addWidget(self.stop_button)
        buttons.addWidget(self.keep_button)
        inside = QVBoxLayout(card)
        inside.setContentsMargins(64, 48, 64, 48)
        inside.setSpacing(24)
        inside.addWidget(self.title)
        inside.addWidget(self.message)
        inside.addSpacing(16)
        inside.addLayout(buttons)
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(card)
        row.addStretch(1)
        outer.addLayout(row)
        outer.addStretch(1)
        self.hide()
        page.installEventFilter(self)

    def ask(self) -> None:
        parent = self.parentWidget()
        if parent is not None:
            self.setGeometry(parent.rect())
        self.show()
        self.raise_()

    def dismiss(self) -> None:
        self.hide()

    @property
    def asking(self) -> bool:
        return self.isVisible()

    def _keep(self) -> None:
        self.hide()
        self.keep.emit()

    def _stop(self) -> None:
        self.hide()
        self.stop.emit()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        page = self.parentWidget()
        if event.type() == QEvent.Type.Resize and page is not None and watched is page:
            self.setGeometry(page.rect())
        return False

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor(15, 23, 42, 170))  # the QR dimmed behind
