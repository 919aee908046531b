"""The checkout: plan → customer → method → waiting → receipt, then a clean reset.

This view owns the flow. It asks the backend through the service (always via the task
runner), polls an open payment every two seconds, runs the countdown from the injected
clock, and keeps the customer display in step (``show_payment`` / ``show_paid`` /
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

from app.customer_picker import CustomerPicker
from app.date_text import moment_text
from app.messages import say
from app.payment_steps import MethodStep, SuccessStep, WaitingStep
from app.plan_text import offered, plan_label, tier_price
from app.receipt_actions import ReceiptActions
from app.tasks import TaskRunner
from app.tier_picker import TierPicker
from app.utr_dialog import UtrDialog
from backend.adapters.upi.qr import qr_matrix
from backend.clock import parse_iso
from backend.domain.money import format_money
from backend.facade import CheckoutService

log = logging.getLogger(__name__)

POLL_MS = 2000
PAID = ("succeeded", "late", "complete", "paid")
OVER = ("expired", "canceled", "failed")

STEP_TIERS, STEP_CUSTOMER, STEP_METHOD, STEP_WAITING, STEP_DONE = range(5)


class CheckoutView(QWidget):
    """A whole sale, from the keyboard alone if need be."""

    #: a sale finished (paid or trial started); carries the payment or trial dict
    sale_completed = Signal(dict)

    def __init__(
        self,
        service: CheckoutService,
        runner: TaskRunner,
        *,
        now: Callable[[], datetime],
        display: Any = None,
        qr_factory: Callable[[], QWidget | None] | None = None,
    ) -> None:
        super().__init__()
        self.service = service
        self.runner = runner
        self.now = now
        self.display = display
        self.settings: dict[str, Any] = {"features": {}, "upi": {}, "mail": {}}
        self.card: dict[str, Any] = {"configured": False, "reason": "Checking card payments…"}
        self.tiers: list[dict[str, Any]] = []
        self.sale: dict[str, Any] = {}
        self._polling = False
        self.receipts = ReceiptActions(service, runner, self)

        lay = QVBoxLayout(self)
        lay.setContentsMargins(24, 18, 24, 18)
        self.stack = QStackedWidget()
        lay.addWidget(self.stack)
        self.tier_step = TierPicker()
        self.customer_step = CustomerPicker(service, runner)
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
        self.success_step.save_pdf.connect(lambda: self.receipts.save_pdf(self.sale["payment"]))
        self.success_step.print_receipt.connect(
            lambda: self.receipts.print_receipt(self.sale["payment"])
        )
        self.success_step.email_receipt.connect(
            lambda: self.receipts.email(self.sale["payment"], self.success_step.say)
        )

        escape = QShortcut(QKeySequence(Qt.Key.Key_Escape), self)
        escape.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        escape.activated.connect(self.back)

        self.poll_timer = QTimer(self)
        self.poll_timer.setInterval(POLL_MS)
        self.poll_timer.timeout.connect(self.poll)
        self.tick_timer = QTimer(self)
        self.tick_timer.setInterval(1000)
        self.tick_timer.timeout.connect(self._tick)

    # -- setup --------------------------------------------------------------------------
    def set_service(self, service: CheckoutService) -> None:
        """Act as the signed-in staff member from now on."""
        self.service = service
        self.customer_step.set_service(service)
        self.receipts.service = service

    def load(self) -> None:
        """Read catalog, settings and card availability, then show the plans."""
        self._read_settings(self.reset)

    def reload_settings(self) -> None:
        """The settings changed (an admin saved them): offer what they allow now. A sale
        under way is left alone; it starts over with the new plans only if none is."""
        self._read_settings(self._reset_if_idle)

    def _reset_if_idle(self) -> None:
        if self.stack.currentIndex() == STEP_TIERS:
            self.reset()

    def _read_settings(self, then: Callable[[], None]) -> None:
        def read() -> tuple[list[dict[str, Any]], dict[str, Any]]:
            return self.service.catalog(), self.service.settings_view()

        def loaded(result: tuple[list[dict[str, Any]], dict[str, Any]]) -> None:
            catalog, self.settings = result
            self.tiers = offered(catalog, self.settings["features"])
            self.tier_step.set_catalog(
                self.tiers, annual_billing=bool(self.settings["features"].get("annual_billing"))
            )
            self.tier_step.set_currency(self.settings["shop"].get("default_currency", "INR"))
            self.receipts.configure(self.settings)
            then()

        self.runner.run_db(read, loaded)
        self.runner.run_net(self.service.card_status, self._card_known, self._card_unknown)

    def _card_known(self, status: dict[str, Any]) -> None:
        self.card = status
        self._reoffer()

    def _card_unknown(self, exc: Exception) -> None:
        self.card = {"configured": False, "reason": say(exc)}
        self._reoffer()

    def _reoffer(self) -> None:
        """The card answer came while the methods were on screen: update the buttons."""
        if self.stack.currentIndex() == STEP_METHOD and "customer" in self.sale:
            self._offer_methods()

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
            if self.sale.get("request", {}).get("status") in ("pending", "open"):
                self.cancel_payment()
            else:
                self.reset()
        elif step == STEP_DONE:
            self.reset()

    def _go(self, step: int) -> None:
        """Show a step and put the keyboard focus on its main action (Enter does it)."""
        self.stack.setCurrentIndex(step)
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
        self.poll_timer.stop()
        self.tick_timer.stop()
        self.sale = {}
        self._call_display("show_idle", self.tiers)
        self._go(STEP_TIERS)

    # -- step 1 → 2 → 3 -----------------------------------------------------------------
    def _tier_chosen(self, tier: dict[str, Any], interval: str, currency: str) -> None:
        self.sale = {"tier": tier, "interval": interval, "currency": currency}
        self._go(STEP_CUSTOMER)
        self.customer_step.start(self._plan_summary())

    def _plan_summary(self) -> str:
        tier = self.sale["tier"]
        if tier["trial_days"]:
            return f"{tier['name']} · {tier['trial_days']} days free"
        price = tier_price(tier, self.sale["currency"], self.sale["interval"])
        amount = format_money(price) if price else ""
        return f"{plan_label(tier['name'], self.sale['interval'])} · {amount}"

    def _customer_chosen(self, customer: dict[str, Any]) -> None:
        self.sale["customer"] = customer
        self._offer_methods()
        self._go(STEP_METHOD)

    def _offer_methods(self) -> None:
        summary = f"{self._plan_summary()} · for {self.sale['customer']['name']}"
        self.method_step.offer(summary, self.method_reasons())

    def method_reasons(self) -> dict[str, str | None]:
        """Why each payment method cannot be used right now (``None`` = it can)."""
        features = self.settings.get("features", {})
        upi = self.settings.get("upi", {})
        tier = self.sale.get("tier", {})
        is_trial = bool(tier.get("trial_days"))
        reasons: dict[str, str | None] = {}
        if is_trial:
            reasons["upi"] = reasons["card"] = "The free trial needs no payment."
        else:
            if not features.get("upi_payments"):
                reasons["upi"] = "UPI payments are turned off in settings."
            elif not upi.get("vpa"):
                reasons["upi"] = "UPI not configured: an admin must set the shop's UPI ID (VPA)."
            elif self.sale.get("currency") != "INR":
                reasons["upi"] = "UPI takes rupees only: go back and switch to ₹ INR."
            else:
                reasons["upi"] = None
            if not features.get("card_payments"):
                reasons["card"] = "Card payments are turned off in settings."
            elif not self.card.get("configured"):
                reasons["card"] = self.card.get("reason") or "Card payments not configured"
            else:
                reasons["card"] = None
        reasons["trial"] = None if features.get("free_trial") else "Free trials are turned off."
        return reasons

    # -- step 3: start the payment ------------------------------------------------------
    def _method_chosen(self, method: str) -> None:
        self.sale["method"] = method
        customer_id = self.sale["customer"]["id"]
        tier_id = self.sale["tier"]["id"]
        interval, currency = self.sale["interval"], self.sale["currency"]
        self.method_step.busy(True)
        if method == "trial":
            self.runner.run_db(
                lambda: self.service.start_trial(customer_id), self._trial_started, self._refused
            )
        elif method == "upi":
            self.runner.run_db(
                lambda: self.service.create_request(
                    customer_id=customer_id, tier=tier_id, interval=interval
                ),
                self._payment_started,
                self._refused,
            )
        else:
            self.runner.run_net(
                lambda: self.service.start_checkout(
                    customer_id=customer_id, tier=tier_id, interval=interval, currency=currency
                ),
                self._payment_started,
                self._refused,
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
        self.waiting_step.begin(request, self.sale["method"], self.sale["customer"], self.now())
        if self.qr_preview is not None:
            text = self._qr_text(request)
            self.qr_preview.set_matrix(qr_matrix(text), text)
        self._call_display("show_payment", request)
        self._go(STEP_WAITING)
        self.poll_timer.start()
        self.tick_timer.start()

    def follow_payment(self, request: dict[str, Any], customer: dict[str, Any]) -> None:
        """Take over a UPI request made elsewhere (a plan upgrade) on the waiting screen."""
        self.poll_timer.stop()
        self.sale = {"customer": customer, "method": "upi", "followed": True}
        self._payment_started(request)

    def _qr_text(self, request: dict[str, Any]) -> str:
        return request["uri"] if self.sale.get("method") == "upi" else request["url"]

    # -- step 4: waiting ----------------------------------------------------------------
    def poll(self) -> None:
        """Ask the backend for the payment's status (one question in flight at a time)."""
        request = self.sale.get("request")
        if self._polling or not request:
            return
        self._polling = True
        payment_id = request["id"]
        if self.sale["method"] == "card":
            self.runner.run_net(
                lambda: self.service.refresh(payment_id), self._polled, self._poll_failed
            )
        elif self.settings.get("upi", {}).get("psp"):
            self.runner.run_net(
                lambda: self.service.poll_psp(payment_id), self._polled, self._poll_failed
            )
        else:
            self.runner.run_db(
                lambda: self.service.get_payment(payment_id), self._polled, self._poll_failed
            )

    def _poll_failed(self, exc: Exception) -> None:
        self._polling = False
        if self.stack.currentIndex() == STEP_WAITING:
            self.waiting_step.show_error(say(exc))

    def _polled(self, payment: dict[str, Any]) -> None:
        self._polling = False
        request = self.sale.get("request")
        if not request or payment.get("id") != request["id"]:
            return  # the answer is about a sale that is already over
        self.waiting_step.error.hide()
        self._apply_status(payment)

    def _apply_status(self, payment: dict[str, Any]) -> None:
        before = self.sale["request"].get("status")
        self.sale["request"] = {**self.sale["request"], **payment}
        status = self.sale["request"].get("status")
        if status in PAID:
            self._paid(self.sale["request"])
            return
        self.waiting_step.update_status(self.sale["request"], self.now())
        if self.sale.get("followed"):
            self.waiting_step.retry.hide()  # a new upgrade QR is asked for on Customers
        if status != before:
            if status == "expired":
                self.poll_timer.stop()
                self._call_display("show_expired", self.sale["request"])
            elif status in ("canceled", "failed"):
                self.poll_timer.stop()
                self._call_display("show_canceled")

    def _tick(self) -> None:
        request = self.sale.get("request")
        if not request:
            return
        self.waiting_step.tick(self.now())
        expires = request.get("expires_at")
        if (
            expires
            and request.get("status") in ("pending", "open")
            and parse_iso(expires) <= self.now()
        ):
            self.poll()  # the backend recomputes the status from the clock

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
        """Cancel the open request without asking (the confirmation was given)."""
        request = self.sale["request"]
        payment_id = request["id"]
        if self.sale["method"] == "card":
            self.runner.run_net(
                lambda: self.service.cancel_checkout(payment_id), self._canceled, self._refused
            )
        else:
            self.runner.run_db(
                lambda: self.service.cancel_request(payment_id), self._canceled, self._refused
            )

    def _canceled(self, payment: dict[str, Any] | None) -> None:
        self.poll_timer.stop()
        self.tick_timer.stop()
        self._call_display("show_canceled")
        if isinstance(payment, dict) and payment.get("status") in PAID:
            self._paid({**self.sale["request"], **payment})  # paid just before the cancel
            return
        if self.sale.get("followed"):
            self.reset()
            return
        self.sale.pop("request", None)
        self._offer_methods()
        self.method_step.show_error("Payment cancelled. Nothing was charged.")
        self._go(STEP_METHOD)

    def confirm_with_utr(self) -> None:
        request = self.sale.get("request")
        if not request or self.sale.get("method") != "upi":
            return
        dialog = UtrDialog(request.get("amount_text", ""), self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        self.submit_utr(dialog.utr)

    def submit_utr(self, utr: str) -> None:
        payment_id = self.sale["request"]["id"]
        self.runner.run_db(
            lambda: self.service.confirm_with_utr(payment_id, utr),
            self._apply_status,
            self._refused,
        )

    # -- step 5: done -------------------------------------------------------------------
    def _paid(self, payment: dict[str, Any]) -> None:
        self.poll_timer.stop()
        self.tick_timer.stop()
        self.sale["request"] = payment
        self._call_display("show_paid", payment)
        late = payment.get("status") == "late"
        reference = payment.get("utr") or payment.get("tr") or payment.get("session_id") or ""
        self.success_step.show_result(
            heading="Payment received ✓",
            banner=(
                "Paid after the QR had expired: the payment is kept and flagged for a manager."
                if late
                else f"{self.sale['customer']['name']} now has {payment.get('tier_name', '')}."
            ),
            values={
                "receipt_no": payment.get("receipt_no") or "",
                "customer": self.sale["customer"]["name"],
                "plan": plan_label(payment.get("tier_name", ""), payment.get("interval")),
                "amount": payment.get("amount_text", ""),
                "paid_at": moment_text(payment.get("paid_at")),
                "reference": reference,
            },
            receipt_reasons=self.receipts.reasons(
                self.sale["customer"], payment.get("currency") or "INR"
            ),
        )
        self._go(STEP_DONE)
        self.sale_completed.emit(payment)

    def _trial_started(self, trial: dict[str, Any]) -> None:
        self.method_step.busy(False)
        self.sale["payment"] = None
        customer = self.sale["customer"]
        no_receipt = "A free trial has no receipt."
        self.success_step.show_result(
            heading="Free trial started ✓",
            banner=(
                f"{customer['name']} can use AUTOOS free until {moment_text(trial.get('ends_at'))}."
            ),
            values={
                "customer": customer["name"],
                "plan": f"Free Trial · {trial.get('credits', '')} workflow credits",
                "amount": "Free",
                "paid_at": moment_text(trial.get("started_at")),
            },
            receipt_reasons={"pdf": no_receipt, "print": no_receipt, "email": no_receipt},
        )
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
