"""Asking the cashier for the payer's 12-digit UPI transaction reference (UTR)."""

from __future__ import annotations

from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

UTR_DIGITS = 12


class UtrDialog(QDialog):
    """OK is enabled only for exactly 12 digits (spaces are ignored as people type)."""

    def __init__(self, amount_text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Confirm with UTR")
        self.setMinimumWidth(460)
        lay = QVBoxLayout(self)
        text = QLabel(
            f"Ask the customer for the 12-digit UTR (UPI reference) of their {amount_text} "
            "payment; it is on the payment's receipt in their UPI app."
        )
        text.setWordWrap(True)
        lay.addWidget(text)
        self.edit = QLineEdit()
        self.edit.setPlaceholderText("e.g. 4123 5678 9012")
        # at most 12 digits, spaces anywhere between them: a 13th digit is not taken
        self.edit.setValidator(QRegularExpressionValidator(r"( *\d){0,12} *", self.edit))
        self.edit.setAccessibleName("UTR")
        lay.addWidget(self.edit)
        self.hint = QLabel(f"{UTR_DIGITS} digits needed.")
        self.hint.setObjectName("hint")
        lay.addWidget(self.hint)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText("Confirm payment")
        self.ok.setObjectName("primary")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        lay.addWidget(self.buttons)
        self.edit.textChanged.connect(self._check)
        self._check("")

    @property
    def utr(self) -> str:
        return self.edit.text().replace(" ", "")

    def _check(self, _text: str) -> None:
        count = len(self.utr)
        ok = count == UTR_DIGITS
        self.ok.setEnabled(ok)
        if ok:
            self.hint.setText("Looks right. Press Enter to confirm.")
        else:
            self.hint.setText(f"{count} of {UTR_DIGITS} digits.")
