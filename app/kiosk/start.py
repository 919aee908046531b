"""``autoos-checkout kiosk``: the kiosk window over the application interface, in-process
on the store's own computer or against a store server (``--server``)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from app.kiosk.options import KioskOptions
from app.kiosk.window import KioskWindow
from app.runtime.tasks import TaskRunner
from backend.interface import CheckoutApi


def build_kiosk(
    api: CheckoutApi,
    runner: TaskRunner,
    view: Mapping[str, Any],
    now: Callable[[], datetime],
) -> KioskWindow:
    """The kiosk over ``api`` (``view``: its ``settings_view()``), loading its plans.

    ``now`` is the clock countdowns and idle time run on: the store's own, or on another
    machine its system clock (kept in step with the server's by NTP). Against a store
    server the kiosk says so across its top while the server cannot be reached."""
    window = KioskWindow(api, runner, now, KioskOptions.from_view(view))
    if api.remote:
        from app.widgets.reconnect_banner import ReconnectBanner

        window.banner = ReconnectBanner(window, api)
    window.start()
    return window
