"""The one place the staff window gets its customer display and QR preview from."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from app.customer_display import CustomerDisplay
from app.widgets.qr_view import QrView


def make_customer_display(
    now: Callable[[], datetime], *, display_screen: str, anchor: QWidget
) -> CustomerDisplay:
    """A customer display driven by ``now``, placed on its screen beside ``anchor``."""
    display = CustomerDisplay(now=now, display_screen=display_screen, anchor=anchor)
    # the cashier keeps the keyboard: opening the display must not take the focus
    display.setAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating)
    display.place()
    anchor.activateWindow()
    return display


def make_qr_preview() -> QrView:
    """The staff screen's own small copy of the QR (for a till with one screen)."""
    view = QrView()
    view.setMinimumSize(220, 220)
    return view
