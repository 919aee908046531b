"""Finding a customer as you type (the checkout's customer step and the Customers page)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QLabel, QLineEdit, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from app.runtime.tasks import TaskRunner
from app.text.messages import say
from backend.domain.identity import readable_phone
from backend.interface import CheckoutApi


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

    def __init__(self, api: CheckoutApi, runner: TaskRunner) -> None:
        super().__init__()
        self.api = api
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

    def search(self, *, pick_single: bool = False) -> None:
        """Search now; with ``pick_single``, a single match is chosen straight away."""
        self._pick_single = pick_single
        self._generation += 1
        generation = self._generation
        text = self.query.text()
        self.runner.call(
            self.api.find_customers,
            text,
            on_success=lambda rows: self._show(generation, rows, bool(text.strip())),
            on_failure=lambda exc: self.empty.setText(say(exc)),
        )

    def _show(self, generation: int, rows: list[dict[str, Any]], typed: bool = True) -> None:
        if generation != self._generation:
            return  # an older search finished after a newer one was started
        chosen = self.selected()
        self.results.clear()
        for row in rows:
            item = QListWidgetItem(customer_line(row))
            item.setData(Qt.ItemDataRole.UserRole, row)
            self.results.addItem(item)
            if chosen is not None and row["id"] == chosen["id"]:
                self.results.setCurrentItem(item)  # the same customer stays chosen
        if rows:
            if typed and self.results.currentItem() is None:
                # the best match of what was typed; an empty search chooses nobody
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
