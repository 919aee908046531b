"""The PIN field: 4 to 8 digits, never shown (login, first admin, adding staff)."""

from __future__ import annotations

from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import QLineEdit


def pin_edit(placeholder: str) -> QLineEdit:
    edit = QLineEdit()
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    edit.setMaxLength(8)
    edit.setValidator(QRegularExpressionValidator(r"\d{0,8}", edit))  # owned: freed with it
    edit.setPlaceholderText(placeholder)
    return edit
