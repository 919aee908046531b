"""Correcting a customer (name, email, phone) from the Customers page.

The backend checks the form whole (``update_customer``): every wrong field is marked
with its reason at once, and an email or phone that another customer's free trial used
is refused in its words. Nothing is stored until the backend accepts the whole form.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

from app.runtime.tasks import TaskRunner
from app.till.customer_fields import CustomerFields
from app.widgets.style import show_message
from backend.interface import CheckoutApi


class CustomerEditDialog(QDialog):
    """Edit one customer; ``saved`` (the customer as stored) is set when accepted."""

    def __init__(
        self,
        api: CheckoutApi,
        runner: TaskRunner,
        customer: dict[str, Any],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.api = api
        self.runner = runner
        self.customer = customer
        self.saved: dict[str, Any] | None = None
        self.setWindowTitle(f"Edit customer — {customer['name']}")
        self.setMinimumWidth(640)
        lay = QVBoxLayout(self)
        hint = QLabel(
            "Correct what was typed wrong. An email or a phone number is needed; the change "
            "is recorded with the old and new values."
        )
        hint.setObjectName("hint")
        hint.setWordWrap(True)
        lay.addWidget(hint)
        self.form = CustomerFields(("name", "email", "phone"))
        self.form.set_values(customer)
        lay.addWidget(self.form)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.hide()
        lay.addWidget(self.message)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setText("&Save changes")
        self.save_button.setObjectName("primary")
        self.save_button.clicked.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        lay.addWidget(self.buttons)
        self.form.fields["name"].setFocus()

    def save(self) -> None:
        values = self.form.values()
        self.save_button.setEnabled(False)
        show_message(self.message, "error", "")
        self.runner.call(
            self.api.update_customer,
            self.customer["id"],
            name=values["name"],
            email=values["email"].strip(),  # empty: the email is cleared
            phone=values["phone"].strip(),
            on_success=self._saved,
            on_failure=self._refused,
            owner=self,
        )

    def _saved(self, customer: dict[str, Any]) -> None:
        self.save_button.setEnabled(True)
        self.saved = customer
        self.accept()

    def _refused(self, exc: Exception) -> None:
        self.save_button.setEnabled(True)
        show_message(self.message, "error", self.form.show_refusal(exc))
        self.adjustSize()  # room for every reason shown under its field
