"""Keeps a stand-alone customer display in step with the store: polls the newest UPI
request through the task runner and shows it, then its outcome.

Used by ``autoos-checkout display`` on a second machine or screen, where no staff window
calls the display's slots. A failed poll (store busy, server unreachable) leaves the
screen as it is and the next poll tries again; the window never waits.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QTimer

from app.display.customer_display import PAYMENT, CustomerDisplay
from app.runtime.tasks import TaskRunner
from backend.domain.payments import Outcome, PaymentMethod, outcome
from backend.interface import CheckoutApi

log = logging.getLogger(__name__)

POLL_MS = 2000


def latest_upi_request(api: CheckoutApi) -> dict[str, Any] | None:
    """The newest UPI request with its status as of now (``None`` if there is none)."""
    rows = api.list_payments(method=PaymentMethod.UPI_QR, limit=1)
    if not rows:
        return None
    return dict(api.get_payment(rows[0]["id"]))


class DisplayFeed(QObject):
    """Polls the store for the newest UPI request (``fetch``) and drives ``display``."""

    def __init__(
        self,
        display: CustomerDisplay,
        runner: TaskRunner,
        api: CheckoutApi,
        interval_ms: int = POLL_MS,
    ) -> None:
        super().__init__(display)
        self.display = display
        self.runner = runner
        #: two reads of the store, on the network pool when the store is on a server
        self.fetch: Callable[[], dict[str, Any] | None] = lambda: latest_upi_request(api)
        self._run = runner.run_net if api.remote else runner.run_db
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
        self._run(self.fetch, self._arrived, self._failed)

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
        now = outcome(request)
        payment_id = request.get("id")
        display = self.display
        if now == Outcome.WAITING:
            showing = display.current or {}
            if display.state != PAYMENT or showing.get("id") != payment_id:
                if display.state == Outcome.EXPIRED and self.following == payment_id:
                    return  # our own countdown already ran out; wait for the store to agree
                display.show_payment(request)
            self.following = payment_id
            return
        if payment_id != self.following:
            return  # an old outcome: not for the person in front of the screen now
        self.following = None
        if now == Outcome.PAID:
            display.show_paid(request)
        elif now == Outcome.EXPIRED:
            display.show_expired(request)
        else:
            display.show_canceled()
