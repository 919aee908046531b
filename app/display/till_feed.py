"""A stand-alone customer display follows the one till it is paired with: each payment
that till starts (UPI or card) is shown as its QR, then its outcome.

Used by ``autoos-checkout display`` (on the store's computer or, with ``--server``, on
another machine), where no staff window calls the display's slots. Nothing is polled
while changes are pushed: a ``created`` change for the paired till makes it ask that
payment's status once and show the QR; each later change of that payment is asked about
once and its outcome shown (:class:`~app.runtime.payment_follow.PaymentFollow`). Another
till's payments are never heard (the subscription names the till). While a store
server's stream is down the display says "Live updates paused" and asks every 2 s.
"""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import QObject

from app.display.customer_display import PAYMENT, CustomerDisplay
from app.runtime.payment_follow import CREATED, POLL_MS, PaymentFollow
from app.runtime.tasks import TaskRunner
from app.widgets.payment_panel import payment_view
from app.widgets.screen_note import live_text
from backend.domain.payments import Outcome, outcome
from backend.interface import CheckoutApi

log = logging.getLogger(__name__)


def unpaired_text() -> str:
    """What an unpaired display says, and how to pair it."""
    return (
        "This display is not paired with a till, so it shows no payments. To pair it, set "
        "display_pairs_with under [ui] in its settings to the till's name (e.g. "
        '"Counter 1"), or start it with --pair "Counter 1".'
    )


class TillFeed(QObject):
    """Drives ``display`` with the payments of the till named ``pair``."""

    def __init__(
        self,
        display: CustomerDisplay,
        runner: TaskRunner,
        api: CheckoutApi,
        pair: str,
        *,
        poll_ms: int = POLL_MS,
    ) -> None:
        super().__init__(display)
        self.display = display
        self.pair = pair
        #: the paired till asks a card's provider itself: this screen only listens
        self.follow = PaymentFollow(
            api, runner, display, terminal=pair, poll_ms=poll_ms, ask_provider=False
        )
        self.follow.heard.connect(self._heard)
        self.follow.answered.connect(self.apply)
        self.follow.failed.connect(
            lambda exc: log.warning("customer display: payment status: %s", exc)
        )
        self.follow.live_changed.connect(
            lambda live: display.note.say("" if live else live_text(poll_ms))
        )
        display.payment_panel.expired.connect(self.follow.countdown_over)

    def _heard(self, change: dict[str, Any]) -> None:
        if change.get("kind") == CREATED and change.get("terminal") == self.pair:
            # the till's next customer: this payment from now on, whatever came before
            self.follow.follow({"id": change["payment_id"], "method": change.get("method")})
            self.follow.ask()

    def apply(self, payment: dict[str, Any]) -> None:
        """Show the followed payment: its QR while it can be paid, then its outcome."""
        display = self.display
        now = outcome(payment)
        if now == Outcome.WAITING:
            if not payment_view(payment).qr_text:
                return  # its page is still being made: asked again shortly
            showing = display.current or {}
            if display.state == Outcome.EXPIRED and showing.get("id") == payment.get("id"):
                return  # the countdown ran out here; the store's answer follows
            if display.state != PAYMENT or showing.get("id") != payment.get("id"):
                display.show_payment(payment)
            return
        self.follow.forget()
        if display.current is None or display.current.get("id") != payment.get("id"):
            return  # never shown (withdrawn before its page was made): nothing to say
        if now == Outcome.PAID:
            display.show_paid(payment)
        elif now == Outcome.EXPIRED:
            display.show_expired(payment)
        else:
            display.show_canceled()
