"""Kiosk steps 3 to 5 for a paid plan: how to pay, the QR to pay with, and the outcome."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout

from app.kiosk.stop_overlay import StopPayingOverlay
from app.kiosk.touch import TOUCH_PX, touch_button
from app.text.autopay_text import AUTOPAY_LABEL
from app.widgets.payment_panel import PaymentPanel
from app.widgets.result_panel import ResultPanel
from app.widgets.scaling import ScaledPanel, role_label


class MethodPage(ScaledPanel):
    """Step 3 for a paid plan: UPI QR, card when Stripe is configured, and UPI AutoPay
    when the shop offers it (with the mandate's terms under it, before anything is made)."""

    upi = Signal()
    card = Signal()
    autopay = Signal()
    back = Signal()
    side_margin = 0.25

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("methodPage")
        self.title = role_label("How would you like to pay?", "title", center=True)
        self.summary = role_label("", "amount", center=True)
        self.plan = role_label("", "plan", center=True)
        self.upi_button = touch_button("Pay with UPI (scan a QR, pay once)", primary=True)
        self.card_button = touch_button("Pay by card (scan a QR)")
        self.autopay_button = touch_button(AUTOPAY_LABEL)
        #: what the customer approves with AutoPay, shown before they choose it
        self.terms = role_label("", "hint", wrap=True, center=True)
        self.status = QLabel("")
        self.status.setObjectName("error")
        self.status.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.status.setWordWrap(True)
        self.status.hide()  # no empty message box
        self.back_button = touch_button("Back")
        self.upi_button.clicked.connect(self.upi)
        self.card_button.clicked.connect(self.card)
        self.autopay_button.clicked.connect(self.autopay)
        self.back_button.clicked.connect(self.back)
        for button in (self.upi_button, self.card_button, self.autopay_button):
            button.setMinimumHeight(TOUCH_PX + 32)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(48, 64, 48, 48)
        layout.addWidget(self.title)
        layout.addSpacing(24)
        layout.addWidget(self.summary)
        layout.addWidget(self.plan)
        layout.addSpacing(48)
        layout.addWidget(self.upi_button)
        layout.addSpacing(16)
        layout.addWidget(self.card_button)
        layout.addSpacing(16)
        layout.addWidget(self.autopay_button)
        layout.addWidget(self.terms)
        layout.addWidget(self.status)
        layout.addStretch(1)
        row = QHBoxLayout()
        row.addWidget(self.back_button)
        row.addStretch(1)
        layout.addLayout(row)

    def prepare(
        self, amount: str, plan: str, *, upi: bool, card: bool, autopay_terms: str = ""
    ) -> None:
        """Show the ways that can be used now (AutoPay when its terms are given)."""
        self.summary.setText(amount)
        self.plan.setText(plan)
        self.upi_button.setVisible(upi)
        self.card_button.setVisible(card)
        self.autopay_button.setVisible(bool(autopay_terms))
        self.terms.setText(autopay_terms)
        self.terms.setVisible(bool(autopay_terms))
        self.set_busy(False)

    def set_busy(self, busy: bool, message: str = "") -> None:
        for button in (self.upi_button, self.card_button, self.autopay_button, self.back_button):
            button.setEnabled(not busy)
        self.status.setText(message)
        self.status.setVisible(bool(message))


class PaymentPage(ScaledPanel):
    """The QR, big, with its countdown and a way out (asked first: ``stop_overlay``)."""

    def __init__(self, now: Callable[[], datetime]) -> None:
        super().__init__()
        self.setObjectName("kioskPaymentPage")
        self.panel = PaymentPanel(now)
        self.cancel_button = touch_button("Cancel")
        row = QHBoxLayout()
        row.setContentsMargins(32, 0, 32, 24)
        row.addStretch(1)
        row.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.panel, 1)
        layout.addLayout(row)
        self.stop_overlay = StopPayingOverlay(self)


class ResultPage(ScaledPanel):
    """Paid / trial started / expired, with one button back to the start."""

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("kioskResultPage")
        self.panel = ResultPanel()
        self.done_button = touch_button("Done", primary=True)
        self.done_button.setMinimumWidth(320)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.done_button)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(48, 48, 48, 96)
        layout.addWidget(self.panel, 1)
        layout.addLayout(row)
