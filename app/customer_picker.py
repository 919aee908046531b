"""Checkout step 2: find the customer, or add them with a validated form.

Validation is the backend's: a refused form shows the backend's message next to the
form and highlights the field it names, so the cashier reads one clear sentence.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.messages import field_of, say
from app.style import add_form_row, set_flag
from app.tasks import TaskRunner
from backend.domain.identity import readable_phone
from backend.facade import CheckoutService


def contact_text(customer: dict[str, Any]) -> str:
    """Email and phone, whichever the customer gave."""
    parts = (customer.get("email"), readable_phone(customer.get("phone")))
    return " · ".join(x for x in parts if x)


def customer_line(customer: dict[str, Any]) -> str:
    """Name on the first line, how to reach them on the second."""
    return f"{customer['name']}\n{contact_text(customer)}"


class CustomerSearch(QWidget):
    """A search box with a result list; ``activated`` when a customer is picked."""

    activated = Signal(dict)

    def __init__(self, service: CheckoutService, runner: TaskRunner) -> None:
        super().__init__()
        self.service = service
        self.runner = runner
        self._generation = 0
        self._pick_single = False
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        self.query = QLineEdit()
        self.query.setPlaceholderText("Name, email or phone")
        self.query.setClearButtonEnabled(True)
        self.query.setAccessibleName("Find customer")
        lay.addWidget(self.query)
        self.results = QListWidget()
        self.results.setAccessibleName("Customers found")
        self.results.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.results.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.results.setWordWrap(False)
        lay.addWidget(self.results, 1)
        self.empty = QLabel()
        self.empty.setObjectName("hint")
        lay.addWidget(self.empty)
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(250)
        self._debounce.timeout.connect(lambda: self.search())
        self.query.textChanged.connect(lambda _t: self._debounce.start())
        self.query.returnPressed.connect(self._enter_in_query)
        self.results.itemActivated.connect(
            lambda item: self.activated.emit(item.data(Qt.ItemDataRole.UserRole))
        )

    def set_service(self, service: CheckoutService) -> None:
        self.service = service

    def search(self, *, pick_single: bool = False) -> None:
        """Search now; with ``pick_single``, a single match is chosen straight away."""
        self._pick_single = pick_single
        self._generation += 1
        generation = self._generation
        text = self.query.text()
        self.runner.run_db(
            lambda: self.service.find_customers(text),
            lambda rows: self._show(generation, rows),
            lambda exc: self.empty.setText(say(exc)),
        )

    def _show(self, generation: int, rows: list[dict[str, Any]]) -> None:
        if generation != self._generation:
            return  # an older search finished after a newer one was started
        self.results.clear()
        for row in rows:
            item = QListWidgetItem(customer_line(row))
            item.setData(Qt.ItemDataRole.UserRole, row)
            self.results.addItem(item)
        if rows:
            self.results.setCurrentRow(0)
            self.empty.setText("")
            if self._pick_single and len(rows) == 1:
                self.activated.emit(rows[0])
        else:
            self.empty.setText("No customer found. Add them on the right.")

    def selected(self) -> dict[str, Any] | None:
        item = self.results.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item is not None else None

    def _enter_in_query(self) -> None:
        if self._debounce.isActive():
            self._debounce.stop()
            self.search(pick_single=True)
            return
        chosen = self.selected()
        if chosen is not None:
            self.activated.emit(chosen)


class CustomerForm(QGroupBox):
    """Name, email, phone, state; submits through the backend and shows its refusal."""

    created = Signal(dict)

    def __init__(self, service: CheckoutService, runner: TaskRunner) -> None:
        super().__init__("New customer")
        self.service = service
        self.runner = runner
        lay = QVBoxLayout(self)
        form = QFormLayout()
        self.fields: dict[str, QLineEdit] = {}
        for key, label, hint in (
            ("name", "Na&me", "Full name"),
            ("email", "&Email", "name@example.com"),
            ("phone", "P&hone", "98765 43210 or +44…"),
            ("state", "&State", "Indian state, for GST (optional)"),
        ):
            edit = QLineEdit()
            edit.setPlaceholderText(hint)
            edit.setAccessibleName(label.replace("&", ""))
            edit.textEdited.connect(lambda _t, e=edit: set_flag(e, "invalid", False))
            add_form_row(form, label, edit)
            self.fields[key] = edit
        lay.addLayout(form)
        note = QLabel("An email or a phone number is needed.")
        note.setObjectName("hint")
        lay.addWidget(note)
        self.error = QLabel()
        self.error.setObjectName("error")
        self.error.setWordWrap(True)
        self.error.hide()
        lay.addWidget(self.error)
        lay.addStretch(1)
        self.submit = QPushButton("&Add customer and continue")
        self.submit.clicked.connect(self.save)
        self.fields["state"].returnPressed.connect(self.save)
        lay.addWidget(self.submit)

    def set_service(self, service: CheckoutService) -> None:
        self.service = service

    def save(self) -> None:
        values = {key: edit.text() for key, edit in self.fields.items()}
        self.submit.setEnabled(False)
        self.error.hide()
        for edit in self.fields.values():
            set_flag(edit, "invalid", False)
        self.runner.run_db(
            lambda: self.service.add_customer(
                name=values["name"],
                email=values["email"] or None,
                phone=values["phone"] or None,
                state=values["state"] or None,
            ),
            self._saved,
            self._refused,
        )

    def _saved(self, customer: dict[str, Any]) -> None:
        self.submit.setEnabled(True)
        self.clear()
        self.created.emit(customer)

    def _refused(self, exc: Exception) -> None:
        self.submit.setEnabled(True)
        self.error.setText(say(exc))
        self.error.show()
        edit = self.fields.get(field_of(exc) or "")
        if edit is not None:
            set_flag(edit, "invalid", True)
            edit.setFocus(Qt.FocusReason.OtherFocusReason)

    def clear(self) -> None:
        for edit in self.fields.values():
            edit.clear()
            set_flag(edit, "invalid", False)
        self.error.hide()


class CustomerPicker(QWidget):
    """Search on the left, new-customer form on the right."""

    chosen = Signal(dict)
    back = Signal()

    def __init__(self, service: CheckoutService, runner: TaskRunner) -> None:
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
        self.search = CustomerSearch(service, runner)
        left_lay.addWidget(self.search, 1)
        self.use = QPushButton("&Use this customer")
        self.use.setObjectName("primary")
        self.use.clicked.connect(self._use_selected)
        left_lay.addWidget(self.use)
        body.addWidget(left, 3)
        self.form = CustomerForm(service, runner)
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

    def set_service(self, service: CheckoutService) -> None:
        self.search.set_service(service)
        self.form.set_service(service)

    def start(self, summary: str) -> None:
        self.summary.setText(summary)
        self.search.query.clear()
        self.form.clear()
        self.search.search()
        self.search.query.setFocus(Qt.FocusReason.OtherFocusReason)

    def _use_selected(self) -> None:
        chosen = self.search.selected()
        if chosen is not None:
            self.chosen.emit(chosen)
