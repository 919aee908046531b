"""Admin-only pages: the shop's settings (read-only here) and staff accounts.

The staff window creates these only for an admin; a staff member's window never has
them, not even hidden.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.login_view import pin_edit
from app.messages import say
from app.style import add_form_row, set_role
from app.tasks import TaskRunner
from backend.facade import CheckoutService

FEATURE_WORDS = {
    "free_trial": "Free trials",
    "upi_payments": "UPI payments",
    "card_payments": "Card payments",
    "annual_billing": "Yearly billing",
    "proration": "Proration on upgrade",
    "trial_reminders": "Trial reminders",
}


class SettingsView(QWidget):
    """What this till is set up with, and where each setting comes from."""

    def __init__(self, service: CheckoutService, runner: TaskRunner) -> None:
        super().__init__()
        self.service = service
        self.runner = runner
        lay = QVBoxLayout(self)
        lay.setContentsMargins(24, 18, 24, 18)
        title = QLabel("Settings")
        title.setObjectName("title")
        lay.addWidget(title)
        hint = QLabel(
            "Settings come from the settings file and environment variables; secrets "
            "(Stripe, Razorpay, SMTP password) only from the environment or the OS keyring. "
            "See docs/configuration.md."
        )
        hint.setObjectName("hint")
        hint.setWordWrap(True)
        lay.addWidget(hint)
        row = QHBoxLayout()
        self.features = QGroupBox("Features")
        self.features_form = QFormLayout(self.features)
        self.shop = QGroupBox("Shop and payments")
        self.shop_form = QFormLayout(self.shop)
        row.addWidget(self.features, 1)
        row.addWidget(self.shop, 2)
        lay.addLayout(row)
        lay.addStretch(1)

    def reload(self) -> None:
        service = self.service
        self.runner.run_net(lambda: (service.settings_view(), service.card_status()), self._show)

    def _show(self, result: tuple[dict[str, Any], dict[str, Any]]) -> None:
        view, card = result
        for form in (self.features_form, self.shop_form):
            while form.rowCount():
                form.removeRow(0)
        for key, word in FEATURE_WORDS.items():
            on = view["features"].get(key)
            text = "On" if on else "Off"
            if key == "card_payments" and on and not card.get("configured"):
                text = "On, but not usable: " + (card.get("reason") or "not configured")
            label = QLabel(text)
            label.setWordWrap(True)
            self.features_form.addRow(word, label)
        upi = view["upi"]
        rows = (
            ("Shop name", view["shop"]["name"]),
            ("GSTIN", view["shop"]["gstin"] or "not set"),
            ("Shop state", view["shop"]["state"] or "not set"),
            ("Default currency", view["shop"]["default_currency"]),
            ("UPI ID (VPA)", upi["vpa"] or "not set — UPI QR cannot be offered"),
            ("UPI payee name", upi["payee_name"] or "not set"),
            ("UPI QR valid for", f"{upi['expiry_minutes']} minutes"),
            ("UPI confirmation", upi["psp"] or "by UTR or bank statement"),
            ("Mail server", view["mail"]["host"] or "not set — receipts cannot be emailed"),
            ("Settings file", view["source"]),
            ("Database", view["database"]),
            ("Plans (catalog)", view["catalog"]),
        )
        for label, value in rows:
            text = QLabel(str(value))
            text.setWordWrap(True)
            self.shop_form.addRow(label, text)


class StaffAdminView(QWidget):
    """List staff accounts and add new ones."""

    def __init__(self, service: CheckoutService, runner: TaskRunner) -> None:
        super().__init__()
        self.service = service
        self.runner = runner
        lay = QHBoxLayout(self)
        lay.setContentsMargins(24, 18, 24, 18)
        left = QVBoxLayout()
        title = QLabel("Staff")
        title.setObjectName("title")
        left.addWidget(title)
        self.list = QListWidget()
        left.addWidget(self.list, 1)
        lay.addLayout(left, 1)
        box = QGroupBox("Add a staff member")
        form = QFormLayout(box)
        self.name = QLineEdit()
        self.role = QComboBox()
        self.role.addItem("Staff (sales)", "staff")
        self.role.addItem("Admin", "admin")
        self.pin = pin_edit("4 to 8 digits")
        add_form_row(form, "&Name", self.name)
        add_form_row(form, "&Role", self.role)
        add_form_row(form, "&PIN", self.pin)
        self.message = QLabel()
        self.message.setWordWrap(True)
        form.addRow(self.message)
        self.add = QPushButton("&Add")
        self.add.setObjectName("primary")
        self.add.clicked.connect(self._add)
        form.addRow(self.add)
        lay.addWidget(box, 1)

    def reload(self) -> None:
        self.runner.run_db(self.service.list_staff, self._show)

    def _show(self, staff: list[dict[str, Any]]) -> None:
        self.list.clear()
        for person in staff:
            self.list.addItem(f"{person['name']}  ·  {person['role']}")

    def _add(self) -> None:
        name, role, pin = self.name.text(), self.role.currentData(), self.pin.text()
        self.runner.run_db(
            lambda: self.service.add_staff(name=name, role=role, pin=pin),
            self._added,
            self._failed,
        )

    def _added(self, person: dict[str, Any]) -> None:
        self.name.clear()
        self.pin.clear()
        set_role(self.message, "success")
        self.message.setText(f"{person['name']} can now sign in.")
        self.reload()

    def _failed(self, exc: Exception) -> None:
        set_role(self.message, "error")
        self.message.setText(say(exc))
