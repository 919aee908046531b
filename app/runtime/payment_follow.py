"""The payment in front of this customer: one view-model for the till's checkout, the
kiosk and the customer display.

**Pushed, not polled.** It subscribes once to the backend's payment changes
(``watch_payments``). The listener runs on a background thread (the in-process feed's,
or the remote client's stream thread) and does one thing: emit a signal of this object,
which Qt queues to the GUI thread. Everything else happens here, on the GUI thread: a
change that concerns the followed payment makes it ask ``payment_status`` once, and the
answer is said (:attr:`PaymentFollow.answered`). The subscription is a
:class:`~app.runtime.lifecycle.Listening` child, so it ends when the window closes.

Asking again is the fallback, never the rule:

* against a store server whose stream is down (``RemoteCheckoutApi.stream_connected``
  reads False) it asks every ``poll_ms`` while the payment is open, and
  :attr:`~PaymentFollow.live_changed` lets the screen say "Live updates paused";
* a card checkout or a UPI AutoPay sign-up (a provider's page), or a PSP's QR, is paid
  at the provider, which the store learns only by asking it: the terminal that took the
  payment (``ask_provider=True``) asks every ``poll_ms`` while it is open, and every
  other screen hears the change pushed;
* the countdown runs on the clock: at zero the screen calls :meth:`countdown_over` and
  it asks (once more each ``poll_ms`` while the store still says open: clocks differ);
* a provider's page (card, AutoPay) is made just after its ``created`` change: an
  answer without the page's address is asked again shortly, until it has one.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QWidget

from app.runtime.lifecycle import Listening
from app.runtime.tasks import TaskRunner
from app.widgets.payment_panel import payment_view
from backend.domain.payments import is_open, pays_on_page
from backend.interface import CheckoutApi

log = logging.getLogger(__name__)

#: how often an open payment is asked about when it has to be (stream down, provider)
POLL_MS = 2000
#: how often a remote screen reads its client's stream flag (a local read, no request)
LINK_CHECK_MS = 250
#: checks before a stream that has never connected is said to be down (a start-up grace)
FIRST_CONNECT_CHECKS = 12
#: waits before asking again for a payment whose page is not made yet
NOT_READY_MS = (200, 400, 800, 1600)
#: how many payments' last change are remembered (a change heard before its follow())
RECENT = 64
CREATED = "created"


class _Gate:
    """Between the listener's thread and the GUI thread: open until the window ends it."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.open = True
        self.stop: Callable[[], None] | None = None

    def end(self) -> None:
        with self.lock:
            self.open = False
            stop, self.stop = self.stop, None
        if stop is not None:
            stop()  # outside the lock: the listener's thread may be waiting on it


