"""Payments: filter by status, method (UPI AutoPay too) and dates (the last 30 days at
first, as the Dashboard); confirm a UPI payment by UTR; accept a late one; reprint, save
or email a receipt; refunds; import a bank statement and review the credits it held; the
UPI AutoPay renewals needing attention, settled by a UPI QR or a new mandate.

The refund button exists only for admins (it is not created at all for staff). Which
action a row allows is the payment vocabulary's (:mod:`backend.domain.payments`).
"""

from __future__ import annotations

import typing
from typing import Any

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.runtime.tasks import TaskRunner
from app.text.date_text import DEFAULT_RANGE_DAYS, QT_DAY_FORMAT
from app.text.messages import say
from app.till.attention_panel import AttentionPanel
from app.till.payments_model import PaymentsModel
from app.till.receipt_bar import ReceiptBar
from app.till.receipts import ReceiptActions
from app.till.refund_dialog import refund_payment
from app.till.reviews_panel import ReviewsPanel
from app.till.statement_import import StatementImportDialog, choose_statement_file, summary
from app.till.utr_dialog import UtrDialog
from app.widgets.style import set_role
from backend.domain.payments import (
    LABELS,
    is_late,
    is_upi,
    may_confirm_with_utr,
    may_refund,
    method_label,
)
from backend.interface import CheckoutApi, operation_of


def accepted(parameter: str) -> list[str]:
    """The values ``list_payments`` takes for ``parameter``, as its declaration says."""
    declared = operation_of(CheckoutApi.list_payments)
    assert declared is not None

    def values(hint: Any) -> list[str]:
        if typing.get_origin(hint) is typing.Literal:
            return [str(v) for v in typing.get_args(hint)]
        return [v for arg in typing.get_args(hint) for v in values(arg)]

    return values(declared.hints[parameter])


class PaymentsView(QWidget):
    def __init__(
        self,
        api: CheckoutApi,
        runner: TaskRunner,
        *,
        is_admin: bool,
        today: QDate,
    ) -> None:
        super().__init__()
        self.api = api
        self.runner = runner
        lay = QVBoxLayout(self)
        lay.setContentsMargins(24, 18, 24, 18)
        head = QHBoxLayout()
        title = QLabel("Payments")
        title.setObjectName("title")
        head.addWidget(title)
        head.addStretch(1)
        self.import_button = QPushButton("&Import bank statement…")
        self.import_button.setToolTip(
            "Match a bank statement's UPI credits (CSV or text export) to the requests."
        )
        self.import_button.clicked.connect(self.import_statement)
        head.addWidget(self.import_button)
        lay.addLayout(head)

        filters = QHBoxLayout()
        self.status = QComboBox()
        self.status.addItem("Any status", None)
        for key in accepted("status"):
            self.status.addItem(LABELS.get(key, key), key)
        self.method = QComboBox()
        self.method.addItem("Any method", None)
        for key in accepted("method"):
            self.method.addItem(method_label(key), key)
        self.use_dates = QCheckBox("&From")
        self.use_dates.setChecked(True)
        self.use_dates.setToolTip("Untick to see payments of any date.")
        self.date_from = QDateEdit(today.addDays(1 - DEFAULT_RANGE_DAYS))
        self.date_to = QDateEdit(today)
        for edit in (self.date_from, self.date_to):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat(QT_DAY_FORMAT)
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
        self.receipts = ReceiptActions(api, runner, self, tell=self._tell)
        self.receipt_bar = ReceiptBar(self.receipts)
        foot.addWidget(self.receipt_bar)
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
        self.attention = AttentionPanel(api, runner, is_admin=is_admin)
        self.attention.decided.connect(self._done)
        self.attention.refused.connect(self._say_error)
        lay.addWidget(self.attention)
        self.reviews = ReviewsPanel(api, runner)
        self.reviews.decided.connect(self._done)
        self.reviews.refused.connect(self._say_error)
        lay.addWidget(self.reviews)
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
        """Read the payments (and the credits held for review) again; ``done`` is what
        to say once they are shown."""
        self.attention.reload()
        self.reviews.reload()
        self.receipts.refresh(self.receipt_bar.update_reasons)  # the settings may have changed
        self.runner.call(
            self.api.list_payments,
            **self.filters(),
            on_success=lambda rows: self._loaded(rows, done),
            on_failure=self._failed,
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
        self._say_error(say(exc))

    def _say_error(self, message: str) -> None:
        set_role(self.message, "error")
        self.message.setText(message)

    def _tell(self, message: str, ok: bool) -> None:
        set_role(self.message, "success" if ok else "error")
        self.message.setText(message)

    def selected(self) -> dict[str, Any] | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.row_at(rows[0].row()) if rows else None

    def _selection(self) -> None:
        row = self.selected()
        self.receipt_bar.show_for(row)
        self.late_button.setEnabled(row is not None and is_late(row))
        self.utr_button.setEnabled(row is not None and may_confirm_with_utr(row))
        if self.refund_button is not None:
            refundable = row is not None and may_refund(row)
            self.refund_button.setEnabled(refundable)
            self.refund_button.setToolTip(
                "UPI payments are refunded by bank transfer, outside this app."
                if row is not None and is_upi(row) and not refundable
                else ""
            )

    def confirm_with_utr(self) -> None:
        row = self.selected()
        if row is None:
            return
        dialog = UtrDialog(row["amount_text"], self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        self.runner.call(
            self.api.confirm_with_utr,
            row["id"],
            dialog.utr,
            on_success=lambda p: self._done(f"Confirmed: receipt {p.get('receipt_no') or ''}."),
            on_failure=self._failed,
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
        self.runner.call(
            self.api.accept_late,
            row["id"],
            on_success=lambda p: self._done(f"Accepted: receipt {p.get('receipt_no') or ''}."),
            on_failure=self._failed,
        )

    def refund(self) -> None:
        row = self.selected()
        if row is None:
            return
        refund_payment(
            self, self.api, self.runner, row, on_done=self._done, on_failure=self._say_error
        )

    def _done(self, message: str) -> None:
        self.reload(done=message)

    # bank statements ------------------------------------------------------------------
    def import_statement(self) -> None:
        """Choose the file, say how to read it, then import it in the background."""
        path = choose_statement_file(self)
        if not path:
            return
        dialog = StatementImportDialog(path, self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        self.import_button.setEnabled(False)
        set_role(self.message, "hint")
        self.message.setText(f"Importing {dialog.path}…")
        self.runner.call(
            self.api.import_statement_file,
            path,
            **dialog.choices(),
            on_success=self._imported,
            on_failure=self._import_failed,
        )

    def _imported(self, report: dict[str, Any]) -> None:
        self.import_button.setEnabled(True)
        self.reload(done=f"{report.get('file') or 'Statement'}: {summary(report)}")

    def _import_failed(self, exc: Exception) -> None:
        self.import_button.setEnabled(True)
        self._say_error(f"The statement was not imported: {say(exc)}")
