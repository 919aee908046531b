"""A read-only table of rows (dicts from the backend) as a Qt model: the columns, and one
function that words a cell. The small lists beside the payments (held credits, payments
needing attention, the staff list) are this model, shown by :func:`rows_table`; a tall
list takes as much room as its rows need (:func:`fit_rows`)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView

Index = QModelIndex | QPersistentModelIndex
#: (key, header) of each column
Columns = Sequence[tuple[str, str]]


class RowsModel(QAbstractTableModel):
    """``rows`` under ``columns``; ``cell_text(row, key)`` words each cell, the keys in
    ``right`` are aligned right (amounts) and those in ``tips`` show their whole text as a
    tooltip (long reasons); ``row_tip(row)``, when given, is every other cell's tooltip (a
    warning about the whole row); ``numbered`` numbers the rows down the side; ``UserRole``
    is the row itself."""

    def __init__(
        self,
        columns: Columns,
        cell_text: Callable[[dict[str, Any], str], str],
        *,
        right: frozenset[str] = frozenset({"amount_text"}),
        tips: frozenset[str] = frozenset(),
        row_tip: Callable[[dict[str, Any]], str | None] | None = None,
        numbered: bool = False,
    ) -> None:
        super().__init__()
        self.columns = tuple(columns)
        self.cell_text = cell_text
        self.right = right
        self.tips = tips
        self.row_tip = row_tip
        self.numbered = numbered
        self.rows: list[dict[str, Any]] = []

    def set_rows(self, rows: list[dict[str, Any]]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        row = self.rows[index.row()]
        key = self.columns[index.column()][0]
        if role == Qt.ItemDataRole.DisplayRole:
            return self.cell_text(row, key)
        if role == Qt.ItemDataRole.ToolTipRole and key in self.tips:
            return self.cell_text(row, key)
        if role == Qt.ItemDataRole.ToolTipRole and self.row_tip is not None:
            return self.row_tip(row)
        if role == Qt.ItemDataRole.TextAlignmentRole and key in self.right:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.UserRole:
            return row
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(self.columns):
            return self.columns[section][1]
        if orientation == Qt.Orientation.Vertical and self.numbered:
            return str(section + 1) if 0 <= section < len(self.rows) else None
        return None


def fit_rows(table: QTableView, count: int, most: int) -> None:
    """Make ``table`` as tall as its first ``count`` rows, up to ``most`` (it scrolls
    beyond), so the list beside it keeps the room."""
    table.resizeRowsToContents()
    rows = min(count, most)
    height = table.horizontalHeader().height() + 2 * table.frameWidth()
    height += sum(table.rowHeight(r) for r in range(rows))
    table.setFixedHeight(height)


def rows_table(model: RowsModel, on_selection: Callable[[], None]) -> QTableView:
    """A table of ``model``'s rows, one chosen at a time, columns fitted to their text and
    the last one taking the rest; ``on_selection`` when the choice changes."""
    table = QTableView()
    table.setModel(model)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.verticalHeader().hide()
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setStretchLastSection(True)
    table.selectionModel().selectionChanged.connect(lambda *_a: on_selection())
    return table
