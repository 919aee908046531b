"""A QR code drawn from its module matrix as sharp squares, as large as the widget allows.

Each dark module is a filled rectangle of a whole number of device pixels, so the code
stays crisp at any size (a scaled bitmap would blur or make modules uneven, and cheap
phone cameras then fail to read it). The quiet zone of four modules is always kept.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QRect, QSize, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPaintEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

from backend.adapters.upi.qr import QUIET_ZONE

Matrix = Sequence[Sequence[bool]]


def module_layout(width: int, height: int, modules: int, quiet: int = QUIET_ZONE) -> QRect:
    """The square (x, y, side) the code occupies inside ``width``×``height``: the largest
    whole module size that fits the code plus its quiet zone, centred. ``side`` includes
    the quiet zone; an empty rect when not even one pixel per module fits."""
    total = modules + 2 * quiet
    if modules <= 0 or total <= 0:
        return QRect()
    size = min(width, height) // total
    if size < 1:
        return QRect()
    side = size * total
    return QRect((width - side) // 2, (height - side) // 2, side, side)


class QrView(QWidget):
    """Paints a QR ``matrix`` (rows of booleans, no quiet zone) with QPainter."""

    #: emitted after a paint that drew a code (benchmarks and tests wait on it)
    painted = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._matrix: list[list[bool]] = []
        self._text = ""
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setAccessibleName("Payment QR code")

    def set_matrix(self, matrix: Matrix, text: str = "") -> None:
        """Show ``matrix``; ``text`` (what it encodes) is kept for accessibility and tests."""
        self._matrix = [list(map(bool, row)) for row in matrix]
        self._text = text
        self.setAccessibleDescription(text)
        self.update()

    def clear(self) -> None:
        self.set_matrix([])

    @property
    def text(self) -> str:
        return self._text

    @property
    def modules(self) -> int:
        return len(self._matrix)

    def module_size(self) -> int:
        """Device pixels per module at the current size (0 when empty)."""
        rect = self._code_rect()
        return rect.width() // (self.modules + 2 * QUIET_ZONE) if not rect.isNull() else 0

    def _code_rect(self) -> QRect:
        ratio = self.devicePixelRatioF()
        return module_layout(int(self.width() * ratio), int(self.height() * ratio), self.modules)

    def sizeHint(self) -> QSize:
        return QSize(480, 480)

    def minimumSizeHint(self) -> QSize:
        return QSize(200, 200)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        rect = self._code_rect()
        if rect.isNull():
            painter.end()
            return
        ratio = self.devicePixelRatioF()
        # paint in device pixels so every module edge lands on a pixel boundary
        painter.scale(1 / ratio, 1 / ratio)
        painter.fillRect(rect, QColor(Qt.GlobalColor.white))  # the code and its quiet zone
        size = rect.width() // (self.modules + 2 * QUIET_ZONE)
        origin_x = rect.x() + QUIET_ZONE * size
        origin_y = rect.y() + QUIET_ZONE * size
        runs: list[QRect] = []
        for r, row in enumerate(self._matrix):
            c = 0
            n = len(row)
            while c < n:  # one rectangle per horizontal run of dark modules
                if not row[c]:
                    c += 1
                    continue
                start = c
                while c < n and row[c]:
                    c += 1
                runs.append(
                    QRect(origin_x + start * size, origin_y + r * size, (c - start) * size, size)
                )
        # no pen and no antialiasing: each rectangle fills exactly its pixels
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(Qt.GlobalColor.black))
        painter.drawRects(runs)
        painter.end()
        self.painted.emit()
