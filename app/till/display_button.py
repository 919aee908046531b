"""The till's "Show customer display" action: a button in the status bar that says where
the customer display is (full screen on another screen, beside this window, or behind
it when one small screen has no room), and brings it forward; also Ctrl+Shift+D."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QLabel, QPushButton, QWidget

if TYPE_CHECKING:
    from app.display.customer_display import CustomerDisplay

SHORTCUT = "Ctrl+Shift+D"


def where_text(display: CustomerDisplay) -> str:
    """Where the customer display is, in the cashier's words."""
    placement = display.placement
    if placement is not None and placement.mode == "fullscreen":
        return f"Customer display: full screen on {placement.screen}"
    if display.sharing == "beside":
        return "Customer display: beside this window"
    if display.sharing == "behind":
        return (
            "Customer display: behind this window (no room beside it on this screen; "
            "the QR is also on the Checkout page)"
        )
    return "Customer display"


class DisplayButton(QPushButton):
    """Hidden until the till has a customer display."""

    def __init__(self, window: QWidget) -> None:
        super().__init__("Show customer display")
        self.setObjectName("small")
        self.display: CustomerDisplay | None = None
        #: says where the display is, beside the button
        self.where = QLabel()
        self.where.setObjectName("hint")
        self.where.hide()
        self.clicked.connect(self.bring_forward)
        self.shortcut = QShortcut(QKeySequence(SHORTCUT), window)
        self.shortcut.activated.connect(self.bring_forward)
        self.hide()

    def attach(self, display: CustomerDisplay) -> None:
        self.display = display
        display.placed.connect(self._placed)
        self._placed(display.placement)
        self.show()
        self.where.show()

    def _placed(self, _placement: Any) -> None:
        if self.display is None:
            return
        where = where_text(self.display)
        self.setToolTip(f"{where}. Brings it to the front ({SHORTCUT}).")
        self.setText(f"Show it ({SHORTCUT})")
        self.setAccessibleDescription(where)
        self.where.setText(where)

    def bring_forward(self) -> None:
        if self.display is not None:
            self.display.bring_forward()
