"""The checkout: plan → customer → method → waiting → receipt, then a clean reset.

This view owns the flow. Every question to the backend is one operation of the
application interface, run by the task runner: the plans offered now (``pricing``), how
this sale may be paid (``sale_methods`` and ``autopay_offer``), selling the plan
(``subscribe``, or ``autopay_start`` for UPI AutoPay) or starting a trial, the payment's
status now whatever its method (``payment_status``, asked when the
backend says the payment changed: :class:`~app.runtime.payment_follow.PaymentFollow`)
and withdrawing it (``cancel_payment``). The countdown runs on the injected clock, and
the customer display is kept in step (``show_payment`` / ``show_paid`` /
``show_expired`` / ``show_canceled`` / ``show_idle``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QDialog, QMessageBox, QStackedWidget, QVBoxLayout, QWidget

from app.runtime.payment_follow import PaymentFollow
from app.runtime.sale_options import AUTOPAY, SaleOptions, ask_sale_options
from app.runtime.tasks import TaskRunner
from app.text.messages import say
from app.text.plan_text import plan_summary
from app.till.checkout.customer_step import CustomerPicker
from app.till.checkout.method_step import MethodStep
from app.till.checkout.sale_result import paid_result, trial_result
from app.till.checkout.success_step import SuccessStep
from app.till.checkout.tier_step import TierPicker
from app.till.checkout.waiting_step import WaitingStep
from app.till.receipts import ReceiptActions
from app.till.utr_dialog import UtrDialog
from app.widgets.payment_panel import payment_view
from backend.adapters.upi.qr import qr_matrix
from backend.clock import parse_iso
from backend.domain.payments import (
    Outcome,
    is_autopay,
    is_open,
    is_paid,
    is_upi,
    may_confirm_with_utr,
    outcome,
)
from backend.interface import CheckoutApi

log = logging.getLogger(__name__)

POLL_MS = 2000
TRIALS_OFF = "Free trials are turned off."

STEP_TIERS, STEP_CUSTOMER, STEP_METHOD, STEP_WAITING, STEP_DONE = range(5)


class CheckoutView(QWidget):
    """A whole sale, from the keyboard alone if need be."""

    #: a sale finished (paid or trial started); carries the payment or trial dict
    sale_completed = Signal(dict)
    #: back to the plans with no payment open (a clean start for the next sale)
    went_idle = Signal()

    def __init__(
        self,
        api: CheckoutApi,
        runner: TaskRunner,
        *,
        now: Callable[[], datetime],
        display: Any = None,
        qr_factory: Callable[[], QWidget | None] | None = None,
    ) -> None:
        super().__init__()
        self.api = api
        self.runner = runner
        self.now = now
        self.display = display
        self.settings: dict[str, Any] = {"features": {}, "upi": {}, "mail": {}, "shop": {}}
        #: the plans the shop offers now (``pricing``)
        self.tiers: list[dict[str, Any]] = []
        self.sale: dict[str, Any] = {}
        self.receipts = ReceiptActions(
            api, runner, self, tell=lambda message, ok: self.success_step.say(message, ok)
        )

        lay = QVBoxLayout(self)
        lay.setContentsMargins(24, 18, 24, 18)
        self.stack = QStackedWidget()
        lay.addWidget(self.stack)
        self.tier_step = TierPicker()
        self.customer_step = CustomerPicker(api, runner)
        self.method_step = MethodStep()
        self.waiting_step = WaitingStep()
        self.success_step = SuccessStep()
        for step in (
            self.tier_step,
            self.customer_step,
            self.method_step,
            self.waiting_step,
            self.success_step,
        ):
            self.stack.addWidget(step)
        self.qr_preview = qr_factory() if qr_factory is not None else None
        self.waiting_step.set_qr_widget(self.qr_preview)

        self.tier_step.chosen.connect(self._tier_chosen)
        self.customer_step.chosen.connect(self._customer_chosen)
        self.customer_step.back.connect(self.back)
        self.method_step.chosen.connect(self._method_chosen)
        self.method_step.back.connect(self.back)
        self.waiting_step.cancel_requested.connect(self.cancel_payment)
        self.waiting_step.utr_requested.connect(self.confirm_with_utr)
        self.waiting_step.retry_requested.connect(lambda: self._method_chosen(self.sale["method"]))
        self.waiting_step.done_requested.connect(self.reset)
        self.success_step.next_sale.connect(self.reset)
        self.success_step.save_pdf.connect(lambda: self.receipts.save_pdf(self.sale["request"]))
        self.success_step.print_receipt.connect(
            lambda: self.receipts.print_receipt(self.sale["request"])
        )
        self.success_step.email_receipt.connect(lambda: self.receipts.email(self.sale["request"]))

        escape = QShortcut(QKeySequence(Qt.Key.Key_Escape), self)
        escape.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        escape.activated.connect(self.back)

        # this till's payments, heard as they change (a card's asked of Stripe meanwhile)
        terminal = getattr(api.caller, "terminal", None)
        self.follow = PaymentFollow(api, runner, self, terminal=terminal, poll_ms=POLL_MS)
        self.follow.answered.connect(self._polled)
        self.follow.failed.connect(self._poll_failed)
        self.tick_timer = QTimer(self)
        self.tick_timer.setInterval(1000)
        self.tick_timer.timeout.connect(self._tick)

    # -- setup --------------------------------------------------------------------------
    def load(self) -> None:
        """Read the plans offered and the settings, then show the plans (unless a
        payment is already being followed meanwhile)."""
        self._read_settings(self._reset_if_idle)

    def reload_settings(self) -> None:
        """The settings changed (an admin saved them): offer what they allow now. A sale
        under way is left alone; it starts over with the new plans only if none is. A
        receipt on screen is asked again what it allows (the GSTIN may be set now)."""
        self._read_settings(self._reset_if_idle)

    def reload(self) -> None:
        """The Checkout tab is shown again: the keyboard goes back to the step's main
        action (Enter starts the next sale on the receipt), and the receipt's actions
        are asked again (settings may have been saved meanwhile)."""
        self._focus_step()
        self.receipts.refresh(self._recheck_receipt)

    def _reset_if_idle(self) -> None:
        if self.stack.currentIndex() == STEP_TIERS:
            self.reset()
        self._recheck_receipt()

    def _recheck_receipt(self) -> None:
        """On the receipt step of a paid sale: enable what the settings allow now."""
        payment = self.sale.get("request")
        if self.stack.currentIndex() != STEP_DONE or not payment or not is_paid(payment):
            return
        customer = self.sale.get("customer") or {}
        self.success_step.set_receipt_reasons(self.receipts.reasons(payment, customer.get("email")))

    def _read_settings(self, then: Callable[[], None]) -> None:
        api = self.api

        def loaded(result: tuple[dict[str, Any], dict[str, Any]]) -> None:
            pricing, self.settings = result
            self.tiers = list(pricing["tiers"])
            self.tier_step.set_catalog(self.tiers, annual_billing="year" in pricing["intervals"])
            self.tier_step.set_currency(self.settings["shop"].get("default_currency", "INR"))
            self.receipts.configure(self.settings)
            then()

        self.runner.run_db(lambda: (api.pricing(), api.settings_view()), loaded)

    # -- navigation ---------------------------------------------------------------------
    def back(self) -> None:
        """Esc: one step back; on the waiting screen, cancel the payment."""
        step = self.stack.currentIndex()
        if step == STEP_CUSTOMER:
            self._go(STEP_TIERS)
        elif step == STEP_METHOD:
            self._go(STEP_CUSTOMER)
            self.customer_step.start(self._plan_summary())
        elif step == STEP_WAITING:
            request = self.sale.get("request")
            if request and is_open(request):
                self.cancel_payment()
            else:
                self.reset()
        elif step == STEP_DONE:
            self.reset()

    def _go(self, step: int) -> None:
        """Show a step and put the keyboard focus on its main action (Enter does it)."""
        self.stack.setCurrentIndex(step)
        self._focus_step()

    def _focus_step(self) -> None:
        step = self.stack.currentIndex()
        if step == STEP_TIERS:
            self.tier_step.focus_recommended()
        elif step == STEP_METHOD:
            self.method_step.focus_default()
        elif step == STEP_WAITING:
            self.waiting_step.focus_default()
        elif step == STEP_DONE:
            self.success_step.next.setFocus(Qt.FocusReason.OtherFocusReason)

    def reset(self) -> None:
        """A clean start for the next sale (and the idle screen on the display)."""
        self.follow.forget()
        self.tick_timer.stop()
        self.sale = {}
        self._call_display("show_idle", self.tiers)
        self._go(STEP_TIERS)
        self.went_idle.emit()

    def open_payment(self) -> dict[str, Any] | None:
        """The payment waiting to be paid on this page, if there is one."""
        request = self.sale.get("request")
        return request if request and is_open(request) else None

    # -- step 1 → 2 → 3 -----------------------------------------------------------------
    def _tier_chosen(self, tier: dict[str, Any], interval: str, currency: str) -> None:
        self.sale = {"tier": tier, "interval": interval, "currency": currency}
        self._go(STEP_CUSTOMER)
        self.customer_step.start(self._plan_summary())

    def _plan_summary(self) -> str:
        return plan_summary(self.sale["tier"], self.sale["currency"], self.sale["interval"])

    def _customer_chosen(self, customer: dict[str, Any]) -> None:
        self.sale["customer"] = customer
        self._offer_methods()

    def _offer_methods(self, error: str = "") -> None:
        """Ask how this sale may be paid here now; then show the methods (and ``error``)."""
        sale = self.sale
        ask_sale_options(
            self.api,
            self.runner,
            self,
            tier=sale["tier"]["id"],
            interval=sale["interval"],
            currency=sale["currency"],
            on_answer=lambda options: self._show_methods(sale, options, error),
            on_failure=lambda exc: self._show_methods(sale, SaleOptions(), error or say(exc)),
        )

    def _show_methods(self, sale: dict[str, Any], options: SaleOptions, error: str) -> None:
        if sale is not self.sale:
            return  # the answer is about a sale that is already over
        reasons: dict[str, str | None] = {m: options.reason(m) for m in options.methods}
        offered = any(tier.get("trial_days") for tier in self.tiers)
        reasons["trial"] = None if offered else TRIALS_OFF
        self.method_step.offer(
            f"{self._plan_summary()} · for {sale['customer']['name']}",
            reasons,
            {AUTOPAY: options.terms},
        )
        self._go(STEP_METHOD)
        if error:
            self.method_step.show_error(error)

    # -- step 3: start the payment ------------------------------------------------------
    def _method_chosen(self, method: str) -> None:
        self.sale["method"] = method
        customer_id = self.sale["customer"]["id"]
        self.method_step.busy(True)
        if method == "trial":
            self.runner.call(
                self.api.start_trial,
                customer_id,
                on_success=self._trial_started,
                on_failure=self._refused,
            )
            return
        if method == AUTOPAY:
            self.runner.call(
                self.api.autopay_start,
                customer_id,
                self.sale["tier"]["id"],
                self.sale["interval"],
                self.sale["currency"],
                on_success=self._payment_started,
                on_failure=self._refused,
            )
            return
        self.runner.call(
            self.api.subscribe,
            customer_id,
            self.sale["tier"]["id"],
            self.sale["interval"],
            method,
            self.sale["currency"],
            on_success=lambda sold: self._payment_started(sold["payment"]),
            on_failure=self._refused,
        )

    def _refused(self, exc: Exception) -> None:
        self.method_step.busy(False)
        message = say(exc)
        if self.stack.currentIndex() == STEP_WAITING:
            self.waiting_step.show_error(message)
        else:
            self._go(STEP_METHOD)
            self.method_step.show_error(message)

    def _payment_started(self, request: dict[str, Any]) -> None:
        self.method_step.busy(False)
        self.sale["request"] = request
        self.sale["payment"] = request["id"]
        self.waiting_step.begin(request, self.sale["customer"], self.now())
        self._show_qr(request)
        self._call_display("show_payment", request)
        self._go(STEP_WAITING)
        self.follow.follow(request)
        self.tick_timer.start()

    def follow_payment(self, request: dict[str, Any], customer: dict[str, Any]) -> None:
        """Take over a payment made elsewhere (a plan upgrade; an overdue AutoPay renewal
        paid by QR, or a new mandate) on the waiting screen."""
        self.follow.forget()
        method = AUTOPAY if is_autopay(request) else "upi" if is_upi(request) else "card"
        self.sale = {"customer": customer, "method": method, "followed": True}
        self._payment_started(request)

    # -- step 4: waiting ----------------------------------------------------------------
    def poll(self) -> None:
        """Ask the backend how the payment stands now (one question in flight at a time)."""
        self.follow.ask()

    def _poll_failed(self, exc: Exception) -> None:
        if self.stack.currentIndex() == STEP_WAITING:
            self.waiting_step.show_error(say(exc))

    def _polled(self, payment: dict[str, Any]) -> None:
        if "request" not in self.sale:
            return
        self.waiting_step.error.hide()
        self._apply_status(payment)

    def _show_qr(self, request: dict[str, Any]) -> None:
        """The QR on the till's own screen: the UPI link, or the provider's page once the
        backend has it (a card or AutoPay page may arrive after the first answer)."""
        if self.qr_preview is None:
            return
        text = payment_view(request).qr_text
        if text == self.qr_preview.text:
            return
        if text:
            self.qr_preview.set_matrix(qr_matrix(text), text)
        else:
            self.qr_preview.clear()  # no page yet: nothing to scan, rather than an error

    def _apply_status(self, payment: dict[str, Any]) -> None:
        before = outcome(self.sale["request"])
        self.sale["request"] = {**self.sale["request"], **payment}
        self._show_qr(self.sale["request"])
        now = outcome(self.sale["request"])
        if now == Outcome.PAID:
            self._paid(self.sale["request"])
            return
        self.waiting_step.update_status(self.sale["request"], self.now())
        if self.sale.get("followed"):
            self.waiting_step.retry.hide()  # a new upgrade QR is asked for on Customers
        if now != before:
            if now == Outcome.EXPIRED:
                self.follow.stop()
                self._call_display("show_expired", self.sale["request"])
            elif now == Outcome.CANCELED:
                self.follow.stop()
                self._call_display("show_canceled")

    def _tick(self) -> None:
        request = self.sale.get("request")
        if not request:
            return
        self.waiting_step.tick(self.now())
        expires = request.get("expires_at")
        if expires and is_open(request) and parse_iso(expires) <= self.now():
            self.follow.countdown_over()  # the backend recomputes it from the clock

    def cancel_payment(self) -> None:
        request = self.sale.get("request")
        if not request:
            return
        answer = QMessageBox.question(
            self,
            "Cancel payment?",
            f"Cancel this {request.get('amount_text', '')} payment request?\n"
            "The QR stops working and nothing is charged.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        self.do_cancel()

    def do_cancel(self) -> None:
        """Withdraw the open payment without asking (the confirmation was given). One
        paid while the question was open is left alone: the receipt step shows it."""
        request = self.sale.get("request")
        if not request or not is_open(request):
            return
        payment_id = request["id"]
        self.runner.call(
            self.api.cancel_payment,
            payment_id,
            on_success=self._for_this_sale(payment_id, self._canceled),
            on_failure=self._for_this_sale(payment_id, self._cancel_refused),
        )

    def _cancel_refused(self, exc: Exception) -> None:
        """Paid (or ended) a moment before the cancel arrived: ask how it stands, so a
        paid sale goes on to its receipt; the refusal is said while still waiting."""
        if self.stack.currentIndex() == STEP_WAITING:
            self.waiting_step.show_error(say(exc))
            self.poll()

    def _for_this_sale(self, payment_id: str, then: Callable[[Any], None]) -> Callable[[Any], None]:
        """``then``, only while ``payment_id`` is still this page's sale: the pushed change
        may have finished it (and the cashier started the next sale) before the answer to
        the page's own request arrives."""

        def deliver(answer: Any) -> None:
            request = self.sale.get("request")
            if request is not None and request.get("id") == payment_id:
                then(answer)

        return deliver

    def _canceled(self, payment: dict[str, Any] | None) -> None:
        self.follow.forget()
        self.tick_timer.stop()
        if isinstance(payment, dict) and is_paid(payment):
            self._paid({**self.sale["request"], **payment})  # paid just before the cancel
            return
        self._call_display("show_canceled")
        if self.sale.get("followed"):
            self.reset()
            return
        self.sale.pop("request", None)
        self._offer_methods("Payment cancelled. Nothing was charged.")

    def confirm_with_utr(self) -> None:
        request = self.sale.get("request")
        if not request or not may_confirm_with_utr(request):
            return
        dialog = UtrDialog(request.get("amount_text", ""), self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        self.submit_utr(dialog.utr)

    def submit_utr(self, utr: str) -> None:
        payment_id = self.sale["request"]["id"]
        self.runner.call(
            self.api.confirm_with_utr,
            payment_id,
            utr,
            on_success=self._for_this_sale(payment_id, self._apply_status),
            on_failure=self._for_this_sale(payment_id, self._refused),
        )

    # -- step 5: done -------------------------------------------------------------------
    def _paid(self, payment: dict[str, Any]) -> None:
        self.follow.forget()
        self.tick_timer.stop()
        self.sale["request"] = payment
        self._call_display("show_paid", payment)
        customer = self.sale["customer"]
        reasons = self.receipts.reasons(payment, customer.get("email"))
        self.success_step.show_result(**paid_result(payment, customer, reasons))
        self._go(STEP_DONE)
        self.sale_completed.emit(payment)

    def _trial_started(self, trial: dict[str, Any]) -> None:
        self.method_step.busy(False)
        self.sale["payment"] = None
        self.success_step.show_result(**trial_result(trial, self.sale["customer"]))
        self._go(STEP_DONE)
        self.sale_completed.emit(trial)

    # -- the customer display -----------------------------------------------------------
    def _call_display(self, slot: str, *args: Any) -> None:
        if self.display is None:
            return
        try:
            getattr(self.display, slot)(*args)
        except Exception:  # the display must never break a sale at the counter
            log.exception("customer display failed in %s", slot)
