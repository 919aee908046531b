"""Checkout step 2: find the customer, or add them with a validated form.

Validation is the backend's: a refused form marks every field the backend names, each
with its reason under it, all at once.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.runtime.tasks import TaskRunner
from app.till.customer_fields import CustomerFields
from app.till.customer_search import CustomerSearch
from app.widgets.style import show_message
from backend.interface import CheckoutApi


class CustomerForm(QGroupBox):
    """Name, email, phone, state; submits through the backend and marks every field it
    refuses, each with its reason."""

    created = Signal(dict)

    def __init__(self, api: CheckoutApi, runner: TaskRunner) -> None:
        super().__init__("New customer")
        self.api = api
        self.runner = runner
        lay = QVBoxLayout(self)
        self.form = CustomerFields()
        self.fields = self.form.fields
        self.form.submitted.connect(self.save)
        lay.addWidget(self.form)
        note = QLabel("An email or a phone number is needed.")
        note.setObjectName("hint")
        lay.addWidget(note)
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.hide()
        lay.addWidget(self.error)
        lay.addStretch(1)
        self.submit = QPushButton("&Add customer and continue")
        self.submit.clicked.connect(self.save)
        lay.addWidget(self.submit)

    def save(self) -> None:
        values = self.form.values()
        self.submit.setEnabled(False)
        show_message(self.error, "error", "")
        self.form.errors.clear()
        self.runner.call(
            self.api.add_customer,
            name=values["name"],
            email=values["email"] or None,
            phone=values["phone"] or None,
            state=values["state"] or None,
            on_success=self._saved,
            on_failure=self._refused,
        )

    def _saved(self, customer: dict[str, Any]) -> None:
        self.submit.setEnabled(True)
        self.clear()
        self.created.emit(customer)

    def _refused(self, exc: Exception) -> None:
        self.submit.setEnabled(True)
        show_message(self.error, "error", self.form.show_refusal(exc))

    def clear(self) -> None:
        self.form.clear()
        show_message(self.error, "error", "")


class CustomerPicker(QWidget):
    """Search on the left, new-customer form on the right."""

    chosen = Signal(dict)
    back = Signal()

    def __init__(self, api: CheckoutApi, runner: TaskRunner) -> None:
        super().__init__()
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        head = QHBoxLayout()
        title = QLabel("Who is buying?")
        title.setObjectName("title")
        head.addWidget(title)
        head.addStretch(1)
        self.summary = QLabel()
        self.summary.setObjectName("subtitle")
        head.addWidget(self.summary)
        lay.addLayout(head)
        body = QHBoxLayout()
        body.setSpacing(18)
        left = QGroupBox("Find a customer")
        left_lay = QVBoxLayout(left)
        self.search = CustomerSearch(api, runner)
        left_lay.addWidget(self.search, 1)
        self.use = QPushButton("&Use this customer")
        self.use.setObjectName("primary")
        self.use.clicked.connect(self._use_selected)
        left_lay.addWidget(self.use)
        body.addWidget(left, 3)
        self.form = CustomerForm(api, runner)
        body.addWidget(self.form, 2)
        lay.addLayout(body, 1)
        foot = QHBoxLayout()
        self.back_button = QPushButton("← Back (Esc)")
        self.back_button.clicked.connect(self.back.emit)
        foot.addWidget(self.back_button)
        foot.addStretch(1)
        lay.addLayout(foot)
        self.search.activated.connect(self.chosen.emit)
        self.form.created.connect(self.chosen.emit)
        self.search.results.currentItemChanged.connect(
            lambda cur, _prev: self.use.setEnabled(cur is not None)
        )
        self.use.setEnabled(False)
        self.setTabOrder(self.search.query, self.search.results)
        self.setTabOrder(self.search.results, self.use)
        self.setTabOrder(self.use, self.form.fields["name"])

    def start(self, summary: str) -> None:
        self.summary.setText(summary)
        self.search.query.clear()
        self.search.results.clear()  # nobody is chosen until the cashier chooses
        self.form.clear()
        self.search.search()
        self.search.query.setFocus(Qt.FocusReason.OtherFocusReason)

    def _use_selected(self) -> None:
        chosen = self.search.selected()
        if chosen is not None:
            self.chosen.emit(chosen)
