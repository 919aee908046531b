"""How much of a card payment to give back (all of it by default) and why; the amount is
checked as it is typed, and the backend checks it again. :func:`refund_payment` is the
till's one way to refund (the Payments table, and Stripe's charge of a period paid twice
under "Payments needing attention"): this dialog, then ``refund``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from app.runtime.tasks import TaskRunner
from app.text.messages import say
from app.widgets.style import add_form_row
from backend.domain.money import Money, format_money, parse_amount
from backend.errors import ValidationError
from backend.interface import CheckoutApi


class RefundDialog(QDialog):
    """How much to give back (all by default) and why; the amount is checked as typed."""

    def __init__(self, row: dict[str, Any], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.row = row
        self.amount: Money | None = None
        self.left = Money(row["amount"] - row["refunded_amount"], row["currency"])
        self.setWindowTitle("Refund")
        self.setMinimumWidth(460)
        lay = QVBoxLayout(self)
        lay.addWidget(
            QLabel(
                f"Refund to {row['customer_name']} — receipt {row['receipt_no'] or row['id']}. "
                f"At most {format_money(self.left)}."
            )
        )
        form = QFormLayout()
        self.edit = QLineEdit(self.left.decimal_string())
        self.reason = QLineEdit()
        self.reason.setPlaceholderText("optional")
        add_form_row(form, "&Amount", self.edit)
        add_form_row(form, "&Reason", self.reason)
        lay.addLayout(form)
        self.error = QLabel()
        self.error.setObjectName("error")
        self.error.setWordWrap(True)
        self.error.hide()
        lay.addWidget(self.error)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setObjectName("primary")
        buttons.accepted.connect(self._check)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
        self.edit.textChanged.connect(self._preview)
        self._preview(self.edit.text())

    def _preview(self, text: str) -> None:
        try:
            self.ok.setText(f"Refund {format_money(parse_amount(text, self.left.currency))}")
        except ValidationError:
            self.ok.setText("Refund")

    def _check(self) -> None:
        try:
            amount = parse_amount(self.edit.text(), self.left.currency)
        except ValidationError as exc:
            self.error.setText(str(exc))
            self.error.show()
            return
        if amount.amount <= 0 or amount.amount > self.left.amount:
            self.error.setText(f"Enter an amount above zero and at most {format_money(self.left)}.")
            self.error.show()
            return
        self.amount = amount
        self.accept()


def refund_payment(
    parent: QWidget,
    api: CheckoutApi,
    runner: TaskRunner,
    row: dict[str, Any],
    *,
    on_done: Callable[[str], Any],
    on_failure: Callable[[str], Any],
) -> None:
    """Ask how much of payment ``row`` to give back (:class:`RefundDialog`), then refund
    it in the background; ``on_done`` gets what to say, ``on_failure`` the backend's
    words. ``row``: the payment's ``id``, ``amount``, ``refunded_amount``, ``currency``,
    ``customer_name`` and ``receipt_no``."""
    dialog = RefundDialog(row, parent)
    if dialog.exec() != QDialog.DialogCode.Accepted or dialog.amount is None:
        return
    amount, reason = dialog.amount, dialog.reason.text().strip() or None
    runner.call(
        api.refund,
        row["id"],
        amount=amount.amount,
        currency=amount.currency,
        reason=reason,
        on_success=lambda _r: on_done(f"Refund of {format_money(amount)} sent to Stripe."),
        on_failure=lambda exc: on_failure(say(exc)),
        owner=parent,
    )
