"""Trial reminders for staff to act on: call the customer, upgrade them, or dismiss.

Loads :func:`backend.services.reports.reminders.in_app_reminders` in the background and closes
reminders with :func:`~backend.services.reports.reminders.mark_done` on the database thread.
"Upgrade…" does not close the reminder itself: it asks the window (signal
``upgrade_requested``) to open checkout for the customer, and the reminder leaves the
list once the trial is converted.
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

from app.report_models import RowsTableModel
from app.tasks import TaskRunner
from backend.context import Context
from backend.services.reports import reminders

STAGE_TEXT = {"7d": "7 days left", "3d": "3 days left", "1d": "1 day left", "expired": "ended"}
EMAIL_TEXT = {
    "pending": "to send",
    "sending": "sending",
    "sent": "sent",
    "failed": "failed",
    "skipped": "no email",
    "unknown": "may not have gone out",
}


class RemindersView(QWidget):
    """The open reminders, soonest trial end first."""

    #: customer id whose upgrade staff want to start
    upgrade_requested = Signal(int)
    #: emitted after the list was (re)loaded, with the number of open reminders
    loaded = Signal(int)

    def __init__(self, ctx: Context, runner: TaskRunner, actor: str, parent: Any = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.runner = runner
        self.actor = actor
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
        ctx = self.ctx
        self.runner.run_db(lambda: reminders.in_app_reminders(ctx), self._show, self._failed)

    def _show(self, items: list[dict[str, Any]]) -> None:
        self._items = items
        self.model.set_rows(
            [
                (
                    item["name"],
                    item["phone"] or "",
                    item["email"] or "",
                    STAGE_TEXT.get(item["stage"], item["stage"]),
                    item["days_left"],
                    EMAIL_TEXT.get(item["email_status"], item["email_status"]),
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
        ctx, actor, rid = self.ctx, self.actor, item["id"]
        self.runner.run_db(
            lambda: reminders.mark_done(ctx, rid, action=action, actor=actor),
            lambda _row: self.refresh(),
            self._failed,
        )

    def _upgrade_selected(self) -> None:
        item = self.selected()
        if item is None:
            self.message.setText("Select a reminder first.")
            return
        self.upgrade_requested.emit(item["customer_id"])
