"""Keeps a stand-alone customer display in step with the store: polls the newest UPI
request through the task runner and shows it, then its outcome.

Used by ``autoos-checkout display`` on a second machine or screen, where no staff window
calls the display's slots. A failed poll (store busy, server unreachable) leaves the
screen as it is and the next poll tries again; the window never waits.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QApplication

from app.customer_display import CustomerDisplay
from app.plan_text import offered_by
from app.tasks import TaskRunner
from backend.context import Context
from backend.facade import CheckoutService

log = logging.getLogger(__name__)

POLL_MS = 2000
PAID = ("succeeded", "late")
STOPPED = ("canceled", "failed")


class DisplayFeed(QObject):
    """Polls ``fetch`` (the newest UPI request, or ``None``) and drives ``display``."""

    def __init__(
        self,
        display: CustomerDisplay,
        runner: TaskRunner,
        fetch: Callable[[], dict[str, Any] | None],
        interval_ms: int = POLL_MS,
    ) -> None:
        super().__init__(display)
        self.display = display
        self.runner = runner
        self.fetch = fetch
        self._busy = False
        #: id of the request the display showed as pending (its outcome is shown next)
        self.following: str | None = None
        self.errors = 0
        #: polls answered (successfully or not)
        self.polls = 0
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.poll)

    def start(self) -> None:
        self.timer.start()
        self.poll()

    def stop(self) -> None:
        self.timer.stop()

    def poll(self) -> None:
        if self._busy:
            return
        self._busy = True
        self.runner.run_db(self.fetch, self._arrived, self._failed)

    def _failed(self, exc: Exception) -> None:
        self._busy = False
        self.polls += 1
        self.errors += 1
        log.warning("customer display: could not read the latest payment: %s", exc)

    def _arrived(self, request: dict[str, Any] | None) -> None:
        self._busy = False
        self.polls += 1
        self.apply(request)

    def apply(self, request: dict[str, Any] | None) -> None:
        """Show a new pending request; show the outcome of the one being followed."""
        if request is None:
            return
        status = request.get("status")
        payment_id = request.get("id")
        display = self.display
        if status == "pending":
            showing = display.current or {}
            if display.state != "payment" or showing.get("id") != payment_id:
                if display.state in ("expired",) and self.following == payment_id:
                    return  # our own countdown already ran out; wait for the store to agree
                display.show_payment(request)
            self.following = payment_id
            return
        if payment_id != self.following:
            return  # an old outcome: not for the person in front of the screen now
        self.following = None
        if status in PAID:
            display.show_paid(request)
        elif status == "expired":
            display.show_expired(request)
        elif status in STOPPED:
            display.show_canceled()


def latest_upi_request(service: CheckoutService) -> dict[str, Any] | None:
    """The newest UPI request with its status as of now (``None`` if there is none)."""
    rows = service.list_payments(method="upi_qr", limit=1)
    if not rows:
        return None
    return service.get_payment(rows[0]["id"])


def run_display(app: QApplication, ctx: Context) -> int:
    """``autoos-checkout display``: the plans, then whatever payment the store has live."""
    from app.startup_probe import ENV_VAR as FIRST_PAINT_ENV
    from app.startup_probe import quit_after_first_paint
    from backend.facade import LocalCheckoutService

    runner = TaskRunner()
    service = LocalCheckoutService(ctx, "display")
    display = CustomerDisplay(
        ctx.clock.now,
        display_screen=ctx.settings.ui.display_screen,
        standalone=True,
        currency=ctx.settings.shop.default_currency,
    )
    runner.run_db(lambda: offered_by(service), display.show_idle)
    if os.environ.get(FIRST_PAINT_ENV):  # start-up measurement and the mode's smoke test
        quit_after_first_paint(display)
    display.place()
    feed = DisplayFeed(display, runner, lambda: latest_upi_request(service))
    feed.start()
    try:
        return app.exec()
    finally:
        feed.stop()
        runner.shutdown()
