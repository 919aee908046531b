"""Sizes for fingers: everything a finger touches on the kiosk is at least
:data:`TOUCH_PX` high and wide."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton

#: the smallest touch target, in pixels (guidelines ask for 44-48; we use more)
TOUCH_PX = 64


def touch_button(text: str, *, primary: bool = False, name: str = "") -> QPushButton:
    button = QPushButton(text)
    button.setObjectName(name or ("primary" if primary else "touch"))
    button.setMinimumSize(TOUCH_PX * 2, TOUCH_PX)
    button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    button.setCursor(Qt.CursorShape.PointingHandCursor)
    return button