class PaymentFollow(QObject):
    """Follows one payment at a time (:meth:`follow`), hearing changes pushed by the
    backend (only ``terminal``'s, when it is given)."""

    #: the followed payment as it stands now (the answer merged into what was known)
    answered = Signal(object)
    #: asking failed (the store or the network); the next change or tick asks again
    failed = Signal(object)
    #: every change heard (a :class:`~backend.domain.records.PaymentChange`), here
    heard = Signal(object)
    #: True while changes are pushed; False while the stream is down and it polls
    live_changed = Signal(bool)
    #: emitted on the listener's thread only: queued to this object's (the GUI) thread
    _arrived = Signal(object)

    def __init__(
        self,
        api: CheckoutApi,
        runner: TaskRunner,
        parent: QObject,
        *,
        terminal: str | None = None,
        poll_ms: int = POLL_MS,
        ask_provider: bool = True,
    ) -> None:
        super().__init__(parent)
        self.api = api
        self.runner = runner
        self.terminal = terminal
        self.ask_provider = ask_provider
        #: answers are for this widget: dropped once its window has closed
        self._owner = parent if isinstance(parent, QWidget) else self
        self.payment: dict[str, Any] | None = None
        self.remote = bool(getattr(api, "remote", False))
        #: changes are pushed (in-process always; remote while the stream is up)
        self.live = True
        #: the subscription is in place (changes from now on are heard)
        self.subscribed = False
        self._asking = False
        self._again = False
        self._overdue = False
        self._not_ready = 0
        self._connected_once = False
        self._down_checks = 0
        self._recent: OrderedDict[str, str] = OrderedDict()
        self.poll_timer = self._timer(poll_ms, self.ask)
        self.provider_timer = self._timer(poll_ms, self.ask)
        self.retry_timer = self._timer(poll_ms, self.ask, single=True)
        self.link_timer: QTimer | None = None
        self._arrived.connect(self._on_change)
        self._listen()

    def _timer(self, ms: int, then: Callable[[], None], *, single: bool = False) -> QTimer:
        timer = QTimer(self)
        timer.setInterval(ms)
        timer.setSingleShot(single)
        timer.timeout.connect(then)
        return timer

    # following -------------------------------------------------------------------------
    def follow(self, payment: dict[str, Any]) -> None:
        """Follow this payment from now on (instead of any other)."""
        self.payment = dict(payment)
        self._overdue = False
        self._not_ready = 0
        self.retry_timer.stop()
        self._arm()
        if self._recent.get(str(payment.get("id"))) not in (None, CREATED):
            self.ask()  # it changed before this screen followed it

    def stop(self) -> None:
        """Stop asking (the payment is finished); an answer on its way is still said."""
        for timer in (self.poll_timer, self.provider_timer, self.retry_timer):
            timer.stop()

    def forget(self) -> None:
        """Stop following and drop any answer still on its way."""
        self.stop()
        self.payment = None

    def countdown_over(self) -> None:
        """The clock says the payment's time is up: ask the store, which decides (once;
        again each ``poll_ms`` while it still says open)."""
        if self.payment is None or not is_open(self.payment):
            return
        if self._overdue and (self._asking or self.retry_timer.isActive()):
            return  # asked already
        self._overdue = True
        self.ask()

    @property
    def polling(self) -> bool:
        """Asking every few seconds because the stream is down (not pushed)."""
        return self.poll_timer.isActive()

    def ask(self) -> None:
        """Ask how the followed payment stands now (one question in flight at a time;
        asked while one is, it asks again once that one is answered)."""
        if self.payment is None:
            return
        if self._asking:
            self._again = True
            return
        self._asking = True
        self._again = False
        payment_id = self.payment["id"]
        self.runner.call(
            self.api.payment_status,
            payment_id,
            on_success=lambda payment: self._answered(payment_id, payment),
            on_failure=lambda exc: self._failed(payment_id, exc),
            owner=self._owner,
        )

    def _answered(self, payment_id: str, payment: Mapping[str, Any]) -> None:
        self._asking = False
        again, self._again = self._again, False
        current = self.payment
        if current is None:
            return
        if current["id"] != payment_id or payment.get("id") != payment_id:
            if again:
                self.ask()  # asked meanwhile about the payment followed now
            return
        self.payment = {**current, **payment}
        self._arm()
        self._retry_if_needed()
        self.answered.emit(self.payment)
        if again and self._following(payment_id) and is_open(self.payment):
            self.ask()

    def _failed(self, payment_id: str, exc: Exception) -> None:
        self._asking = False
        again, self._again = self._again, False
        if self._following(payment_id):
            self.failed.emit(exc)
        if again:
            self.ask()  # asked meanwhile (about this payment or the one followed now)

    def _following(self, payment_id: str) -> bool:
        return self.payment is not None and self.payment["id"] == payment_id

    def _retry_if_needed(self) -> None:
        """Ask again shortly when the store cannot say yet: the card page is still being
        made, or the clock ran out but the store (another clock) still says open."""
        payment = self.payment
        if payment is None or not is_open(payment):
            self.retry_timer.stop()
            return
        if not payment_view(payment).qr_text and self._not_ready < len(NOT_READY_MS):
            self.retry_timer.start(NOT_READY_MS[self._not_ready])
            self._not_ready += 1
        elif self._overdue:
            self.retry_timer.start(self.poll_timer.interval())
        else:
            self.retry_timer.stop()  # it can say now: a retry armed earlier is not needed

    def _arm(self) -> None:
        """Run the one fallback timer that applies now, and no other."""
        payment = self.payment
        open_ = payment is not None and is_open(payment)
        polling = open_ and not self.live
        provider = (
            open_
            and self.live
            and self.ask_provider
            and payment is not None
            and (pays_on_page(payment) or bool(payment.get("psp")))
        )
        for timer, on in ((self.poll_timer, polling), (self.provider_timer, provider)):
            if on and not timer.isActive():
                timer.start()
            elif not on and timer.isActive():
                timer.stop()

    # hearing ---------------------------------------------------------------------------
    def _listen(self) -> None:
        gate = _Gate()
        arrived = self._arrived
        api, terminal = self.api, self.terminal

        def listener(change: Any) -> None:  # on the feed's or the stream's thread
            with gate.lock:
                if gate.open:
                    arrived.emit(dict(change))

        def subscribe() -> bool:  # on a worker thread (the feed reads the store first)
            stop = api.watch_payments(listener, terminal)
            with gate.lock:
                if gate.open:
                    gate.stop = stop
                    return True
            stop()  # the window closed meanwhile
            return False

        Listening(gate.end, self)
        run = self.runner.run_net if self.remote else self.runner.run_db
        run(subscribe, self._subscribed, self._not_subscribed, owner=self._owner)

    def _subscribed(self, done: bool) -> None:
        if not done:
            return
        self.subscribed = True
        if self.remote:
            self.link_timer = self._timer(LINK_CHECK_MS, self._check_link)
            self.link_timer.start()
        self.ask()  # anything that changed before the subscription was in place

    def _not_subscribed(self, exc: Exception) -> None:
        log.warning("payment changes cannot be heard (%s): asking every few seconds", exc)
        self._set_live(False)

    def _on_change(self, change: dict[str, Any]) -> None:
        payment_id = str(change.get("payment_id"))
        self._recent[payment_id] = str(change.get("kind"))
        self._recent.move_to_end(payment_id)
        while len(self._recent) > RECENT:
            self._recent.popitem(last=False)
        if self._following(payment_id):
            self.ask()
        self.heard.emit(change)

    def _check_link(self) -> None:
        """Remote: is the stream up? (the client's flag, read here on the GUI thread)"""
        up = bool(getattr(self.api, "stream_connected", True))
        if up:
            self._connected_once = True
            self._down_checks = 0
        else:
            self._down_checks += 1
            if not self._connected_once and self._down_checks < FIRST_CONNECT_CHECKS:
                return  # still connecting at start-up
        if up != self.live:
            self._set_live(up)

    def _set_live(self, live: bool) -> None:
        self.live = live
        self._arm()
        if live and self.payment is not None and is_open(self.payment):
            self.ask()  # back: how it stands now
        self.live_changed.emit(live)
