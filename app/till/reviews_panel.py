"""Credits held for a person (the Payments page's "Needs review"): a bank statement line
with the payment's amount and a UTR but not the request's reference is evidence, not
proof, so staff look at it and accept it as the payment or reject it.

Each row shows the evidence — customer, amount, the payer's VPA, UTR, date, narration
and the statement it came from; Accept asks first, naming the amount, the payer and the
customer (the plan then starts and a receipt is issued). The list is ``reviews()``,
read again after every decision and every import.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.runtime.tasks import TaskRunner
from app.text.date_text import day_text
from app.text.messages import say
from app.widgets.rows_model import RowsModel, fit_rows, rows_table
from backend.interface import CheckoutApi

#: rows shown before the list scrolls
MAX_ROWS = 4

COLUMNS = (
    ("customer_name", "Customer"),
    ("amount_text", "Amount"),
    ("payer", "Payer (VPA)"),
    ("utr", "UTR"),
    ("date", "Date"),
    ("narration", "Narration"),
    ("file", "Statement"),
)


def evidence(row: dict[str, Any]) -> dict[str, Any]:
    return row.get("evidence") or {}


def payer_of(row: dict[str, Any]) -> str:
    """The payer as the statement names them (their VPA), or a plain word if it does not."""
    return str(evidence(row).get("payer_vpa") or "an unnamed payer")


def cell_text(row: dict[str, Any], key: str) -> str:
    found = evidence(row)
    if key == "payer":
        return str(found.get("payer_vpa") or "—")
    if key == "date":
        return day_text(found.get("txn_date"))
    if key == "narration":
        return str(found.get("narration") or "")
    if key == "file":
        line = found.get("statement_line")
        name = str(found.get("statement_file") or "")
        return f"{name}, line {line}" if line else name
    value = row.get(key)
    return "" if value is None else str(value)


class ReviewsModel(RowsModel):
    """The held credits (``reviews()``), newest first."""

    def __init__(self) -> None:
        super().__init__(COLUMNS, cell_text, tips=frozenset({"narration"}))


class ReviewsPanel(QGroupBox):
    """ "Needs review": the held credits, with Accept and Reject."""

    #: a decision was made (what to say); the payments list should be read again
    decided = Signal(str)
    #: a decision or the list failed (the backend's words)
    refused = Signal(str)

    def __init__(self, api: CheckoutApi, runner: TaskRunner, parent: QWidget | None = None):
        super().__init__("Needs review", parent)
        self.api = api
        self.runner = runner
        lay = QVBoxLayout(self)
        self.hint = QLabel()
        self.hint.setObjectName("hint")
        self.hint.setWordWrap(True)
        lay.addWidget(self.hint)
        self.model = ReviewsModel()
        self.table = rows_table(self.model, self._selection)
        lay.addWidget(self.table)
        row = QHBoxLayout()
        row.addStretch(1)
        self.reject_button = QPushButton("Re&ject…")
        self.reject_button.setToolTip("Not this request's money: set it aside.")
        self.reject_button.clicked.connect(self.reject_selected)
        row.addWidget(self.reject_button)
        self.accept_button = QPushButton("Acce&pt…")
        self.accept_button.setObjectName("primary")
        self.accept_button.setToolTip("It is the customer's payment: the plan starts.")
        self.accept_button.clicked.connect(self.accept_selected)
        row.addWidget(self.accept_button)
        lay.addLayout(row)
        self._show([])

    def reload(self) -> None:
        self.runner.call(self.api.reviews, on_success=self._show, on_failure=self._failed)

    def _show(self, rows: list[dict[str, Any]]) -> None:
        self.model.set_rows(rows)
        self.setTitle(f"Needs review ({len(rows)})" if rows else "Needs review")
        self.hint.setText(
            "Statement credits with the amount and a UTR but not the request's reference: "
            "check the payer (e.g. in the bank's app), then accept or reject."
            if rows
            else "Nothing is waiting for review."
        )
        for widget in (self.table, self.accept_button, self.reject_button):
            widget.setVisible(bool(rows))
        if rows:
            self.table.selectRow(0)  # the newest, ready for Accept or Reject
            fit_rows(self.table, len(rows), MAX_ROWS)
        self._selection()

    def _failed(self, exc: Exception) -> None:
        self.refused.emit(say(exc))

    def selected(self) -> dict[str, Any] | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.rows[rows[0].row()] if rows else None

    def _selection(self) -> None:
        on = self.selected() is not None
        self.accept_button.setEnabled(on)
        self.reject_button.setEnabled(on)

    def accept_selected(self) -> None:
        row = self.selected()
        if row is None:
            return
        answer = QMessageBox.question(
            self,
            "Accept the payment",
            f"Accept {row['amount_text']} from {payer_of(row)} as {row['customer_name']}'s "
            "payment?\nTheir plan starts now and a receipt is issued.",
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        self.runner.call(
            self.api.accept_review,
            row["id"],
            on_success=lambda p: self._decided(
                f"Accepted: {row['customer_name']}'s payment, receipt {p.get('receipt_no') or ''}."
            ),
            on_failure=self._failed,
        )

    def reject_selected(self) -> None:
        row = self.selected()
        if row is None:
            return
        answer = QMessageBox.question(
            self,
            "Reject the credit",
            f"Set aside {row['amount_text']} from {payer_of(row)}: it is not "
            f"{row['customer_name']}'s payment?\nTheir request stays as it is.",
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        self.runner.call(
            self.api.reject_review,
            row["id"],
            on_success=lambda _p: self._decided(
                f"Set aside: {row['amount_text']} from {payer_of(row)}."
            ),
            on_failure=self._failed,
        )

    def _decided(self, message: str) -> None:
        self.decided.emit(message)
        self.reload()
