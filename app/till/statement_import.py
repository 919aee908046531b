"""Importing a bank statement from the Payments page: the file, then how to read it (a
bank's layout, or the column names for any other), and the report in one line.

The file is chosen in the system's file dialog; :class:`StatementImportDialog` then asks
the two optional questions the command line asks (``--preset``, ``--columns``). The
import itself is the backend's ``import_statement_file``, run off the GUI thread by the
Payments page; what is matched, held or refused is its decision, said here in words.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from app.widgets.style import add_form_row

#: the layouts offered (``preset`` of the import): the label a person reads, the value
PRESETS = (
    ("Recognise automatically", "generic"),
    ("HDFC", "hdfc"),
    ("ICICI", "icici"),
    ("SBI", "sbi"),
)
FILE_FILTER = "Bank statements (*.csv *.txt);;All files (*)"
COLUMNS_EXAMPLE = "date=Value Dt,narration=Remarks,credit=Cr Amt"


def choose_statement_file(parent: QWidget) -> str:
    """The statement file the person picks (``""``: they cancelled)."""
    path, _filter = QFileDialog.getOpenFileName(parent, "Import bank statement", "", FILE_FILTER)
    return path


class StatementImportDialog(QDialog):
    """How to read ``path``: recognised automatically (the default), a bank's layout, or
    the statement's own column names."""

    def __init__(self, path: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.path = path
        self.setWindowTitle("Import bank statement")
        self.setMinimumWidth(640)
        lay = QVBoxLayout(self)
        intro = QLabel(
            f"Import {Path(path).name}: its credits are matched to UPI requests. A credit "
            "naming the request's bill reference (tr) confirms it; one with only a UTR "
            "and the amount is held for you to review."
        )
        intro.setWordWrap(True)
        lay.addWidget(intro)
        form = QFormLayout()
        self.preset = QComboBox()
        for label, value in PRESETS:
            self.preset.addItem(label, value)
        add_form_row(form, "&Bank layout", self.preset)
        self.columns = QLineEdit()
        self.columns.setPlaceholderText(COLUMNS_EXAMPLE)
        self.columns.setAccessibleName("Column names")
        add_form_row(form, "&Column names", self.columns)
        lay.addLayout(form)
        hint = QLabel(
            "Optional. Column names are for a statement whose header is not recognised: "
            "name its date, narration and credit columns (and reference, if any) as it "
            "prints them, as in the example."
        )
        hint.setObjectName("hint")
        hint.setWordWrap(True)
        lay.addWidget(hint)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText("Import")
        self.ok.setObjectName("primary")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)

    def choices(self) -> dict[str, Any]:
        """The import's keyword arguments: ``preset`` and ``columns`` (None when empty)."""
        columns = self.columns.text().strip()
        return {"preset": self.preset.currentData(), "columns": columns or None}


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def summary(report: Mapping[str, Any]) -> str:
    """The import's report in one line: ``3 payments confirmed, 1 held for review, 2 not
    matched`` (and what else it found)."""
    applied = int(report.get("applied") or 0)
    parts = [
        _count(applied, "payment confirmed", "payments confirmed"),
        f"{len(report.get('held') or [])} held for review",
        f"{len(report.get('unmatched') or [])} not matched",
    ]
    ambiguous = len(report.get("ambiguous") or [])
    if ambiguous:
        parts.append(
            _count(ambiguous, "fits several requests", "fit several requests")
            + " (confirm with the UTR)"
        )
    known = len(report.get("known") or [])
    if known:
        parts.append(f"{known} imported before")
    text = ", ".join(parts) + "."
    if report.get("already_imported") and not applied and not report.get("held"):
        text = f"This statement was imported before: nothing new. ({text})"
    return text
