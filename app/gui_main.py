"""Start the Qt application in one of the GUI modes, over the one application interface:
:class:`~backend.interface.CheckoutApi` in-process (the context built here, the one
place the GUI touches it), or :class:`~backend.api.client.RemoteCheckoutApi` against a
store server for a kiosk or display on another machine."""

from __future__ import annotations

import argparse
import os
import sys

# The backend is imported before PySide6: once PySide6 is loaded, its ``__feature__``
# import hook reads the source of every module imported after it, which slows start-up.
from backend.bootstrap import build_context
from backend.errors import CheckoutError
from backend.interface import Caller, CheckoutApi

#: how long one call of a remote screen keeps trying to reconnect before it gives up
RECONNECT_SECONDS = 120
#: who the in-process interface acts for until someone signs in (the audit log's actor)
COUNTER_NAMES = {"staff": "till", "kiosk": "kiosk", "display": "display"}


def parse_gui_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="autoos-checkout")
    parser.add_argument("mode", nargs="?", default="staff", choices=("staff", "kiosk", "display"))
    parser.add_argument("--db", help="database file")
    parser.add_argument("--config", help="settings TOML file")
    parser.add_argument(
        "--server", help="kiosk/display: the store server's URL (e.g. http://store-pc:8765)"
    )
    parser.add_argument(
        "--token", help="API token for --server (or set AUTOOS_CHECKOUT_TOKEN: not shown in ps)"
    )
    parser.add_argument(
        "--self-test",
        action="store_true",
        help="start, paint the first window, print one JSON line and exit 0 "
        "(for installers and monitoring)",
    )
    args = parser.parse_args(argv)
    args.token = args.token or os.environ.get("AUTOOS_CHECKOUT_TOKEN")
    if args.server and (args.mode == "staff" or not args.token):
        parser.error("--server is for kiosk and display, with --token (or AUTOOS_CHECKOUT_TOKEN)")
    return args


def run_gui(argv: list[str]) -> int:
    args = parse_gui_args(argv)
    from PySide6.QtWidgets import QApplication, QMessageBox

    from app.widgets.style import apply_style

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("AUTOOS Checkout")
    apply_style(app)
    from app.runtime.lifecycle import install_collector

    install_collector(app)  # garbage (and so any widget in it) is freed on this thread only
    from app.runtime.modes import run_screen, run_staff

    if args.server:
        from backend.api.client import RemoteCheckoutApi
        from backend.clock import SystemClock

        remote = RemoteCheckoutApi(args.server, args.token, reconnect_seconds=RECONNECT_SECONDS)
        return run_screen(
            app,
            args.mode,
            remote,
            now=SystemClock().now,
            where=remote.url,
            self_test=args.self_test,
        )
    try:
        ctx = build_context(db=args.db, config=args.config)
    except CheckoutError as exc:
        if not args.self_test:
            QMessageBox.critical(None, "AUTOOS Checkout cannot start", str(exc))
        print(f"error: {exc}", file=sys.stderr)
        return 2
    api = CheckoutApi(ctx, Caller.counter(COUNTER_NAMES[args.mode]))
    try:
        if args.mode == "staff":
            return run_staff(
                app,
                api,
                now=ctx.clock.now,
                shop_name=ctx.settings.shop.name,
                self_test=args.self_test,
            )
        return run_screen(app, args.mode, api, now=ctx.clock.now, self_test=args.self_test)
    finally:
        ctx.store.close()
