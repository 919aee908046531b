"""Export a date range as CSV, with a progress bar and Cancel.

The work is the ``export_csv`` operation, run by the TaskRunner with a progress object
whose updates cross to the GUI thread as a queued signal and whose cancel flag the
worker checks between batches. What can be exported is the backend's list
(``export_kinds``): Export is offered once it is known.
"""

from __future__ import annotations

import threading
from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate, QObject, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.runtime.tasks import TaskRunner
from backend.domain.periods import DateRange
from backend.interface import CheckoutApi


class QtProgress(QObject):
    """The progress object ``export_csv`` reports to, for a worker thread; thread-safe."""

    changed = Signal(int, int)

    def __init__(self) -> None:
        super().__init__()
        self._cancel = threading.Event()

    def set_progress(self, done: int, total: int) -> None:
        self.changed.emit(done, total)  # queued to the GUI thread

    def is_cancelled(self) -> bool:
        return self._cancel.is_set()

    def cancel(self) -> None:
        self._cancel.set()


def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


class ExportDialog(QDialog):
    """Choose what and where; watch it progress; cancel at any time."""

    #: emitted with the export's result (``rows``, ``path``, ``cancelled``), also when
    #: cancelled
    finished_export = Signal(object)

    def __init__(
        self, api: CheckoutApi, runner: TaskRunner, period: DateRange, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Export CSV")
        self.api = api
        self.runner = runner
        self.progress: QtProgress | None = None
        self.kind = QComboBox()
        self.from_edit = QDateEdit(_qdate(period.start))
        self.to_edit = QDateEdit(_qdate(period.end))
        for edit in (self.from_edit, self.to_edit):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
        self.path = QLineEdit()
        browse = QPushButton("Choose…")
        browse.clicked.connect(self.choose_file)
        where = QHBoxLayout()
        where.addWidget(self.path, 1)
        where.addWidget(browse)
        form = QFormLayout()
        form.addRow("Export", self.kind)
        form.addRow("From", self.from_edit)
        form.addRow("To", self.to_edit)
        form.addRow("File", where)
        self.bar = QProgressBar()
        self.bar.setRange(0, 100)
        self.bar.setValue(0)
        self.message = QLabel("")
        self.message.setWordWrap(True)
        self.start_button = QPushButton("Export")
        self.start_button.setDefault(True)
        self.start_button.setEnabled(False)  # until the kinds are known
        self.start_button.clicked.connect(self.start)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(self.cancel)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.start_button)
        buttons.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.bar)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        runner.call(api.export_kinds, on_success=self._kinds_known, on_failure=self._failed)

    def _kinds_known(self, kinds: list[str]) -> None:
        self.kind.addItems(kinds)
        self.start_button.setEnabled(not self.running)

    def choose_file(self) -> None:
        name = f"{self.kind.currentText()}-{self.from_edit.text()}-{self.to_edit.text()}.csv"
        path, _ = QFileDialog.getSaveFileName(self, "Export to", name, "CSV files (*.csv)")
        if path:
            self.path.setText(path)

    @property
    def running(self) -> bool:
        return self.progress is not None

    def start(self) -> None:
        if self.running:
            return
        target = self.path.text().strip()
        if not target:
            self.message.setText("Choose a file to export to.")
            return
        try:
            d1, d2 = self.from_edit.date(), self.to_edit.date()
            period = DateRange(
                date(d1.year(), d1.month(), d1.day()), date(d2.year(), d2.month(), d2.day())
            )
        except Exception as exc:  # a reversed range: say so, export nothing
            self.message.setText(str(exc))
            return
        kind = self.kind.currentText()
        progress = QtProgress()
        progress.changed.connect(self._advance)
        self.progress = progress
        self.start_button.setEnabled(False)
        self.bar.setValue(0)
        self.message.setText(f"Exporting {kind}…")
        self.runner.call(
            self.api.export_csv,
            kind,
            period.start.isoformat(),
            period.end.isoformat(),
            Path(target),
            progress,
            on_success=self._finished,
            on_failure=self._failed,
        )

    def _advance(self, done: int, total: int) -> None:
        self.bar.setValue(100 if total == 0 else int(done * 100 / total))
        self.message.setText(f"{done:,} of {total:,} rows")

    def _finished(self, result: Any) -> None:
        self.progress = None
        self.start_button.setEnabled(True)
        if result.cancelled:
            self.bar.setValue(0)
            self.message.setText("Cancelled; no file was written.")
        else:
            self.bar.setValue(100)
            self.message.setText(f"Exported {result.rows:,} rows to {result.path}.")
        self.finished_export.emit(result)

    def _failed(self, exc: Exception) -> None:
        self.progress = None
        self.start_button.setEnabled(self.kind.count() > 0)
        self.message.setText(f"The export failed: {exc}")

    def cancel(self) -> None:
        """Stop a running export (the worker stops at its next batch), else close."""
        if self.progress is not None:
            self.progress.cancel()
            self.message.setText("Cancelling…")
        else:
            self.reject()
