"""Self-service kiosk (``autoos-checkout kiosk``): choose a plan → your details → pay by
UPI QR (or card, when the store can take cards; or UPI AutoPay, when the shop offers it,
its mandate's terms shown first) or start the free trial → done → start again.

Full-screen and frameless over its whole screen, with or without a window manager
(:mod:`app.kiosk.lock`). Closing it (Alt+F4, Escape, the window manager, a window
destroyed from outside) does nothing until an admin enters their PIN: the window stays
or comes straight back, and the attempt is logged. Five quick taps in the top-left
corner or Ctrl+Alt+Shift+Q open the prompt. After ``settings.ui.kiosk_idle_seconds``
without input the kiosk returns to the start — except while a request can still be
paid: the customer may be in their UPI app, so the request's own expiry ends that wait.
The customer's own Cancel asks first, in the window ("Stop paying?"). Every question to
the store is one operation of the application interface, run by the
:class:`~app.runtime.tasks.TaskRunner`, so a dead network never freezes the screen; the
plans offered, the ways to pay and a payment's status are the backend's answers, and a
payment's changes are pushed to it (:class:`~app.runtime.payment_follow.PaymentFollow`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QKeyEvent, QKeySequence, QResizeEvent, QShortcut
from PySide6.QtWidgets import QStackedWidget, QVBoxLayout, QWidget

from app.kiosk.details_page import Details, DetailsPage
from app.kiosk.guards import CornerTaps, IdleWatcher
from app.kiosk.lock import ScreenLock
from app.kiosk.options import KioskOptions
from app.kiosk.pay_pages import MethodPage, PaymentPage, ResultPage
from app.kiosk.pin_page import PinPage
from app.kiosk.plan_page import PlanPage
from app.runtime.lifecycle import close_down
from app.runtime.payment_follow import PaymentFollow
from app.runtime.sale_options import AUTOPAY, SaleOptions, ask_sale_options
from app.runtime.tasks import TaskRunner
from app.text.date_text import day_text
from app.text.plan_text import plan_label, plan_summary, tax_note, tier_amount
from app.widgets.field_errors import problems_of
from app.widgets.payment_panel import payment_view
from app.widgets.screen_note import ScreenNote, live_text
from backend.domain.payments import Outcome, is_open, outcome
from backend.errors import CheckoutError, Conflict
from backend.interface import ADMIN, CheckoutApi

log = logging.getLogger(__name__)

ADMIN_CHORD = "Ctrl+Alt+Shift+Q"
#: the kiosk's own outcome beside a payment's: a free trial started
TRIAL = "trial"
UPI_HINT = "Scan the code with any UPI app to pay."
CARD_HINT = "Scan the code with your phone's camera to pay by card."
AUTOPAY_HINT = (
    "Scan the code with your phone's camera, choose your UPI app and approve the mandate "
    "with your UPI PIN. Later periods are debited by themselves; you can pause or revoke "
    "the mandate in your UPI app at any time."
)
#: under the QR, by the kind of payment (``payment_view``)
HINTS = {"upi": UPI_HINT, "card": CARD_HINT, "autopay": AUTOPAY_HINT}
PREPARING = {
    "upi": "Preparing your QR code…",
    "card": "Preparing your card payment…",
    AUTOPAY: "Preparing your UPI AutoPay sign-up…",
}


class KioskWindow(QWidget):
    """The kiosk over the application interface ``api``; ``now`` is the injected clock."""

    #: the admin who unlocked the kiosk (it closes right after)
    unlocked = Signal(dict)
    #: the kiosk went back to the start; ``reason`` is "idle", "done" or "cancel"
    reset_done = Signal(str)
    #: against a store server: the strip saying it is reconnecting
    banner: QWidget | None = None

    def __init__(
        self,
        api: CheckoutApi,
        runner: TaskRunner,
        now: Callable[[], datetime],
        options: KioskOptions | None = None,
    ) -> None:
        super().__init__(
            None,
            Qt.WindowType.Window
            | Qt.WindowType.FramelessWindowHint
            | Qt.WindowType.WindowStaysOnTopHint,
        )
        self.setObjectName("kiosk")
        #: this kiosk's name (its payments record it); unknown against a store server
        self.terminal: str | None = getattr(api.caller, "terminal", None)
        title = "AUTOOS Self-service"
        self.setWindowTitle(f"{title} — {self.terminal}" if self.terminal else title)
        self.api = api
        self.runner = runner
        self.options = options or KioskOptions()
        self._may_close = False
        self.tier: dict[str, Any] | None = None
        self.interval = "month"
        self.customer: dict[str, Any] | None = None
        #: how the chosen plan may be paid here now, by method (``sale_methods``, and
        #: ``upi_autopay`` from ``autopay_offer``)
        self.methods: dict[str, dict[str, Any]] = {}
        self.request: dict[str, Any] | None = None
        #: counts the customers served: an answer for an earlier one is ignored
        self.session = 0
        self._pin_return: QWidget | None = None

        opts = self.options
        self.plan_page = PlanPage(currency=opts.currency)
        self.details_page = DetailsPage()
        self.method_page = MethodPage()
        self.payment_page = PaymentPage(now)
        self.result_page = ResultPage()
        self.pin_page = PinPage()
        self.stack = QStackedWidget()
        for page in (
            self.plan_page,
            self.details_page,
            self.method_page,
            self.payment_page,
            self.result_page,
            self.pin_page,
        ):
            self.stack.addWidget(page)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stack)
        self.corner = CornerTaps(self)
        self.corner.move(0, 0)
        self.corner.raise_()
        #: keeps the window over its screen until an admin unlocks it
        self.lock = ScreenLock(self)

        self.idle = IdleWatcher(opts.idle_seconds, now, self)
        self.idle.idle.connect(lambda: self.reset("idle"))
        self.follow = PaymentFollow(api, runner, self, terminal=self.terminal, poll_ms=opts.poll_ms)
        self.follow.answered.connect(self._polled)
        self.follow.failed.connect(lambda exc: log.warning("kiosk: payment status: %s", exc))
        #: says so while live updates are paused (a store server's stream is down)
        self.note = ScreenNote(self)
        self.follow.live_changed.connect(
            lambda live: self.note.say("" if live else live_text(opts.poll_ms))
        )
        self.result_timer = QTimer(self)
        self.result_timer.setSingleShot(True)
        self.result_timer.setInterval(int(opts.result_seconds * 1000))
        self.result_timer.timeout.connect(lambda: self.reset("done"))

        self.plan_page.chosen.connect(self._plan_chosen)
        self.details_page.back.connect(lambda: self.reset("cancel"))
        self.details_page.submitted.connect(self._details_entered)
        self.method_page.back.connect(self._show_details)
        self.method_page.upi.connect(lambda: self._pay("upi"))
        self.method_page.card.connect(lambda: self._pay("card"))
        self.method_page.autopay.connect(lambda: self._pay(AUTOPAY))
        self.payment_page.cancel_button.clicked.connect(self.payment_page.stop_overlay.ask)
        self.payment_page.stop_overlay.stop.connect(lambda: self.reset("cancel"))
        self.payment_page.panel.expired.connect(self._countdown_over)
        self.result_page.done_button.clicked.connect(lambda: self.reset("done"))
        self.pin_page.entered.connect(self._check_pin)
        self.pin_page.cancelled.connect(self._pin_cancelled)
        self.corner.triggered.connect(self.ask_pin)
        self.chord = QShortcut(QKeySequence(ADMIN_CHORD), self)
        self.chord.setContext(Qt.ShortcutContext.WindowShortcut)
        self.chord.activated.connect(self.ask_pin)

    # start-up -----------------------------------------------------------------------
    def cover_screen(self) -> None:
        """Show over the whole screen and stay there (with or without a window manager)."""
        self.lock.cover()

    def start(self) -> None:
        """Load the plans the shop offers now (in the background)."""
        self.runner.call(
            self.api.pricing, on_success=self.plan_page.set_plans, on_failure=self._plans_failed
        )

    def _plans_failed(self, exc: Exception) -> None:
        self.plan_page.loading.setText(f"The plans could not be loaded: {exc}")

    @property
    def page(self) -> QWidget:
        return self.stack.currentWidget()

    # the flow -----------------------------------------------------------------------
    def _plan_chosen(self, tier: dict[str, Any], interval: str) -> None:
        self.tier = tier
        self.interval = interval
        self.customer = None
        self.idle.arm()
        self._show_details()

    def _is_trial(self) -> bool:
        return bool(self.tier and self.tier.get("trial_days"))

    def _show_details(self) -> None:
        assert self.tier is not None
        action = "Start my free trial" if self._is_trial() else "Continue"
        self.details_page.prepare(
            plan_summary(self.tier, self.options.currency, self.interval), action
        )
        self.stack.setCurrentWidget(self.details_page)

    def _details_entered(self, details: Details) -> None:
        """The customer as the store knows them (a returning one by what they typed;
        nothing about the stored record is shown back), then their trial or the ways
        to pay."""
        self.details_page.set_busy(True)
        session = self.session
        self.runner.call(
            self.api.find_or_add_customer,
            name=details.name,
            email=details.email,
            phone=details.phone,
            on_success=lambda customer: self._customer_known(customer, session),
            on_failure=self._details_failed,
        )

    def _customer_known(self, customer: dict[str, Any], session: int) -> None:
        if session != self.session or self.tier is None:
            return  # the kiosk went back to the start meanwhile
        self.customer = customer
        if self._is_trial():
            self.runner.call(
                self.api.start_trial,
                customer["id"],
                on_success=lambda trial: session == self.session and self._trial_started(trial),
                on_failure=self._details_failed,
            )
        else:
            ask_sale_options(
                self.api,
                self.runner,
                self,
                tier=self.tier["id"],
                interval=self.interval,
                currency=self.options.currency,
                on_answer=lambda options: session == self.session and self._show_methods(options),
                on_failure=self._details_failed,
            )

    def _details_failed(self, exc: Exception) -> None:
        self.details_page.set_busy(False)
        problems = problems_of(exc)
        if self._is_trial() and isinstance(exc, Conflict):
            message = (
                "A free trial has already been used with these details. "
                "Choose a plan, or ask us at the counter."
            )
            self.details_page.show_errors({}, message)
        elif problems and set(problems) <= set(self.details_page.fields):
            self.details_page.show_errors(problems)  # every refused field, each under itself
        else:
            self.details_page.show_errors({}, _problem(exc))

    def _show_methods(self, options: SaleOptions) -> None:
        assert self.tier is not None
        self.methods = options.methods
        upi, card = options.enabled("upi"), options.enabled("card")
        self.method_page.prepare(
            tier_amount(self.tier, self.options.currency, self.interval),
            plan_label(self.tier["name"], self.interval) + tax_note(self.options.currency),
            upi=upi,
            card=card,
            autopay_terms=options.terms,
        )
        if not upi and not card and not options.terms:
            self.method_page.set_busy(False, "Payments are not available here: please ask us.")
        self.stack.setCurrentWidget(self.method_page)

    def _trial_started(self, trial: dict[str, Any]) -> None:
        credits = trial.get("credits") or 0
        detail = f"Ends {day_text(trial['ends_at'])}"
        if credits:
            detail += f" · {credits} workflow credits"
        self._show_result(TRIAL, detail)

    def _pay(self, method: str) -> None:
        assert self.customer is not None
        assert self.tier is not None
        self.method_page.set_busy(True, PREPARING[method])
        session = self.session
        if method == AUTOPAY:
            self.runner.call(
                self.api.autopay_start,
                self.customer["id"],
                self.tier["id"],
                self.interval,
                self.options.currency,
                on_success=lambda sale: self._show_payment(sale, session),
                on_failure=self._payment_failed,
            )
            return
        self.runner.call(
            self.api.subscribe,
            self.customer["id"],
            self.tier["id"],
            self.interval,
            method,
            self.options.currency,
            on_success=lambda sold: self._show_payment(sold["payment"], session),
            on_failure=self._payment_failed,
        )

    def _payment_failed(self, exc: Exception) -> None:
        if isinstance(exc, Conflict):  # e.g. already on a plan: changing it is a staff task
            message = "You already have a plan with us. Please ask us at the counter to change it."
        else:
            message = _problem(exc)
        self.method_page.set_busy(False, message)

    def _show_payment(self, request: dict[str, Any], session: int) -> None:
        if session != self.session or self.page is not self.method_page:
            self._withdraw(request)  # the kiosk went back to the start meanwhile
            return
        self.request = request
        self.payment_page.panel.show_request(request)
        self.payment_page.panel.set_hint(HINTS[payment_view(request).kind])
        self.stack.setCurrentWidget(self.payment_page)
        # a request that can still be paid is never abandoned for idleness: its own
        # expiry (on the clock) ends the wait, and then the result page times out
        self.idle.disarm()
        self.follow.follow(request)

    def _polled(self, request: dict[str, Any]) -> None:
        if self.page is not self.payment_page:
            return
        self.request = request
        now = outcome(request)
        if now == Outcome.PAID:
            view = self.payment_page.panel.view
            receipt = request.get("receipt_no")
            parts = [
                view.plan if view else "",
                "renews by UPI AutoPay" if view and view.kind == "autopay" else "",
                f"Receipt {receipt}" if receipt else "",
            ]
            self._show_result(Outcome.PAID, " · ".join(part for part in parts if part))
        elif now == Outcome.EXPIRED:
            self._show_result(now, "Nothing was charged. Touch Done to start again.")
        elif now == Outcome.CANCELED:
            self._show_result(now, "")

    def _countdown_over(self) -> None:
        if self.page is self.payment_page:
            self.follow.countdown_over()  # the store decides, from its clock

    def _show_result(self, result: str, detail: str) -> None:
        self.follow.forget()
        self.payment_page.panel.stop()
        self.payment_page.stop_overlay.dismiss()
        if result == TRIAL:
            self.result_page.panel.show_outcome(
                Outcome.PAID, detail, message="Your free trial has started. Enjoy AUTOOS!"
            )
            self.result_page.panel.headline.setText("You're in ✓")
        else:
            self.result_page.panel.show_outcome(result, detail)
        self.request = None  # finished: nothing left to cancel
        self.stack.setCurrentWidget(self.result_page)
        self.result_timer.start()

    # going back to the start ----------------------------------------------------------
    def reset(self, reason: str) -> None:
        """Cancel whatever is pending and show the plans again, with every field empty."""
        self._cancel_pending()
        self.follow.forget()
        self.result_timer.stop()
        self.payment_page.panel.stop()
        self.payment_page.stop_overlay.dismiss()
        self.idle.disarm()
        self.session += 1
        self.tier = None
        self.customer = None
        self.methods = {}
        self.details_page.clear()
        self.pin_page.reset()
        self.stack.setCurrentWidget(self.plan_page)
        self.reset_done.emit(reason)

    def _cancel_pending(self) -> None:
        request, self.request = self.request, None
        self._withdraw(request)

    def _withdraw(self, request: dict[str, Any] | None) -> None:
        if not request or not is_open(request):
            return
        self.runner.call(
            self.api.cancel_payment,
            request["id"],
            on_failure=lambda exc: log.warning("kiosk: cancel payment: %s", exc),
        )

    # admin unlock -------------------------------------------------------------------
    def ask_pin(self) -> None:
        if self.page is self.pin_page:
            return
        self._pin_return = self.page
        self.pin_page.reset()
        self.stack.setCurrentWidget(self.pin_page)
        self.pin_page.name.setFocus()
        self.idle.arm()  # an abandoned prompt goes back to the start

    def _pin_cancelled(self) -> None:
        back = self._pin_return or self.plan_page
        self.pin_page.reset()
        self.stack.setCurrentWidget(back)
        if back is self.plan_page:
            self.idle.disarm()

    def _check_pin(self, name: str, pin: str) -> None:
        self.pin_page.set_busy(True)
        self.runner.call(
            self.api.authenticate,
            name,
            pin,
            on_success=self._pin_ok,
            on_failure=self._pin_refused,
        )

    def _pin_ok(self, staff: dict[str, Any]) -> None:
        self.pin_page.set_busy(False)
        if staff.get("role") != ADMIN:
            self.pin_page.pin.clear()
            self.pin_page.say("Only an admin can unlock the kiosk.")
            return
        self._may_close = True
        self.lock.release()
        self.unlocked.emit(staff)
        self.close()

    def _pin_refused(self, exc: Exception) -> None:
        self.pin_page.set_busy(False)
        self.pin_page.pin.clear()
        self.pin_page.say(_problem(exc))

    # refusing to be closed ----------------------------------------------------------
    def closeEvent(self, event: QCloseEvent) -> None:
        if not self._may_close:
            event.ignore()
            self.lock.refused_close()
            return
        self._cancel_pending()
        self.idle.remove()
        close_down(self)  # polling, result and idle timers stop; late answers are dropped
        event.accept()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape or (
            event.key() == Qt.Key.Key_F4 and event.modifiers() & Qt.KeyboardModifier.AltModifier
        ):
            event.accept()  # swallowed: only the admin PIN leaves the kiosk
            if event.key() == Qt.Key.Key_F4:
                log.warning("kiosk: Alt+F4 was refused (admin PIN needed)")
            return
        super().keyPressEvent(event)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.corner.raise_()


def _problem(exc: Exception) -> str:
    if isinstance(exc, CheckoutError):
        return str(exc)
    return "Something went wrong. Please try again or ask us at the counter."
