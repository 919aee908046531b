"""The one place the staff window gets its customer display from.

The display (``app.customer_display.CustomerDisplay``) is built by the display/kiosk
part of the app. A build without it still sells: the staff window then shows the QR on
its own waiting screen and skips the display calls.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

log = logging.getLogger(__name__)


def make_customer_display(
    now: Callable[[], datetime], *, display_screen: str, anchor: QWidget
) -> Any | None:
    """A customer display driven by ``now``, placed on its screen; ``None`` without one."""
    try:
        from app.customer_display import CustomerDisplay
    except ImportError:
        log.warning("this build has no customer display; the staff window sells without one")
        return None
    display = CustomerDisplay(now=now, display_screen=display_screen, anchor=anchor)
    # the cashier keeps the keyboard: opening the display must not take the focus
    display.setAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating)
    display.place()
    anchor.activateWindow()
    return display


def make_qr_preview() -> QWidget | None:
    """The staff screen's own small copy of the QR (for a till with one screen)."""
    try:
        from app.widgets.qr_view import QrView
    except ImportError:
        return None
    view = QrView()
    view.setMinimumSize(220, 220)
    return view
