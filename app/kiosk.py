"""Self-service kiosk (``autoos-checkout kiosk``): choose a plan → your details → pay by
UPI QR (or card, when Stripe is configured) or start the free trial → done → start again.

Full-screen and frameless. Closing it (Alt+F4, Escape, the window manager) does nothing
until an admin enters their PIN: five quick taps in the top-left corner or Ctrl+Alt+
Shift+Q open the prompt. After ``settings.ui.kiosk_idle_seconds`` without input the
kiosk returns to the start — except while a request can still be paid: the customer
may be in their UPI app, so the request's own expiry ends that wait. All backend work runs
through the :class:`~app.tasks.TaskRunner`, so a dead network never freezes the screen.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QKeyEvent, QKeySequence, QResizeEvent, QShortcut
from PySide6.QtWidgets import QApplication, QHBoxLayout, QStackedWidget, QVBoxLayout, QWidget

from app.date_text import day_text
from app.kiosk_guard import CornerTaps, IdleWatcher
from app.kiosk_pages import Details, DetailsPage, MethodPage, PinPage, PlanPage, touch_button
from app.lifecycle import close_down
from app.plan_text import plan_label
from app.tasks import TaskRunner
from app.widgets.customer_panels import (
    PaymentPanel,
    ResultPanel,
    ScaledPanel,
    tier_amount,
)
from backend.config import Settings
from backend.context import Context
from backend.errors import CheckoutError, Conflict, DuplicateError
from backend.facade import CheckoutService

log = logging.getLogger(__name__)

ADMIN_CHORD = "Ctrl+Alt+Shift+Q"
PAID = ("succeeded", "late")


@dataclass(frozen=True)
class KioskOptions:
    """The settings the kiosk reads (``settings.ui``, ``features``, ``shop``)."""

    idle_seconds: float = 60
    currency: str = "INR"
    upi: bool = True
    card: bool = True
    trial: bool = True
    annual: bool = True
    result_seconds: float = 20
    poll_ms: int = 2000

    @classmethod
    def from_settings(cls, settings: Settings) -> KioskOptions:
        return cls(
            idle_seconds=settings.ui.kiosk_idle_seconds,
            currency=settings.shop.default_currency,
            upi=settings.features.upi_payments,
            card=settings.features.card_payments,
            trial=settings.features.free_trial,
            annual=settings.features.annual_billing,
        )


class PaymentPage(ScaledPanel):
    """The QR, big, with its countdown and a way out."""

    def __init__(self, now: Callable[[], datetime]) -> None:
        super().__init__()
        self.setObjectName("kioskPaymentPage")
        self.panel = PaymentPanel(now)
        self.cancel_button = touch_button("Cancel")
        row = QHBoxLayout()
        row.setContentsMargins(32, 0, 32, 24)
        row.addStretch(1)
        row.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.panel, 1)
        layout.addLayout(row)


class ResultPage(ScaledPanel):
    """Paid / trial started / expired, with one button back to the start."""

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("kioskResultPage")
        self.panel = ResultPanel()
        self.done_button = touch_button("Done", primary=True)
        self.done_button.setMinimumWidth(320)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.done_button)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(48, 48, 48, 96)
        layout.addWidget(self.panel, 1)
        layout.addLayout(row)


def customer_for(
    service: CheckoutService, *, name: str, email: str | None, phone: str | None
) -> dict[str, Any]:
    """The customer with this email (or else phone), or a new one.

    A returning customer is recognised by what they typed, as at the counter; nothing
    about the stored record is shown back on the kiosk.
    """
    for key in (email, phone):
        if key:
            found = [
                row
                for row in service.find_customers(key, limit=5)
                if (email and row.get("email") == email) or (phone and row.get("phone") == phone)
            ]
            if found:
                return found[0]
    try:
        return service.add_customer(name=name, email=email, phone=phone)
    except DuplicateError:
        # created a moment ago by someone else (the staff till): use that record
        for key in (email, phone):
            if key:
                rows = service.find_customers(key, limit=1)
                if rows:
                    return rows[0]
        raise


class KioskWindow(QWidget):
    """The kiosk. ``service`` follows the GUI contract; ``now`` is the injected clock."""

    #: the admin who unlocked the kiosk (it closes right after)
    unlocked = Signal(dict)
    #: the kiosk went back to the start; ``reason`` is "idle", "done" or "cancel"
    reset_done = Signal(str)

    def __init__(
        self,
        service: CheckoutService,
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
        self.setWindowTitle("AUTOOS — Self-service")
        self.service = service
        self.runner = runner
        self.options = options or KioskOptions()
        self._may_close = False
        self.card_ready = False
        self.tier: dict[str, Any] | None = None
        self.interval = "month"
        self.customer: dict[str, Any] | None = None
        self.request: dict[str, Any] | None = None
        self.request_kind = ""
        self._polling = False
        self._pin_return: QWidget | None = None

        opts = self.options
        self.plan_page = PlanPage(annual=opts.annual, trial=opts.trial, currency=opts.currency)
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

        self.idle = IdleWatcher(opts.idle_seconds, now, self)
        self.idle.idle.connect(lambda: self.reset("idle"))
        self.poll_timer = QTimer(self)
        self.poll_timer.setInterval(opts.poll_ms)
        self.poll_timer.timeout.connect(self._poll)
        self.result_timer = QTimer(self)
        self.result_timer.setSingleShot(True)
        self.result_timer.setInterval(int(opts.result_seconds * 1000))
        self.result_timer.timeout.connect(lambda: self.reset("done"))

        self.plan_page.chosen.connect(self._plan_chosen)
        self.details_page.back.connect(lambda: self.reset("cancel"))
        self.details_page.submitted.connect(self._details_entered)
        self.method_page.back.connect(self._show_details)
        self.method_page.upi.connect(self._pay_upi)
        self.method_page.card.connect(self._pay_card)
        self.payment_page.cancel_button.clicked.connect(lambda: self.reset("cancel"))
        self.payment_page.panel.expired.connect(self._countdown_over)
        self.result_page.done_button.clicked.connect(lambda: self.reset("done"))
        self.pin_page.entered.connect(self._check_pin)
        self.pin_page.cancelled.connect(self._pin_cancelled)
        self.corner.triggered.connect(self.ask_pin)
        self.chord = QShortcut(QKeySequence(ADMIN_CHORD), self)
        self.chord.setContext(Qt.ShortcutContext.WindowShortcut)
        self.chord.activated.connect(self.ask_pin)

    # start-up -----------------------------------------------------------------------
    def start(self) -> None:
        """Load the plans and whether card payments are possible (in the background)."""
        self.runner.run_db(self.service.catalog, self.plan_page.set_tiers, self._plans_failed)
        if self.options.card:
            self.runner.run_net(self.service.card_status, self._card_status, self._no_card)

    def _plans_failed(self, exc: Exception) -> None:
        self.plan_page.loading.setText(f"The plans could not be loaded: {exc}")

    def _card_status(self, status: Mapping[str, Any]) -> None:
        self.card_ready = bool(status.get("configured"))

    def _no_card(self, exc: Exception) -> None:
        self.card_ready = False
        log.info("kiosk: card payments unavailable: %s", exc)

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

    def _plan_text(self) -> str:
        assert self.tier is not None
        if self.tier.get("trial_days"):
            return f"{self.tier['name']} · {self.tier['trial_days']} days free"
        amount = tier_amount(self.tier, self.options.currency, self.interval)
        return f"{plan_label(self.tier['name'], self.interval)} · {amount}"

    def _is_trial(self) -> bool:
        return bool(self.tier and self.tier.get("trial_days"))

    def _show_details(self) -> None:
        action = "Start my free trial" if self._is_trial() else "Continue"
        self.details_page.prepare(self._plan_text(), action)
        self.stack.setCurrentWidget(self.details_page)

    def _details_entered(self, details: Details) -> None:
        self.details_page.set_busy(True)
        service = self.service

        def find() -> dict[str, Any]:
            return customer_for(
                service, name=details.name, email=details.email, phone=details.phone
            )

        if self._is_trial():

            def trial() -> dict[str, Any]:
                customer = find()
                return {"customer": customer, "trial": service.start_trial(customer["id"])}

            self.runner.run_db(trial, self._trial_started, self._details_failed)
        else:
            self.runner.run_db(find, self._customer_ready, self._details_failed)

    def _details_failed(self, exc: Exception) -> None:
        self.details_page.set_busy(False)
        if self._is_trial() and isinstance(exc, Conflict):
            message = (
                "A free trial has already been used with these details. "
                "Choose a plan, or ask us at the counter."
            )
            self.details_page.show_errors({}, message)
        elif isinstance(exc, CheckoutError) and exc.field in self.details_page.fields:
            self.details_page.show_errors({exc.field: str(exc)})
        else:
            self.details_page.show_errors({}, _problem(exc))

    def _customer_ready(self, customer: dict[str, Any]) -> None:
        self.customer = customer
        assert self.tier is not None
        upi = self.options.upi and self.options.currency == "INR"
        self.method_page.prepare(
            tier_amount(self.tier, self.options.currency, self.interval),
            plan_label(self.tier["name"], self.interval),
            upi=upi,
            card=self.card_ready,
        )
        if not upi and not self.card_ready:
            self.method_page.set_busy(False, "Payments are not available here: please ask us.")
        self.stack.setCurrentWidget(self.method_page)

    def _trial_started(self, result: dict[str, Any]) -> None:
        trial = result["trial"]
        credits = trial.get("credits") or 0
        detail = f"Ends {day_text(trial['ends_at'])}"
        if credits:
            detail += f" · {credits} workflow credits"
        self._show_result("trial", detail)

    def _pay_upi(self) -> None:
        assert self.customer is not None
        assert self.tier is not None
        self.method_page.set_busy(True, "Preparing your QR code…")
        customer_id, tier, interval = self.customer["id"], self.tier["id"], self.interval
        self.runner.run_db(
            lambda: self.service.create_request(
                customer_id=customer_id, tier=tier, interval=interval
            ),
            lambda request: self._show_payment(request, "upi"),
            self._payment_failed,
        )

    def _pay_card(self) -> None:
        assert self.customer is not None
        assert self.tier is not None
        self.method_page.set_busy(True, "Preparing your card payment…")
        customer_id, tier, interval = self.customer["id"], self.tier["id"], self.interval
        currency = self.options.currency
        self.runner.run_net(
            lambda: self.service.start_checkout(
                customer_id=customer_id, tier=tier, interval=interval, currency=currency
            ),
            lambda request: self._show_payment(request, "card"),
            self._payment_failed,
        )

    def _payment_failed(self, exc: Exception) -> None:
        if isinstance(exc, Conflict):  # e.g. already on a plan: changing it is a staff task
            message = "You already have a plan with us. Please ask us at the counter to change it."
        else:
            message = _problem(exc)
        self.method_page.set_busy(False, message)

    def _show_payment(self, request: dict[str, Any], kind: str) -> None:
        if self.page is not self.method_page:
            # the kiosk was reset while the request was being made: withdraw it
            self.request, self.request_kind = request, kind
            self._cancel_pending()
            return
        self.request = request
        self.request_kind = kind
        self.payment_page.panel.show_request(request)
        self.payment_page.panel.set_hint("Scan the code with any UPI app to pay.")
        self.stack.setCurrentWidget(self.payment_page)
        # a request that can still be paid is never abandoned for idleness: its own
        # expiry (on the clock) ends the wait, and then the result page times out
        self.idle.disarm()
        self.poll_timer.start()

    def _poll(self) -> None:
        if self._polling or self.request is None:
            return
        self._polling = True
        payment_id = self.request["id"]
        if self.request_kind == "card":
            self.runner.run_net(
                lambda: self.service.refresh(payment_id), self._polled, self._poll_failed
            )
        else:
            self.runner.run_db(
                lambda: self.service.get_payment(payment_id), self._polled, self._poll_failed
            )

    def _poll_failed(self, exc: Exception) -> None:
        self._polling = False
        log.warning("kiosk: payment status not available: %s", exc)

    def _polled(self, request: dict[str, Any]) -> None:
        self._polling = False
        if self.request is None or request.get("id") != self.request.get("id"):
            return
        if self.page is not self.payment_page:
            return
        self.request = request
        status = request.get("status")
        if status in PAID:
            receipt = request.get("receipt_no")
            detail = self.payment_page.panel.view.plan if self.payment_page.panel.view else ""
            if receipt:
                detail = f"{detail} · Receipt {receipt}" if detail else f"Receipt {receipt}"
            self._show_result("paid", detail)
        elif status == "expired":
            self._show_result("expired", "Nothing was charged. Touch Done to start again.")
        elif status in ("canceled", "failed"):
            self._show_result("canceled", "")

    def _countdown_over(self) -> None:
        if self.page is self.payment_page:
            self._poll()  # the store decides; its status is computed from the same clock

    def _show_result(self, outcome: str, detail: str) -> None:
        self.poll_timer.stop()
        self.payment_page.panel.stop()
        if outcome == "trial":
            self.result_page.panel.show_outcome(
                "paid", detail, message="Your free trial has started. Enjoy AUTOOS!"
            )
            self.result_page.panel.headline.setText("You're in ✓")
        else:
            self.result_page.panel.show_outcome(outcome, detail)
        self.request = None  # finished: nothing left to cancel
        self.stack.setCurrentWidget(self.result_page)
        self.result_timer.start()

    # going back to the start ----------------------------------------------------------
    def reset(self, reason: str) -> None:
        """Cancel whatever is pending and show the plans again, with every field empty."""
        self._cancel_pending()
        self.poll_timer.stop()
        self.result_timer.stop()
        self.payment_page.panel.stop()
        self.idle.disarm()
        self.tier = None
        self.customer = None
        self.details_page.clear()
        self.pin_page.reset()
        self.stack.setCurrentWidget(self.plan_page)
        self.reset_done.emit(reason)

    def _cancel_pending(self) -> None:
        request, kind = self.request, self.request_kind
        self.request = None
        if not request or request.get("status", "pending") != "pending":
            return
        payment_id = request["id"]
        if kind == "card":
            self.runner.run_net(
                lambda: self.service.cancel_checkout(payment_id),
                on_failure=lambda exc: log.warning("kiosk: cancel card: %s", exc),
            )
        else:
            self.runner.run_db(
                lambda: self.service.cancel_request(payment_id),
                on_failure=lambda exc: log.warning("kiosk: cancel UPI request: %s", exc),
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
        self.runner.run_db(
            lambda: self.service.authenticate(name, pin), self._pin_ok, self._pin_refused
        )

    def _pin_ok(self, staff: dict[str, Any]) -> None:
        self.pin_page.set_busy(False)
        if staff.get("role") != "admin":
            self.pin_page.pin.clear()
            self.pin_page.error.setText("Only an admin can unlock the kiosk.")
            return
        self._may_close = True
        self.unlocked.emit(staff)
        self.close()

    def _pin_refused(self, exc: Exception) -> None:
        self.pin_page.set_busy(False)
        self.pin_page.pin.clear()
        self.pin_page.error.setText(_problem(exc))

    # refusing to be closed ----------------------------------------------------------
    def closeEvent(self, event: QCloseEvent) -> None:
        if not self._may_close:
            event.ignore()
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
            return
        super().keyPressEvent(event)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.corner.raise_()


def _problem(exc: Exception) -> str:
    if isinstance(exc, CheckoutError):
        return str(exc)
    return "Something went wrong. Please try again or ask us at the counter."


def run_kiosk(app: QApplication, ctx: Context) -> int:
    """``autoos-checkout kiosk``: the kiosk full-screen until an admin unlocks it."""
    from app.startup_probe import ENV_VAR as FIRST_PAINT_ENV
    from app.startup_probe import quit_after_first_paint
    from backend.facade import LocalCheckoutService

    runner = TaskRunner()
    window = KioskWindow(
        LocalCheckoutService(ctx, "kiosk"),
        runner,
        ctx.clock.now,
        KioskOptions.from_settings(ctx.settings),
    )
    window.start()
    if os.environ.get(FIRST_PAINT_ENV):  # start-up measurement and the mode's smoke test
        quit_after_first_paint(window)
    window.showFullScreen()
    try:
        return app.exec()
    finally:
        runner.shutdown()
