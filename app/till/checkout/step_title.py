"""The title every checkout step starts with."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel


def step_title(text: str) -> QLabel:
    label = QLabel(text)
    label.setObjectName("title")
    return label
