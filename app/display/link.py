"""The one place the staff window gets its customer display and QR preview from.

The display modules are imported when the display is opened (after the plans are read),
not when the staff window is: the window's first paint does not wait for them. (For
the same reason ``QtCore.Qt`` is looked up at use: PySide6 builds its ~90 enums, 13 ms,
on first access.)
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from PySide6 import QtCore
from PySide6.QtWidgets import QWidget

if TYPE_CHECKING:
    from app.display.customer_display import CustomerDisplay
    from app.widgets.qr_view import QrView


def make_customer_display(
    now: Callable[[], datetime], *, display_screen: str, anchor: QWidget
) -> CustomerDisplay:
    """A customer display driven by ``now``, placed on its screen beside ``anchor``."""
    from app.display.customer_display import CustomerDisplay

    display = CustomerDisplay(now=now, display_screen=display_screen, anchor=anchor)
    # the cashier keeps the keyboard: opening the display must not take the focus
    display.setAttribute(QtCore.Qt.WidgetAttribute.WA_ShowWithoutActivating)
    display.place()
    anchor.activateWindow()  # the cashier keeps the keyboard; a display beside stays above
    if display.sharing == "behind":
        anchor.raise_()  # no room beside it: the till is not covered (the window says so)
    return display


def make_qr_preview() -> QrView:
    """The staff screen's own small copy of the QR (for a till with one screen)."""
    from app.widgets.qr_view import QrView

    view = QrView()
    view.setMinimumSize(220, 220)
    return view
