"""The customer's name, email and phone as one form (the checkout's new customer and the
Customers page's edit): every field the backend refuses is marked, with its reason under
it, all at once."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFormLayout, QLineEdit, QWidget

from app.text.messages import say
from app.widgets.field_errors import FieldErrors, problems_of
from app.widgets.style import add_form_row
from backend.domain.identity import readable_phone

FIELDS = (
    ("name", "Na&me", "Full name"),
    ("email", "&Email", "name@example.com"),
    ("phone", "P&hone", "98765 43210 or +44…"),
    ("state", "&State", "Indian state, for GST (optional)"),
)


class CustomerFields(QWidget):
    """Name, email, phone (and, when asked for, the state) with a message under each."""

    #: Enter in the last field
    submitted = Signal()

    def __init__(self, keys: tuple[str, ...] = ("name", "email", "phone", "state")) -> None:
        super().__init__()
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        form.setVerticalSpacing(4)
        self.fields: dict[str, QLineEdit] = {}
        self.errors = FieldErrors()
        for key, label, hint in FIELDS:
            if key not in keys:
                continue
            edit = QLineEdit()
            edit.setPlaceholderText(hint)
            edit.setAccessibleName(label.replace("&", ""))
            edit.textEdited.connect(lambda _t, k=key: self.errors.clear(k))
            add_form_row(form, label, edit)
            form.addRow("", self.errors.add(key, edit))
            self.fields[key] = edit
        self.fields[keys[-1]].returnPressed.connect(self.submitted)

    def values(self) -> dict[str, str]:
        return {key: edit.text() for key, edit in self.fields.items()}

    def set_values(self, customer: Mapping[str, Any]) -> None:
        for key, edit in self.fields.items():
            value = customer.get(key) or ""
            edit.setText(readable_phone(value) if key == "phone" else str(value))
        self.errors.clear()

    def clear(self) -> None:
        for edit in self.fields.values():
            edit.clear()
        self.errors.clear()

    def show_refusal(self, exc: BaseException) -> str:
        """Mark the refused fields; returns what to say above them (the whole message
        when it names no field of this form, else how many need fixing)."""
        problems = problems_of(exc)
        elsewhere = self.errors.show(problems)
        if not problems or elsewhere:
            return say(exc)
        count = len(problems)
        return (
            "Fix the field marked above." if count == 1 else f"Fix the {count} fields marked above."
        )
