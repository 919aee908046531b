"""The payments table as a Qt model (read-only rows from ``list_payments``); a status or
method reads as :mod:`backend.domain.payments` words it."""

from __future__ import annotations

from typing import Any

from app.text.date_text import moment_text
from app.text.plan_text import plan_label
from app.widgets.rows_model import RowsModel
from backend.domain.payments import is_late, label, method_label, reference

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


def cell_text(row: dict[str, Any], key: str) -> str:
    if key == "created_at":
        return moment_text(row["created_at"])
    if key == "plan":
        tier = (row.get("tier") or "").replace("_", " ").title()
        text = plan_label(tier, row.get("interval"))
        purpose = row.get("purpose")
        return f"{text} ({purpose})" if purpose and purpose != "new" else text
    if key == "method":
        return method_label(row["method"])
    if key == "status":
        return label(row)
    if key == "reference":
        return reference(row)
    value = row.get(key)
    return "" if value is None else str(value)


def late_tip(row: dict[str, Any]) -> str | None:
    """The warning on every cell of a payment that came after its QR expired."""
    if is_late(row):
        return "Paid after the QR expired: check and confirm with the customer."
    return None


class PaymentsModel(RowsModel):
    """The payments table (the Payments tab, a customer's history)."""

    def __init__(self) -> None:
        super().__init__(COLUMNS, cell_text, row_tip=late_tip, numbered=True)

    def row_at(self, row: int) -> dict[str, Any]:
        return self.rows[row]
