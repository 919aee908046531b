"""Panels whose text scales with their size, for the customer's screens (display, kiosk).

A label's role is its ``objectName`` (``title``, ``amount``...); its pixel size is the
role's size on the 1920×1080 design times the panel's factor, so the same panel reads
from a metre away full-screen and still fits in a small window.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontMetricsF, QResizeEvent
from PySide6.QtWidgets import QFrame, QLabel, QSizePolicy, QWidget

#: label role -> pixel size at a 1080-pixel-high panel
FONT_PX = {
    "title": 64,
    "subtitle": 34,
    "amount": 96,
    "payee": 40,
    "plan": 40,
    "hint": 30,
    "countdown": 72,
    "countdownLabel": 28,
    "headline": 150,
    "message": 44,
    "tierName": 40,
    "tierPrice": 50,
    "tierAlt": 25,
    "tierFeature": 26,
    "badge": 24,
    # the kiosk's plan buttons
    "planName": 40,
    "planBadge": 24,
    "planPrice": 44,
    "planPer": 26,
}
MIN_PX = 14


def design_factor(width: int, height: int) -> float:
    """The scale of a ``width``×``height`` panel against the 1920×1080 design: by its
    height, or by its width when it is narrower than 16:9 (so nothing clips)."""
    return min(max(height, 1) / 1080, max(width, 1) / 1920)


def role_px(label: QLabel, factor: float) -> int:
    """The pixel size of a role-named label at ``factor`` (never below :data:`MIN_PX`)."""
    return max(MIN_PX, round(FONT_PX.get(label.objectName(), MIN_PX) * factor))


def label_width(label: QLabel, factor: float) -> float:
    """Width ``label`` needs for its text on one line at its size for ``factor``: the
    text, plus its padding from the style sheet (a badge's), which does not scale."""
    label.ensurePolished()
    font = label.font()
    now = QFontMetricsF(font).horizontalAdvance(label.text())
    padding = max(0.0, label.sizeHint().width() - now)
    font.setPixelSize(role_px(label, factor))
    return QFontMetricsF(font).horizontalAdvance(label.text()) + padding


def scale_fonts(root: QWidget, factor: float) -> None:
    """Give every QLabel under ``root`` whose objectName is a role its size × ``factor``.

    The size goes into the label's own style sheet: the application's sheet
    (``resources/style.qss``) sets a font size for every widget, and a label's own sheet
    is the one thing that wins over it (``setFont`` would not).
    """
    for label in root.findChildren(QLabel):
        if label.objectName() in FONT_PX:
            sheet = f"font-size: {role_px(label, factor)}px;"
            if label.styleSheet() != sheet:
                label.setStyleSheet(sheet)


def role_label(text: str, role: str, *, wrap: bool = False, center: bool = False) -> QLabel:
    label = QLabel(text)
    label.setObjectName(role)
    label.setWordWrap(wrap)
    if center:
        label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    return label


class ScaledPanel(QFrame):
    """A panel whose role-named labels scale with its size; with ``side_margin`` set,
    its left and right margins are that fraction of its width (forms stay centred and
    readable on any screen size)."""

    side_margin = 0.0

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        # the window's size decides and the fonts follow: the text at its last size must
        # not hold the window large (say when the display leaves a big screen)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)

    def font_factor(self) -> float:
        return design_factor(self.width(), self.height())

    def rescale(self) -> None:
        scale_fonts(self, self.font_factor())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.rescale()
        layout = self.layout()
        if self.side_margin and layout is not None:
            margins = layout.contentsMargins()
            content = layout.minimumSize().width() - margins.left() - margins.right()
            room = max(0, (self.width() - content) // 2)  # never wider than the panel
            side = min(int(self.width() * self.side_margin), room)
            layout.setContentsMargins(side, margins.top(), side, margins.bottom())
