"""Payments: filter by status, method and dates; confirm a UPI payment by UTR; refunds.

The refund button exists only for admins (it is not created at all for staff).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.date_text import QT_DAY_FORMAT
from app.messages import say
from app.payments_model import METHOD_WORDS, STATUS_WORDS, PaymentsModel
from app.style import add_form_row, set_role
from app.tasks import TaskRunner
from app.utr_dialog import UtrDialog
from backend.domain.money import Money, format_money, parse_amount
from backend.errors import ValidationError
from backend.facade import CheckoutService


class PaymentsView(QWidget):
    def __init__(
        self,
        service: CheckoutService,
        runner: TaskRunner,
        *,
        is_admin: bool,
        today: QDate,
    ) -> None:
        super().__init__()
        self.service = service
        self.runner = runner
        lay = QVBoxLayout(self)
        lay.setContentsMargins(24, 18, 24, 18)
        head = QHBoxLayout()
        title = QLabel("Payments")
        title.setObjectName("title")
        head.addWidget(title)
        head.addStretch(1)
        lay.addLayout(head)

        filters = QHBoxLayout()
        self.status = QComboBox()
        self.status.addItem("Any status", None)
        for key, word in STATUS_WORDS.items():
            self.status.addItem(word, key)
        self.method = QComboBox()
        self.method.addItem("Any method", None)
        for key, word in METHOD_WORDS.items():
            self.method.addItem(word, key)
        self.use_dates = QCheckBox("&From")
        self.date_from = QDateEdit(today.addDays(-30))
        self.date_to = QDateEdit(today)
        for edit in (self.date_from, self.date_to):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat(QT_DAY_FORMAT)
            edit.setEnabled(False)
        self.use_dates.toggled.connect(self.date_from.setEnabled)
        self.use_dates.toggled.connect(self.date_to.setEnabled)
        filters.addWidget(QLabel("&Status"))
        filters.itemAt(filters.count() - 1).widget().setBuddy(self.status)
        filters.addWidget(self.status)
        filters.addWidget(QLabel("M&ethod"))
        filters.itemAt(filters.count() - 1).widget().setBuddy(self.method)
        filters.addWidget(self.method)
        filters.addSpacing(12)
        filters.addWidget(self.use_dates)
        filters.addWidget(self.date_from)
        filters.addWidget(QLabel("to"))
        filters.addWidget(self.date_to)
        filters.addStretch(1)
        self.reload_button = QPushButton("&Refresh")
        self.reload_button.clicked.connect(self.reload)
        filters.addWidget(self.reload_button)
        lay.addLayout(filters)
        for combo in (self.status, self.method):
            combo.currentIndexChanged.connect(lambda _i: self.reload())
        for edit in (self.date_from, self.date_to):
            edit.dateChanged.connect(lambda _d: self.reload())
        self.use_dates.toggled.connect(lambda _on: self.reload())

        self.model = PaymentsModel()
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.selectionModel().selectionChanged.connect(lambda *_a: self._selection())
        lay.addWidget(self.table, 1)

        foot = QHBoxLayout()
        self.message = QLabel()
        self.message.setWordWrap(True)
        foot.addWidget(self.message, 1)
        self.late_button = QPushButton("&Accept late payment…")
        self.late_button.setToolTip("Money that arrived after the QR expired: start the plan.")
        self.late_button.clicked.connect(self.accept_late)
        foot.addWidget(self.late_button)
        self.utr_button = QPushButton("Confirm with &UTR…")
        self.utr_button.clicked.connect(self.confirm_with_utr)
        foot.addWidget(self.utr_button)
        self.refund_button: QPushButton | None = None
        if is_admin:
            self.refund_button = QPushButton("Re&fund…")
            self.refund_button.setObjectName("danger")
            self.refund_button.clicked.connect(self.refund)
            foot.addWidget(self.refund_button)
        lay.addLayout(foot)
        self._selection()

    def filters(self) -> dict[str, Any]:
        chosen: dict[str, Any] = {
            "status": self.status.currentData(),
            "method": self.method.currentData(),
        }
        if self.use_dates.isChecked():
            chosen["date_from"] = self.date_from.date().toString("yyyy-MM-dd")
            chosen["date_to"] = self.date_to.date().toString("yyyy-MM-dd")
        return chosen

    def reload(self, done: str | None = None) -> None:
        """Read the payments again; ``done`` is what to say once they are shown."""
        chosen = self.filters()
        self.runner.run_db(
            lambda: self.service.list_payments(**chosen),
            lambda rows: self._loaded(rows, done),
            self._failed,
        )

    def _loaded(self, rows: list[dict[str, Any]], done: str | None = None) -> None:
        self.model.set_rows(rows)
        if done:
            set_role(self.message, "success")
            self.message.setText(done)
        else:
            set_role(self.message, "hint")
            self.message.setText(f"{len(rows)} payment(s)")
        self._selection()

    def _failed(self, exc: Exception) -> None:
        set_role(self.message, "error")
        self.message.setText(say(exc))

    def selected(self) -> dict[str, Any] | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.row_at(rows[0].row()) if rows else None

    def _selection(self) -> None:
        row = self.selected()
        self.late_button.setEnabled(bool(row) and row["status"] == "late")
        self.utr_button.setEnabled(
            bool(row) and row["method"] == "upi_qr" and row["status"] in ("pending", "expired")
        )
        if self.refund_button is not None:
            card = bool(row) and row["method"] != "upi_qr"
            self.refund_button.setEnabled(
                card
                and row["status"] in ("succeeded", "late")
                and row["refunded_amount"] < row["amount"]
            )
            self.refund_button.setToolTip(
                "UPI payments are refunded by bank transfer, outside this app."
                if row and not card
                else ""
            )

    def confirm_with_utr(self) -> None:
        row = self.selected()
        if row is None:
            return
        dialog = UtrDialog(row["amount_text"], self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        utr = dialog.utr
        self.runner.run_db(
            lambda: self.service.confirm_with_utr(row["id"], utr),
            lambda p: self._done(f"Confirmed: receipt {p.get('receipt_no') or ''}."),
            self._failed,
        )

    def accept_late(self) -> None:
        row = self.selected()
        if row is None:
            return
        answer = QMessageBox.question(
            self,
            "Accept late payment",
            f"{row['customer_name']} paid {row['amount_text']} after the QR had expired.\n"
            "Accept it? The plan starts now and a receipt is issued.",
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        self.runner.run_db(
            lambda: self.service.accept_late(row["id"]),
            lambda p: self._done(f"Accepted: receipt {p.get('receipt_no') or ''}."),
            self._failed,
        )

    def refund(self) -> None:
        row = self.selected()
        if row is None:
            return
        dialog = RefundDialog(row, self)
        if dialog.exec() != QDialog.DialogCode.Accepted or dialog.amount is None:
            return
        amount, reason = dialog.amount, dialog.reason.text().strip() or None
        self.runner.run_net(
            lambda: self.service.refund(
                row["id"], amount=amount.amount, currency=amount.currency, reason=reason
            ),
            lambda _r: self._done(f"Refund of {format_money(amount)} sent to Stripe."),
            self._failed,
        )

    def _done(self, message: str) -> None:
        self.reload(done=message)


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
