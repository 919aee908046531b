"""The kiosk's admin unlock prompt, reached by the hidden corner taps or the key chord."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QVBoxLayout

from app.kiosk.touch import TOUCH_PX, touch_button
from app.widgets.scaling import ScaledPanel, role_label


class PinPage(ScaledPanel):
    """The admin unlock prompt, reached by the hidden gesture or key chord."""

    entered = Signal(str, str)  # name, pin
    cancelled = Signal()
    side_margin = 0.29

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("pinPage")
        self.title = role_label("Admin unlock", "title", center=True)
        self.name = QLineEdit()
        self.name.setObjectName("adminName")
        self.name.setPlaceholderText("Admin name")
        self.pin = QLineEdit()
        self.pin.setObjectName("adminPin")
        self.pin.setPlaceholderText("PIN")
        self.pin.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin.setInputMethodHints(Qt.InputMethodHint.ImhDigitsOnly)
        for edit in (self.name, self.pin):
            edit.setMinimumHeight(TOUCH_PX)
        self.pin.returnPressed.connect(self._submit)
        self.error = QLabel("")
        self.error.setObjectName("error")
        self.error.setWordWrap(True)
        self.error.hide()  # no empty message box
        self.unlock_button = touch_button("Unlock and exit", primary=True)
        self.cancel_button = touch_button("Cancel")
        self.unlock_button.clicked.connect(self._submit)
        self.cancel_button.clicked.connect(self.cancelled)
        row = QHBoxLayout()
        row.addWidget(self.cancel_button)
        row.addStretch(1)
        row.addWidget(self.unlock_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(48, 120, 48, 120)
        layout.addWidget(self.title)
        layout.addSpacing(32)
        layout.addWidget(self.name)
        layout.addWidget(self.pin)
        layout.addWidget(self.error)
        layout.addStretch(1)
        layout.addLayout(row)

    def reset(self) -> None:
        self.name.clear()
        self.pin.clear()
        self.say("")
        self.set_busy(False)

    def say(self, text: str) -> None:
        """The refusal under the fields (hidden while there is none)."""
        self.error.setText(text)
        self.error.setVisible(bool(text))

    def set_busy(self, busy: bool) -> None:
        self.unlock_button.setEnabled(not busy)
        self.cancel_button.setEnabled(not busy)

    def _submit(self) -> None:
        if self.unlock_button.isEnabled():
            self.entered.emit(self.name.text(), self.pin.text())
