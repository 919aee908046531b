"""Trial reminders for staff to act on: call the customer, upgrade them, or dismiss.

Loads the open ones (``reminders``) in the background and closes one after staff acted
on it (``close_reminder``, recorded as whoever the interface acts for). "Upgrade…" does
not close the reminder itself: it asks the window (signal ``upgrade_requested``) to open
checkout for the customer, and the reminder leaves the list once the trial is converted.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.admin.report_models import RowsTableModel
from app.runtime.tasks import TaskRunner
from backend.domain.payments import reminder_email_label
from backend.domain.renewals import TRIAL_REMINDER_STAGES
from backend.interface import CheckoutApi


def stage_text(stage: str) -> str:
    """``7 days left`` … ``1 day left``, or ``ended`` (the stage's days before the end)."""
    days = TRIAL_REMINDER_STAGES.get(stage)
    if days is None:
        return stage
    if days == 0:
        return "ended"
    return f"{days} day{'s' if days > 1 else ''} left"


class RemindersView(QWidget):
    """The open reminders, soonest trial end first."""

    #: customer id whose upgrade staff want to start
    upgrade_requested = Signal(int)
    #: emitted after the list was (re)loaded, with the number of open reminders
    loaded = Signal(int)

    def __init__(self, api: CheckoutApi, runner: TaskRunner, parent: Any = None) -> None:
        super().__init__(parent)
        self.api = api
        self.runner = runner
        self._items: list[dict[str, Any]] = []
        self.model = RowsTableModel(
            ("Customer", "Phone", "Email", "Trial", "Days left", "Email reminder"), parent=self
        )
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.message = QLabel("")
        self.called_button = QPushButton("Called")
        self.upgrade_button = QPushButton("Upgrade…")
        self.dismiss_button = QPushButton("Dismiss")
        self.refresh_button = QPushButton("Refresh")
        self.called_button.clicked.connect(lambda: self._close_selected("called"))
        self.dismiss_button.clicked.connect(lambda: self._close_selected("dismissed"))
        self.upgrade_button.clicked.connect(self._upgrade_selected)
        self.refresh_button.clicked.connect(self.refresh)
        buttons = QHBoxLayout()
        for button in (
            self.called_button, self.upgrade_button, self.dismiss_button, self.refresh_button
        ):  # fmt: skip
            buttons.addWidget(button)
        buttons.addWidget(self.message, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(buttons)
        layout.addWidget(self.table)

    def refresh(self) -> None:
        self.runner.call(self.api.reminders, on_success=self._show, on_failure=self._failed)

    def _show(self, items: list[dict[str, Any]]) -> None:
        self._items = items
        self.model.set_rows(
            [
                (
                    item["name"],
                    item["phone"] or "",
                    item["email"] or "",
                    stage_text(item["stage"]),
                    item["days_left"],
                    reminder_email_label(item),
                )
                for item in items
            ]
        )
        self.message.setText(f"{len(items)} open")
        self.loaded.emit(len(items))

    def _failed(self, exc: Exception) -> None:
        self.message.setText(str(exc))

    def selected(self) -> dict[str, Any] | None:
        rows = self.table.selectionModel().selectedRows()
        return self._items[rows[0].row()] if rows else None

    def _close_selected(self, action: str) -> None:
        item = self.selected()
        if item is None:
            self.message.setText("Select a reminder first.")
            return
        self.runner.call(
            self.api.close_reminder,
            item["id"],
            action,
            on_success=lambda _row: self.refresh(),
            on_failure=self._failed,
        )

    def _upgrade_selected(self) -> None:
        item = self.selected()
        if item is None:
            self.message.setText("Select a reminder first.")
            return
        self.upgrade_requested.emit(item["customer_id"])
