"""Payments needing attention, on the Payments page: UPI AutoPay renewals that failed
(the amount, the reason, until when the plan keeps working, whether the customer was
emailed) and live plans whose mandate the customer revoked or paused — the backend's
``needing_attention()``, read again after every action.

For a row, as its ``actions`` allow: **Pay overdue by UPI QR** (``autopay_pay_overdue``:
a one-time UPI QR for the overdue amount) and **New mandate** (``autopay_new_mandate``:
a new AutoPay sign-up). Either payment is handed to the Checkout page
(:attr:`AttentionPanel.payment_started`), which shows its QR on the till and the
customer display and follows it like any sale. **Cancel AutoPay…** asks first.
**Refund Stripe charge…** (admins only, as the Payments table's refund) gives back
Stripe's charge of a period paid twice — by UPI QR at the till and by Stripe's retry —
through the same dialog and operation as the Payments table
(:func:`app.till.refund_dialog.refund_payment`); refunded in full, the row is gone.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.runtime.tasks import TaskRunner
from app.text.date_text import day_text
from app.text.messages import say
from app.text.plan_text import plan_label
from app.till.autopay_box import cancel_autopay
from app.till.refund_dialog import refund_payment
from app.widgets.rows_model import RowsModel, fit_rows, rows_table
from backend.interface import CheckoutApi

#: rows shown before the list scrolls
MAX_ROWS = 4
COLUMNS = (
    ("customer_name", "Customer"),
    ("plan", "Plan"),
    ("amount_text", "Amount"),
    ("what", "What happened"),
    ("until", "Plan works until"),
    ("email", "Customer emailed"),
)
KINDS = {
    "renewal_failed": "Renewal not collected",
    "mandate_inactive": "Mandate inactive",
    "paid_twice": "Paid twice",
    "not_marked_paid": "Not marked paid at Stripe",
}
EMAIL_WORDS = {
    "pending": "not yet (sent with the next sync)",
    "sending": "being sent",
    "sent": "yes",
    "failed": "failed",
    "skipped": "no",
    "unknown": "unknown — check the mail server",
}
PAY_QR, NEW_MANDATE, CANCEL, REFUND = "pay_qr", "new_mandate", "cancel", "refund"
#: why a plan whose mandate is inactive cannot get a new one here yet
NOT_FAILED_YET = (
    "Its renewal has not failed yet, so there is nothing overdue to replace: cancel the "
    "plan and sell UPI AutoPay again, or act once the renewal fails."
)


def cell_text(row: dict[str, Any], key: str) -> str:
    if key == "plan":
        return plan_label(str(row.get("tier_name") or ""), row.get("interval"))
    if key == "what":
        kind = str(row.get("kind") or "")
        return f"{KINDS.get(kind, kind)}: {row.get('reason') or ''}"
    if key == "until":
        if row.get("grace_until"):
            lapsed = " (grace over: usage refused)" if row.get("lapsed") else ""
            return f"{day_text(row['grace_until'])}{lapsed}"
        if row.get("renews_at"):
            return f"renews {day_text(row['renews_at'])}"
        return ""
    if key == "email":
        if "email_status" not in row:
            return ""
        if not row.get("email"):
            return "no email address"
        return EMAIL_WORDS.get(str(row.get("email_status")), str(row.get("email_status")))
    value = row.get(key)
    return "" if value is None else str(value)


def allows(row: dict[str, Any] | None, action: str) -> bool:
    """The backend lists the action for this row (and, for the overdue-renewal actions,
    the renewal's number to act on)."""
    if row is None or action not in (row.get("actions") or ()):
        return False
    if action == REFUND:
        return row.get("payment_id") is not None
    return action == CANCEL or row.get("notice_id") is not None


def payment_to_refund(row: dict[str, Any]) -> dict[str, Any]:
    """The payment a "paid twice" row refunds (Stripe's charge), as the refund dialog
    reads a payment."""
    return {
        "id": row["payment_id"],
        "amount": row["amount"],
        "refunded_amount": row.get("refunded_amount") or 0,
        "currency": row["currency"],
        "customer_name": row.get("customer_name") or "",
        "receipt_no": row.get("receipt_no"),
    }


def customer_of(row: dict[str, Any]) -> dict[str, Any]:
    """The customer as the Checkout page's receipt step needs them."""
    return {
        "id": row["customer_id"],
        "name": row.get("customer_name") or "",
        "email": row.get("email"),
        "phone": row.get("phone"),
    }


class AttentionPanel(QGroupBox):
    """ "Payments needing attention", with its actions."""

    #: a QR to show and follow on the Checkout page: (payment, customer)
    payment_started = Signal(dict, dict)
    #: an action was done (what to say)
    decided = Signal(str)
    #: the list or an action failed (the backend's words)
    refused = Signal(str)

    def __init__(
        self,
        api: CheckoutApi,
        runner: TaskRunner,
        parent: QWidget | None = None,
        *,
        is_admin: bool = False,
    ):
        super().__init__("Payments needing attention", parent)
        self.api = api
        self.runner = runner
        self.is_admin = is_admin
        lay = QVBoxLayout(self)
        self.hint = QLabel()
        self.hint.setObjectName("hint")
        self.hint.setWordWrap(True)
        lay.addWidget(self.hint)
        self.model = RowsModel(COLUMNS, cell_text, tips=frozenset({"what"}))
        self.table = rows_table(self.model, self._selection)
        lay.addWidget(self.table)
        row = QHBoxLayout()
        row.addStretch(1)
        self.cancel_button = QPushButton("Cancel AutoPay…")
        self.cancel_button.setObjectName("danger")
        self.cancel_button.clicked.connect(self.cancel_selected)
        row.addWidget(self.cancel_button)
        #: refunds are for admins, as on the Payments table (not created for staff)
        self.refund_button: QPushButton | None = None
        if is_admin:
            self.refund_button = QPushButton("Refund Stripe charge…")
            self.refund_button.setObjectName("danger")
            self.refund_button.setToolTip(
                "Paid twice: give back what Stripe's retry took (the UPI QR payment stays)"
            )
            self.refund_button.clicked.connect(self.refund_selected)
            row.addWidget(self.refund_button)
        self.mandate_button = QPushButton("&New mandate")
        self.mandate_button.clicked.connect(self.new_mandate)
        row.addWidget(self.mandate_button)
        self.pay_button = QPushButton("Pay overdue by UPI &QR")
        self.pay_button.setObjectName("primary")
        self.pay_button.setToolTip("A one-time UPI QR for the overdue amount, any UPI app")
        self.pay_button.clicked.connect(self.pay_overdue)
        row.addWidget(self.pay_button)
        lay.addLayout(row)
        self._show([])

    def reload(self) -> None:
        self.runner.call(self.api.needing_attention, on_success=self._show, on_failure=self._failed)

    def _show(self, rows: list[dict[str, Any]]) -> None:
        self.model.set_rows(rows)
        self.setTitle(
            f"Payments needing attention ({len(rows)})" if rows else "Payments needing attention"
        )
        hint = (
            "UPI AutoPay renewals that could not be collected, and mandates the customer "
            "revoked or paused. Call the customer, then take the overdue amount by UPI QR "
            "or set up a new mandate."
            if rows
            else "No AutoPay renewal needs attention."
        )
        if any(r.get("kind") == "paid_twice" for r in rows):
            hint += (
                " A period paid twice: refund Stripe's charge."
                if self.is_admin
                else " A period paid twice: an admin refunds Stripe's charge."
            )
        self.hint.setText(hint)
        buttons = (self.pay_button, self.mandate_button, self.cancel_button, self.refund_button)
        for widget in (self.table, *buttons):
            if widget is not None:
                widget.setVisible(bool(rows))
        if rows:
            self.table.selectRow(0)
            fit_rows(self.table, len(rows), MAX_ROWS)
        self._selection()

    def _failed(self, exc: Exception) -> None:
        self.refused.emit(say(exc))

    def selected(self) -> dict[str, Any] | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.rows[rows[0].row()] if rows else None

    def _selection(self) -> None:
        row = self.selected()
        self.pay_button.setEnabled(allows(row, PAY_QR))
        self.mandate_button.setEnabled(allows(row, NEW_MANDATE))
        self.cancel_button.setEnabled(allows(row, CANCEL))
        if self.refund_button is not None:
            self.refund_button.setEnabled(allows(row, REFUND))
        self.mandate_button.setToolTip(
            NOT_FAILED_YET
            if row is not None and row.get("notice_id") is None
            else "A new UPI AutoPay sign-up for the same plan: the customer scans and approves it"
        )

    def pay_overdue(self) -> None:
        self._start(PAY_QR, self.api.autopay_pay_overdue)

    def new_mandate(self) -> None:
        self._start(NEW_MANDATE, self.api.autopay_new_mandate)

    def _start(self, action: str, operation: Any) -> None:
        row = self._selected_for(action)
        if row is None:
            return
        customer = customer_of(row)
        self.runner.call(
            operation,
            row["notice_id"],
            on_success=lambda payment: self.payment_started.emit(payment, customer),
            on_failure=self._failed,
        )

    def cancel_selected(self) -> None:
        row = self._selected_for(CANCEL)
        if row is None:
            return
        cancel_autopay(
            self,
            self.api,
            self.runner,
            int(row["subscription_id"]),
            row,
            str(row.get("customer_name") or ""),
            on_done=self._decided,
            on_failure=self.refused.emit,
        )

    def refund_selected(self) -> None:
        """Refund Stripe's charge of the selected "paid twice" row: the Payments table's
        refund dialog and operation, for that payment."""
        row = self._selected_for(REFUND)
        if row is None:
            return
        refund_payment(
            self,
            self.api,
            self.runner,
            payment_to_refund(row),
            on_done=self._decided,
            on_failure=self.refused.emit,
        )

    def _selected_for(self, action: str) -> dict[str, Any] | None:
        """The selected row, if the backend lists ``action`` for it."""
        row = self.selected()
        return row if allows(row, action) else None

    def _decided(self, message: str) -> None:
        self.decided.emit(message)
        self.reload()
