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

log = logging.getLogger(__name__)


def make_customer_display(now: Callable[[], datetime]) -> Any | None:
    """A new customer display window driven by ``now``, or ``None`` in a build without it."""
    try:
        from app.customer_display import CustomerDisplay
    except ImportError:
        log.warning("this build has no customer display; the QR shows on the staff screen")
        return None
    return CustomerDisplay(now=now)
