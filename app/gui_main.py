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
#: who an in-process customer display acts for (the audit log's actor); a till or kiosk
#: acts as its terminal, ``[ui] terminal_name``, until someone signs in
DISPLAY_NAME = "display"


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
        "--pair",
        metavar="NAME",
        help="display: the till whose payments it shows (instead of [ui] display_pairs_with)",
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
    if args.pair is not None and args.mode != "display":
        parser.error("--pair is for the display: the till whose payments it shows")
    return args


def local_pairing(pair: str | None) -> str:
    """A remote display's till: ``--pair``, else this machine's own settings
    (``[ui] display_pairs_with`` or AUTOOS_CHECKOUT_PAIR), not the store server's."""
    if pair is not None:
        return pair
    from backend.config import load_settings

    return load_settings().ui.display_pairs_with


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

        try:
            pair = local_pairing(args.pair) if args.mode == "display" else None
        except CheckoutError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        remote = RemoteCheckoutApi(args.server, args.token, reconnect_seconds=RECONNECT_SECONDS)
        return run_screen(
            app,
            args.mode,
            remote,
            now=SystemClock().now,
            where=remote.url,
            self_test=args.self_test,
            pair=pair,
        )
    try:
        ctx = build_context(db=args.db, config=args.config)
    except CheckoutError as exc:
        if not args.self_test:
            QMessageBox.critical(None, "AUTOOS Checkout cannot start", str(exc))
        print(f"error: {exc}", file=sys.stderr)
        return 2
    terminal = DISPLAY_NAME if args.mode == "display" else ctx.settings.ui.terminal_name
    api = CheckoutApi(ctx, Caller.counter(terminal))
    try:
        if args.mode == "staff":
            return run_staff(
                app,
                api,
                now=ctx.clock.now,
                shop_name=ctx.settings.shop.name,
                self_test=args.self_test,
            )
        return run_screen(
            app, args.mode, api, now=ctx.clock.now, self_test=args.self_test, pair=args.pair
        )
    finally:
        ctx.store.close()
