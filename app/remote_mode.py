"""Kiosk and customer display against a store server on another machine:
``autoos-checkout kiosk|display --server URL --token T``.

The windows are the same ones as in-process; only their service differs:
:class:`~backend.api.client.RemoteCheckoutService` over the store's REST API. While the
server cannot be reached, calls wait to reconnect (in the background, never on the GUI
thread) and :class:`ReconnectBanner` says so across the top of the window; when the
server is back the waiting call goes through and the window carries on by itself.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QLabel, QWidget

from app.plan_text import offered_by
from app.tasks import TaskRunner
from backend.api.client import RemoteCheckoutService
from backend.clock import SystemClock
from backend.errors import TransientError

log = logging.getLogger(__name__)

#: how long one call keeps trying to reconnect before it reports TransientError
RECONNECT_SECONDS = 120
CHECK_MS = 250
BANNER_TEXT = "Connection to the store lost — reconnecting…"


class ReconnectBanner(QLabel):
    """A strip over the top of ``window`` while ``service`` cannot reach the server.

    It reads the client's ``connected`` flag on a GUI-thread timer, so no signal has to
    cross threads and the window stays usable throughout.
    """

    def __init__(self, window: QWidget, service: RemoteCheckoutService) -> None:
        super().__init__(BANNER_TEXT, window)
        self.setObjectName("reconnectBanner")
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setStyleSheet(
            "#reconnectBanner { background: #b45309; color: white; font-size: 22px;"
            " font-weight: 600; padding: 12px; }"
        )
        self.service = service
        self.hide()
        self.timer = QTimer(self)
        self.timer.setInterval(CHECK_MS)
        self.timer.timeout.connect(self.refresh)
        self.timer.start()

    def refresh(self) -> None:
        if self.service.connected:
            self.hide()
            return
        parent = self.parentWidget()
        self.setGeometry(0, 0, parent.width(), self.sizeHint().height())
        self.raise_()
        self.show()


def kiosk_options(view: Mapping[str, Any]) -> Any:
    """The kiosk's options from the server's settings view."""
    from app.kiosk import KioskOptions

    features, shop, ui = view["features"], view["shop"], view["ui"]
    return KioskOptions(
        idle_seconds=ui["kiosk_idle_seconds"],
        currency=shop["default_currency"],
        upi=features["upi_payments"],
        card=features["card_payments"],
        trial=features["free_trial"],
        annual=features["annual_billing"],
    )


def build_kiosk(
    service: RemoteCheckoutService,
    runner: TaskRunner,
    view: Mapping[str, Any],
    now: Callable[[], datetime] | None = None,
) -> QWidget:
    """The kiosk window over ``service``; ``now`` is this machine's clock (kept in step
    with the store server's by NTP, as countdowns compare it with ``expires_at``)."""
    from app.kiosk import KioskWindow

    window = KioskWindow(service, runner, now or SystemClock().now, kiosk_options(view))
    window.banner = ReconnectBanner(window, service)
    window.start()
    return window


def build_display(
    service: RemoteCheckoutService,
    runner: TaskRunner,
    view: Mapping[str, Any],
    now: Callable[[], datetime] | None = None,
) -> QWidget:
    from app.customer_display import CustomerDisplay
    from app.display_feed import DisplayFeed, latest_upi_request

    display = CustomerDisplay(
        now or SystemClock().now,
        display_screen=view["ui"]["display_screen"],
        standalone=True,
        currency=view["shop"]["default_currency"],
    )
    runner.run_net(lambda: offered_by(service), display.show_idle)
    display.banner = ReconnectBanner(display, service)
    display.feed = DisplayFeed(display, runner, lambda: latest_upi_request(service))
    display.feed.start()
    return display


def run_remote(app: QApplication, mode: str, server: str, token: str) -> int:
    """Connect (showing that it is connecting), then run the kiosk or the display."""
    service = RemoteCheckoutService(server, token, reconnect_seconds=RECONNECT_SECONDS)
    runner = TaskRunner()
    waiting = QLabel(f"Connecting to the store server at {service.url}…")
    waiting.setAlignment(Qt.AlignmentFlag.AlignCenter)
    waiting.setStyleSheet("font-size: 28px;")
    windows: list[QWidget] = []

    def ready(view: Mapping[str, Any]) -> None:
        window = (build_kiosk if mode == "kiosk" else build_display)(service, runner, view)
        windows.append(window)
        if os.environ.get("AUTOOS_CHECKOUT_FIRST_PAINT"):  # start-up smoke test and benchmark
            from app.startup_probe import quit_after_first_paint

            quit_after_first_paint(window)
        if mode == "kiosk":
            window.showFullScreen()
        else:
            window.place()
        waiting.close()

    def failed(exc: Exception) -> None:
        if not isinstance(exc, TransientError):  # a wrong token or server will not fix itself
            waiting.setText(f"The store server cannot serve this screen: {exc}")
            log.error("store server refused the %s: %s", mode, exc)
            return
        log.warning("store server not reachable yet: %s", exc)
        waiting.setText(f"Connecting to the store server at {service.url}… (still trying)")
        runner.run_net(service.settings_view, ready, failed)  # the client backs off

    waiting.showFullScreen()
    runner.run_net(service.settings_view, ready, failed)
    try:
        return app.exec()
    finally:
        service.close()  # a call waiting to reconnect gives up at once
        runner.shutdown()
