"""A line across the bottom of a customer's screen (the kiosk, the customer display) that
says something about the screen itself: live updates paused, not paired with a till."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QLabel, QWidget

#: the note's text size on a 1080-pixel-high screen
FONT_PX = 26
MIN_PX = 14


def live_text(poll_ms: int) -> str:
    """What a screen says while payment changes are not pushed to it."""
    seconds = max(1, round(poll_ms / 1000))
    return f"Live updates paused — checking every {seconds} s"


class ScreenNote(QLabel):
    """Pinned to the bottom edge of ``window`` (it follows the window's size); hidden while
    it has nothing to say."""

    def __init__(self, window: QWidget, name: str = "screenNote") -> None:
        super().__init__("", window)
        self.setObjectName(name)
        self.setWordWrap(True)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self._px = 0
        self.hide()
        window.installEventFilter(self)

    def say(self, text: str) -> None:
        """Show ``text`` (an empty text hides the note)."""
        self.setText(text)
        if text:
            self._place()
            self.show()
            self.raise_()
        else:
            self.hide()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize and not self.isHidden():
            self._place()
        return False

    def _place(self) -> None:
        window = self.parentWidget()
        if window is None:
            return
        px = max(MIN_PX, round(FONT_PX * min(window.height() / 1080, window.width() / 1920)))
        if px != self._px:
            self._px = px
            self.setStyleSheet(
                f"#{self.objectName()} {{ background: #334155; color: white; "
                f"font-size: {px}px; padding: {px // 2}px {px}px; }}"
            )
        self.ensurePolished()
        height = self.heightForWidth(window.width())
        self.setGeometry(0, window.height() - height, window.width(), height)
        self.raise_()
