"""Reprint, Save PDF and Email for the receipt of the payment chosen in a table (the
Payments page and a customer's history). A button that cannot work now is disabled and
says why in its tooltip."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from PySide6.QtWidgets import QHBoxLayout, QPushButton, QWidget

from app.till.receipts import ReceiptActions


class ReceiptBar(QWidget):
    def __init__(self, actions: ReceiptActions, *, mnemonics: bool = True) -> None:
        super().__init__()
        self.actions = actions
        self.payment: dict[str, Any] | None = None
        self.email_address: str | bool | None = True
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        amp = "&" if mnemonics else ""
        self.reprint = QPushButton(f"Re{amp}print receipt…")
        self.pdf = QPushButton(f"Save P{amp}DF…")
        self.email = QPushButton(f"E{amp}mail receipt")
        self.buttons = {"print": self.reprint, "pdf": self.pdf, "email": self.email}
        self.reprint.clicked.connect(lambda: self._run(self.actions.print_receipt))
        self.pdf.clicked.connect(lambda: self._run(self.actions.save_pdf))
        self.email.clicked.connect(lambda: self._run(self.actions.email))
        for button in self.buttons.values():
            lay.addWidget(button)
        self.show_for(None)

    def show_for(self, payment: Mapping[str, Any] | None, email: str | bool | None = True) -> None:
        """The chosen payment (``None``: nothing chosen) and its customer's email
        (``True``: not known here)."""
        self.payment = dict(payment) if payment is not None else None
        self.email_address = email
        self.update_reasons()

    def update_reasons(self) -> None:
        """Ask again what the receipt allows (the settings may have changed)."""
        if self.payment is None or not self.actions.configured:
            reasons: dict[str, str | None] = dict.fromkeys(self.buttons, "Choose a payment first.")
        else:
            reasons = self.actions.reasons(self.payment, self.email_address)
        for key, button in self.buttons.items():
            reason = reasons.get(key)
            button.setEnabled(reason is None)
            button.setToolTip(reason or "")

    def _run(self, action: Any) -> None:
        if self.payment is not None:
            action(self.payment)
