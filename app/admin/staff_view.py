"""Admin-only page: the staff accounts — who may sign in, who is locked out by wrong PINs,
who was deactivated — and what an admin does about it: add a person, deactivate or
reactivate them, give them a new PIN (asked twice), unlock them.

The backend decides every rule (the last active admin stays; a new PIN also unlocks)
and its refusal is shown in its words. The staff window creates this page only for an
admin; a staff member's window never has it, not even hidden.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.runtime.tasks import TaskRunner
from app.text.date_text import moment_text
from app.text.messages import say
from app.widgets.field_errors import FieldErrors, problems_of
from app.widgets.pin_edit import pin_edit
from app.widgets.rows_model import RowsModel, rows_table
from app.widgets.style import add_form_row, show_message
from backend.interface import ADMIN, CheckoutApi

#: a person's ``state`` as the list says it
STATE_WORDS = {"active": "Can sign in", "locked": "Locked out", "deactivated": "Deactivated"}
COLUMNS = (("name", "Name"), ("role", "Role"), ("state", "State"), ("wrong_pins", "Wrong PINs"))


def state_text(person: dict[str, Any]) -> str:
    words = STATE_WORDS.get(person.get("state", ""), str(person.get("state", "")))
    if person.get("locked_until"):
        words += f" until {moment_text(person['locked_until'])}"
    return words


def cell_text(person: dict[str, Any], key: str) -> str:
    """A cell of the staff list."""
    if key == "role":
        return "Admin" if person["role"] == ADMIN else "Staff (sales)"
    if key == "state":
        return state_text(person)
    if key == "wrong_pins":
        return str(person.get("wrong_pins") or 0)
    return str(person.get(key) or "")


class NewPinDialog(QDialog):
    """A new PIN for a person, typed twice; ``pin`` when accepted."""

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"New PIN for {name}")
        self.setMinimumWidth(420)
        lay = QVBoxLayout(self)
        text = QLabel(f"Type {name}'s new PIN twice (4 to 8 digits). It also unlocks them.")
        text.setWordWrap(True)
        lay.addWidget(text)
        form = QFormLayout()
        self.first = pin_edit("4 to 8 digits")
        self.second = pin_edit("the same PIN again")
        self.errors = FieldErrors()
        add_form_row(form, "New &PIN", self.first)
        form.addRow("", self.errors.add("pin", self.first))
        add_form_row(form, "PIN &again", self.second)
        form.addRow("", self.errors.add("pin2", self.second))
        lay.addLayout(form)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText("Set the new PIN")
        buttons.accepted.connect(self._check)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
        self.pin = ""

    def _check(self) -> None:
        first, second = self.first.text(), self.second.text()
        if not 4 <= len(first) <= 8:
            self.errors.show({"pin": "A PIN is 4 to 8 digits."})
            return
        if first != second:
            self.errors.show({"pin2": "The two PINs are different. Type the same PIN twice."})
            self.second.clear()
            return
        self.pin = first
        self.accept()


class StaffAdminView(QWidget):
    """The staff list with each person's state; add, deactivate, reactivate, reset a
    PIN, unlock."""

    def __init__(self, api: CheckoutApi, runner: TaskRunner) -> None:
        super().__init__()
        self.api = api
        self.runner = runner
        lay = QHBoxLayout(self)
        lay.setContentsMargins(24, 18, 24, 18)
        lay.setSpacing(18)
        left = QVBoxLayout()
        title = QLabel("Staff")
        title.setObjectName("title")
        left.addWidget(title)
        hint = QLabel(
            "Deactivated people cannot sign in and are not in the sign-in list; their "
            "sales keep their name. Five wrong PINs lock a person out for five minutes."
        )
        hint.setObjectName("hint")
        hint.setWordWrap(True)
        left.addWidget(hint)
        self.model = RowsModel(COLUMNS, cell_text)
        self.table = rows_table(self.model, self._selection)
        self.table.setAlternatingRowColors(True)
        left.addWidget(self.table, 1)
        actions = QHBoxLayout()
        self.deactivate = QPushButton("&Deactivate")
        self.deactivate.setObjectName("danger")
        self.deactivate.clicked.connect(self._toggle_active)
        self.reset_pin = QPushButton("New P&IN…")
        self.reset_pin.clicked.connect(self._reset_pin)
        self.unlock = QPushButton("&Unlock")
        self.unlock.clicked.connect(self._unlock)
        for button in (self.deactivate, self.reset_pin, self.unlock):
            actions.addWidget(button)
        actions.addStretch(1)
        left.addLayout(actions)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.hide()
        left.addWidget(self.message)
        lay.addLayout(left, 3)
        lay.addWidget(self._add_box(), 2)
        self._selection()

    def _add_box(self) -> QGroupBox:
        box = QGroupBox("Add a staff member")
        form = QFormLayout(box)
        self.name = QLineEdit()
        self.role = QComboBox()
        self.role.addItem("Staff (sales)", "staff")
        self.role.addItem("Admin", "admin")
        self.pin = pin_edit("4 to 8 digits")
        self.add_errors = FieldErrors()
        add_form_row(form, "&Name", self.name)
        form.addRow("", self.add_errors.add("name", self.name))
        add_form_row(form, "&Role", self.role)
        add_form_row(form, "&PIN", self.pin)
        form.addRow("", self.add_errors.add("pin", self.pin))
        self.add_message = QLabel()
        self.add_message.setWordWrap(True)
        self.add_message.hide()
        form.addRow(self.add_message)
        self.add = QPushButton("&Add")
        self.add.setObjectName("primary")
        self.add.clicked.connect(self._add)
        self.pin.returnPressed.connect(self._add)
        form.addRow(self.add)
        return box

    # the list ---------------------------------------------------------------------------
    def reload(self) -> None:
        self.runner.call(
            self.api.list_staff,
            include_inactive=True,
            on_success=self._show,
            on_failure=self._failed,
        )

    def _show(self, staff: list[dict[str, Any]]) -> None:
        chosen = self.selected()
        self.model.set_rows(staff)
        if chosen is not None:
            for row, person in enumerate(staff):
                if person["id"] == chosen["id"]:
                    self.table.selectRow(row)
        self._selection()

    def selected(self) -> dict[str, Any] | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.rows[rows[0].row()] if rows else None

    def select(self, name: str) -> None:
        """Choose the person called ``name`` in the list (tests, screenshots)."""
        for row, person in enumerate(self.model.rows):
            if person["name"] == name:
                self.table.selectRow(row)

    def _selection(self) -> None:
        person = self.selected()
        chosen = person is not None
        deactivated = chosen and person["state"] == "deactivated"  # type: ignore[index]
        self.deactivate.setText("Reac&tivate" if deactivated else "&Deactivate")
        self.deactivate.setObjectName("" if deactivated else "danger")
        self.deactivate.style().unpolish(self.deactivate)
        self.deactivate.style().polish(self.deactivate)
        self.deactivate.setEnabled(chosen)
        self.reset_pin.setEnabled(chosen and not deactivated)
        self.unlock.setEnabled(chosen and person["state"] == "locked")  # type: ignore[index]

    # actions ----------------------------------------------------------------------------
    def _toggle_active(self) -> None:
        person = self.selected()
        if person is None:
            return
        if person["state"] == "deactivated":
            operation, done = self.api.activate_staff, f"{person['name']} can sign in again."
        else:
            operation = self.api.deactivate_staff
            done = f"{person['name']} is deactivated: they can no longer sign in."
        self.runner.call(
            operation, person["id"], on_success=lambda _p: self._done(done), on_failure=self._failed
        )

    def _reset_pin(self) -> None:
        person = self.selected()
        if person is None:
            return
        dialog = NewPinDialog(person["name"], self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        self.runner.call(
            self.api.reset_pin,
            person["id"],
            dialog.pin,
            on_success=lambda _p: self._done(f"{person['name']} has a new PIN and can sign in."),
            on_failure=self._failed,
        )

    def _unlock(self) -> None:
        person = self.selected()
        if person is None:
            return
        self.runner.call(
            self.api.unlock_staff,
            person["id"],
            on_success=lambda _p: self._done(f"{person['name']} is unlocked and can try again."),
            on_failure=self._failed,
        )

    def _done(self, message: str) -> None:
        show_message(self.message, "success", message)
        self.reload()

    def _failed(self, exc: Exception) -> None:
        show_message(self.message, "error", say(exc))

    # adding -----------------------------------------------------------------------------
    def _add(self) -> None:
        name, role, pin = self.name.text(), self.role.currentData(), self.pin.text()
        self.add_errors.clear()
        show_message(self.add_message, "error", "")
        self.runner.call(
            self.api.add_staff,
            name=name,
            role=role,
            pin=pin,
            on_success=self._added,
            on_failure=self._add_refused,
        )

    def _added(self, person: dict[str, Any]) -> None:
        self.name.clear()
        self.pin.clear()
        show_message(self.add_message, "success", f"{person['name']} can now sign in.")
        self.reload()

    def _add_refused(self, exc: Exception) -> None:
        left = self.add_errors.show(problems_of(exc))
        show_message(self.add_message, "error", " ".join(left) or say(exc))
