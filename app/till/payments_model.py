"""The payments table as a Qt model (read-only rows from ``list_payments``); a status or
method reads as :mod:`backend.domain.payments` words it."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from app.text.date_text import moment_text
from app.text.plan_text import plan_label
from backend.domain.payments import METHOD_LABELS, is_late, label

COLUMNS = (
    ("created_at", "Created"),
    ("customer_name", "Customer"),
    ("plan", "Plan"),
    ("method", "Method"),
    ("status", "Status"),
    ("amount_text", "Amount"),
    ("receipt_no", "Receipt"),
    ("reference", "Reference"),
)

Index = QModelIndex | QPersistentModelIndex


def cell_text(row: dict[str, Any], key: str) -> str:
    if key == "created_at":
        return moment_text(row["created_at"])
    if key == "plan":
        tier = (row.get("tier") or "").replace("_", " ").title()
        text = plan_label(tier, row.get("interval"))
        purpose = row.get("purpose")
        return f"{text} ({purpose})" if purpose and purpose != "new" else text
    if key == "method":
        return METHOD_LABELS.get(row["method"], row["method"])
    if key == "status":
        return label(row)
    if key == "reference":
        return row.get("utr") or row.get("tr") or ""
    value = row.get(key)
    return "" if value is None else str(value)


class PaymentsModel(QAbstractTableModel):
    def __init__(self) -> None:
        super().__init__()
        self.rows: list[dict[str, Any]] = []

    def set_rows(self, rows: list[dict[str, Any]]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def row_at(self, row: int) -> dict[str, Any]:
        return self.rows[row]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        row = self.rows[index.row()]
        key = COLUMNS[index.column()][0]
        if role == Qt.ItemDataRole.DisplayRole:
            return cell_text(row, key)
        if role == Qt.ItemDataRole.TextAlignmentRole and key == "amount_text":
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole and is_late(row):
            return "Paid after the QR expired: check and confirm with the customer."
        if role == Qt.ItemDataRole.UserRole:
            return row
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(COLUMNS):
            return COLUMNS[section][1]
        if orientation == Qt.Orientation.Vertical and 0 <= section < len(self.rows):
            return str(section + 1)
        return None
