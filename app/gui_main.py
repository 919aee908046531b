"""Start the Qt application in one of the GUI modes."""

from __future__ import annotations

import argparse
import os
import sys

# The backend is imported before PySide6: once PySide6 is loaded, its ``__feature__``
# import hook reads the source of every module imported after it, which slows start-up.
from backend.bootstrap import build_context
from backend.errors import CheckoutError
from backend.facade import LocalCheckoutService
from backend.services.shop import staff as _staff_service  # noqa: F401  the login's first query


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
    args = parser.parse_args(argv)
    args.token = args.token or os.environ.get("AUTOOS_CHECKOUT_TOKEN")
    if args.server and (args.mode == "staff" or not args.token):
        parser.error("--server is for kiosk and display, with --token (or AUTOOS_CHECKOUT_TOKEN)")
    return args


def run_gui(argv: list[str]) -> int:
    args = parse_gui_args(argv)
    from PySide6.QtWidgets import QApplication, QMessageBox

    from app.style import apply_style

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("AUTOOS Checkout")
    apply_style(app)
    from app.lifecycle import install_collector

    install_collector(app)  # garbage (and so any widget in it) is freed on this thread only
    if args.server:
        from app.remote_mode import run_remote

        return run_remote(app, args.mode, args.server, args.token)
    try:
        ctx = build_context(db=args.db, config=args.config)
    except CheckoutError as exc:
        QMessageBox.critical(None, "AUTOOS Checkout cannot start", str(exc))
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.mode == "kiosk":
        from app.kiosk import run_kiosk

        return run_kiosk(app, ctx)
    if args.mode == "display":
        from app.display_feed import run_display

        return run_display(app, ctx)
    from app.staff_window import StaffWindow
    from app.tasks import TaskRunner

    runner = TaskRunner()
    window = StaffWindow(
        LocalCheckoutService(ctx, "anonymous"),
        runner,
        now=ctx.clock.now,
        shop_name=ctx.settings.shop.name,
    )
    if os.environ.get("AUTOOS_CHECKOUT_FIRST_PAINT"):  # benchmarks/startup.py
        from app.startup_probe import quit_after_first_paint

        quit_after_first_paint(window)
    window.show()
    try:
        return app.exec()
    finally:
        runner.shutdown()
        ctx.store.close()
