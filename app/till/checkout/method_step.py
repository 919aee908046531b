"""Checkout step 3: how the customer pays — big buttons; one that cannot be used now
says why underneath (the backend's reasons, from ``sale_methods`` and ``autopay_offer``),
one that can may say what it means (UPI AutoPay: the mandate the customer approves).

It only shows and emits what the cashier chose; the checkout view decides what happens.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from app.till.checkout.step_title import step_title

#: the till's ways to finish a sale: the three ways to pay, or the free trial
METHODS = ("upi", "card", "upi_autopay", "trial")


class MethodStep(QWidget):
    """A big button per way; a disabled one says why underneath, an enabled one may
    carry a note (what the customer agrees to)."""

    chosen = Signal(str)
    back = Signal()

    def __init__(self) -> None:
        super().__init__()
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(step_title("How will they pay?"))
        self.summary = QLabel()
        self.summary.setObjectName("subtitle")
        self.summary.setWordWrap(True)
        lay.addWidget(self.summary)
        lay.addSpacing(10)
        self.buttons: dict[str, QPushButton] = {}
        self.reasons: dict[str, QLabel] = {}
        self.notes: dict[str, QLabel] = {}
        self.first: QPushButton | None = None
        texts = {
            "upi": "&UPI QR (pay once)  —  customer scans with any UPI app   (Alt+U)",
            "card": "&Card  —  Stripe Checkout QR on the customer's phone   (Alt+C)",
            "upi_autopay": "UPI &AutoPay — renews automatically   (Alt+A)",
            "trial": "Start free &trial  —  no payment   (Alt+T)",
        }
        for method in METHODS:
            button = QPushButton(texts[method])
            button.setObjectName("method")
            button.setAutoDefault(True)  # Enter takes the focused method
            button.clicked.connect(lambda _c=False, m=method: self.chosen.emit(m))
            reason = QLabel()
            reason.setObjectName("reason")
            reason.setWordWrap(True)
            note = QLabel()
            note.setObjectName("hint")
            note.setWordWrap(True)
            note.hide()
            lay.addWidget(button)
            lay.addWidget(reason)
            lay.addWidget(note)
            lay.addSpacing(6)
            self.buttons[method] = button
            self.reasons[method] = reason
            self.notes[method] = note
        self.error = QLabel()
        self.error.setObjectName("error")
        self.error.setWordWrap(True)
        self.error.hide()
        lay.addWidget(self.error)
        lay.addStretch(1)
        foot = QHBoxLayout()
        back = QPushButton("← Back (Esc)")
        back.clicked.connect(self.back.emit)
        foot.addWidget(back)
        foot.addStretch(1)
        lay.addLayout(foot)

    def offer(
        self,
        summary: str,
        reasons: dict[str, str | None],
        notes: dict[str, str] | None = None,
    ) -> None:
        """Enable each method whose reason is ``None``; show the reason under the others
        (a method without a reason given cannot be used), and its note under an enabled
        one."""
        self.summary.setText(summary)
        self.error.hide()
        first = None
        for method in METHODS:
            reason = reasons.get(method, "")
            note = (notes or {}).get(method, "") if reason is None else ""
            self.buttons[method].setEnabled(reason is None)
            self.reasons[method].setText(reason or "")
            self.reasons[method].setVisible(bool(reason))
            self.notes[method].setText(note)
            self.notes[method].setVisible(bool(note))
            if reason is None and first is None:
                first = self.buttons[method]
        for button in self.buttons.values():
            button.setDefault(button is first)
        self.first = first
        self.focus_default()

    def focus_default(self) -> None:
        target = self.first if self.first is not None and self.first.isEnabled() else None
        (target or self).setFocus(Qt.FocusReason.OtherFocusReason)

    def busy(self, busy: bool) -> None:
        for button in self.buttons.values():
            button.setProperty("busyDisabled", busy)
        self.setDisabled(busy)

    def show_error(self, message: str) -> None:
        self.error.setText(message)
        self.error.show()
