"""How each GUI mode runs once its application interface is built: the staff window, or
a kiosk or customer display — in-process on the store's own computer, or against a
store server on another machine (``--server URL --token T``).

A kiosk or display first asks the store for its settings; against a server it says it
is connecting meanwhile, and a call that cannot connect waits to reconnect (in the
background, never on the GUI thread) while the window says so across its top.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from PySide6.QtWidgets import QApplication, QLabel, QWidget

from app.runtime.lifecycle import close_down
from app.runtime.tasks import TaskRunner
from backend.errors import TransientError
from backend.interface import CheckoutApi

log = logging.getLogger(__name__)


def _self_test(window: QWidget, mode: str, on: bool) -> None:
    if on:
        from app.runtime.self_test import exit_after_first_paint

        exit_after_first_paint(window, mode)


def run_staff(
    app: QApplication,
    api: CheckoutApi,
    *,
    now: Callable[[], datetime],
    shop_name: str,
    self_test: bool = False,
) -> int:
    """The staff window until it is closed."""
    from app.till.staff_window import StaffWindow

    runner = TaskRunner()
    window = StaffWindow(api, runner, now=now, shop_name=shop_name)
    _self_test(window, "staff", self_test)
    window.show()
    try:
        return app.exec()
    finally:
        close_down(window)  # (a self-test exits without closing it)
        runner.shutdown()


def run_screen(
    app: QApplication,
    mode: str,
    api: CheckoutApi,
    *,
    now: Callable[[], datetime],
    where: str = "",
    self_test: bool = False,
    pair: str | None = None,
) -> int:
    """The kiosk or the customer display over ``api``, once the store's settings are
    read; ``where`` names a store server (said while connecting); ``pair`` is the till a
    display follows (``--pair``; else its settings say)."""
    runner = TaskRunner()
    from PySide6.QtCore import Qt  # here: its ~90 enums cost 13 ms the staff window's
    # first paint does not need (benchmarks/startup.py)

    waiting = QLabel(f"Connecting to the store server at {where}…")
    waiting.setAlignment(Qt.AlignmentFlag.AlignCenter)
    waiting.setStyleSheet("font-size: 28px;")
    windows: list[QWidget] = []

    def ready(view: Mapping[str, Any]) -> None:
        window = _build(mode, api, runner, view, now, pair)
        windows.append(window)
        _self_test(window, mode, self_test)
        if mode == "kiosk":
            window.cover_screen()  # type: ignore[attr-defined]
        else:
            window.place()  # type: ignore[attr-defined]
        waiting.close()

    def failed(exc: Exception) -> None:
        if not isinstance(exc, TransientError) or self_test:
            # a wrong token or server will not fix itself; a self-test reports at once
            waiting.setText(f"The store cannot serve this screen: {exc}")
            log.error("the store refused the %s: %s", mode, exc)
            if self_test or not where:
                app.exit(1)
            return
        log.warning("store server not reachable yet: %s", exc)
        waiting.setText(f"Connecting to the store server at {where}… (still trying)")
        runner.call(api.settings_view, on_success=ready, on_failure=failed)  # it backs off

    if where:
        waiting.showFullScreen()
    runner.call(api.settings_view, on_success=ready, on_failure=failed)
    try:
        return app.exec()
    finally:
        for window in windows:
            close_down(window)  # it stops listening before the store or the client closes
        close = getattr(api, "close", None)
        if close is not None:
            close()  # a call waiting to reconnect gives up at once
        runner.shutdown()


def _build(
    mode: str,
    api: CheckoutApi,
    runner: TaskRunner,
    view: Mapping[str, Any],
    now: Callable[[], datetime],
    pair: str | None = None,
) -> QWidget:
    if mode == "kiosk":
        from app.kiosk.start import build_kiosk

        return build_kiosk(api, runner, view, now)
    from app.display.start import build_display

    return build_display(api, runner, view, now, pair=pair)
