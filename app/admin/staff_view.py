"""Admin-only page: staff accounts (the settings page is :mod:`app.admin.settings_view`).

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

from app.runtime.tasks import TaskRunner
from app.text.messages import say
from app.widgets.pin_edit import pin_edit
from app.widgets.style import add_form_row, set_role
from backend.interface import CheckoutApi


class StaffAdminView(QWidget):
    """List staff accounts and add new ones."""

    def __init__(self, api: CheckoutApi, runner: TaskRunner) -> None:
        super().__init__()
        self.api = api
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
        self.runner.call(self.api.list_staff, on_success=self._show, on_failure=self._failed)

    def _show(self, staff: list[dict[str, Any]]) -> None:
        self.list.clear()
        for person in staff:
            self.list.addItem(f"{person['name']}  ·  {person['role']}")

    def _add(self) -> None:
        name, role, pin = self.name.text(), self.role.currentData(), self.pin.text()
        self.runner.call(
            self.api.add_staff,
            name=name,
            role=role,
            pin=pin,
            on_success=self._added,
            on_failure=self._failed,
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
