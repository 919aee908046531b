"""Checkout step 4: the live state of a UPI request or card checkout — amount, status,
countdown, and what the cashier can do now (cancel, confirm by UTR, a new QR).

Which actions show is the payment vocabulary's (:mod:`backend.domain.payments`): the
step only asks it about the payment in front of it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.text.countdown import countdown_text, seconds_left
from app.text.plan_text import plan_label
from app.till.checkout.step_title import step_title
from app.widgets.payment_panel import payment_view
from app.widgets.style import set_flag
from backend.clock import parse_iso
from backend.domain.payments import (
    Outcome,
    explanation,
    is_autopay,
    is_open,
    is_upi,
    label,
    may_confirm_with_utr,
    may_retry,
    outcome,
)


def heading_for(payment: dict[str, Any]) -> str:
    """The step's title: what the counter is waiting for, or how the payment ended."""
    now = outcome(payment)
    if now == Outcome.WAITING:
        return "Waiting for AutoPay approval" if is_autopay(payment) else "Waiting for payment"
    if now == Outcome.EXPIRED:
        return "QR expired"
    if now == Outcome.CANCELED:
        return f"Payment {label(payment).lower()}"
    return "Paid"


class WaitingStep(QWidget):
    """Live status of a UPI or card request: amount, status, countdown, actions."""

    cancel_requested = Signal()
    utr_requested = Signal()
    retry_requested = Signal()
    done_requested = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.request: dict[str, Any] = {}
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(24)
        left = QVBoxLayout()
        self.heading = step_title("Waiting for payment")
        left.addWidget(self.heading)
        self.what = QLabel()
        self.what.setObjectName("subtitle")
        self.what.setWordWrap(True)
        left.addWidget(self.what)
        self.amount = QLabel()
        self.amount.setObjectName("bigAmount")
        left.addWidget(self.amount)
        self.status = QLabel()
        self.status.setObjectName("statusBig")
        self.status.setWordWrap(True)
        left.addWidget(self.status)
        row = QHBoxLayout()
        self.countdown = QLabel()
        self.countdown.setObjectName("countdown")
        row.addWidget(self.countdown)
        self.time_bar = QProgressBar()
        self.time_bar.setTextVisible(False)
        row.addWidget(self.time_bar, 1)
        left.addLayout(row)
        #: a declined card, in Stripe's words (the payment stays open: another card may pay)
        self.declined = QLabel()
        self.declined.setObjectName("error")
        self.declined.setWordWrap(True)
        self.declined.hide()
        left.addWidget(self.declined)
        self.details = QLabel()
        self.details.setObjectName("hint")
        self.details.setWordWrap(True)
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        left.addWidget(self.details)
        self.error = QLabel()
        self.error.setObjectName("error")
        self.error.setWordWrap(True)
        self.error.hide()
        left.addWidget(self.error)
        left.addStretch(1)
        actions = QHBoxLayout()
        self.cancel = QPushButton("&Cancel payment (Esc)")
        self.cancel.setObjectName("danger")
        self.cancel.clicked.connect(self.cancel_requested.emit)
        actions.addWidget(self.cancel)
        actions.addStretch(1)
        self.retry = QPushButton("&New QR")
        self.retry.setAutoDefault(True)
        self.retry.clicked.connect(self.retry_requested.emit)
        actions.addWidget(self.retry)
        self.done = QPushButton("Start &over")
        self.done.clicked.connect(self.done_requested.emit)
        actions.addWidget(self.done)
        self.utr = QPushButton("Confirm with &UTR…")
        self.utr.setAutoDefault(True)
        self.utr.setObjectName("primary")
        self.utr.clicked.connect(self.utr_requested.emit)
        actions.addWidget(self.utr)
        left.addLayout(actions)
        lay.addLayout(left, 3)
        self.qr_box = QFrame()
        self.qr_box.setObjectName("card")
        self.qr_lay = QVBoxLayout(self.qr_box)
        self.qr_caption = QLabel("Shown on the customer display")
        self.qr_caption.setObjectName("hint")
        self.qr_caption.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.qr_lay.addWidget(self.qr_caption)
        lay.addWidget(self.qr_box, 2)
        self._total = 1

    def set_qr_widget(self, widget: QWidget | None) -> None:
        """Put the QR preview (``None``: none on this screen) above its caption."""
        if widget is not None:
            self.qr_lay.insertWidget(0, widget, 1)
        self.qr_box.setVisible(widget is not None)

    def begin(self, request: dict[str, Any], customer: dict[str, Any], now: datetime) -> None:
        self.request = request
        self.error.hide()
        what = plan_label(request.get("tier_name", ""), request.get("interval"))
        self.what.setText(f"{what} · for {customer['name']}")
        self.amount.setText(request.get("amount_text", ""))
        view = payment_view(request)
        if view.kind == "autopay":
            self.details.setText(f"{view.mandate}\nApproval page:\n{view.qr_text}")
            self.qr_caption.setText("UPI AutoPay sign-up — also on the customer display")
        elif is_upi(request):
            payee = request.get("payee_name") or ""
            vpa = request.get("vpa") or ""
            self.details.setText(
                f"Bill reference (tr): {request.get('tr', '')}\nPaid to: {payee} ({vpa})"
            )
            self.qr_caption.setText("UPI QR — also on the customer display")
        else:
            self.details.setText(f"Stripe Checkout link:\n{request.get('url', '')}")
            self.qr_caption.setText("Card payment link — also on the customer display")
        if request.get("expires_at"):
            start = request.get("created_at") or None
            total = (
                (parse_iso(request["expires_at"]) - parse_iso(start)).total_seconds()
                if start
                else (parse_iso(request["expires_at"]) - now).total_seconds()
            )
            self._total = max(1, int(total))
        self.update_status(request, now)
        self.tick(now)

    def update_status(self, request: dict[str, Any], now: datetime) -> None:
        self.request = {**self.request, **request}
        payment = self.request
        self.status.setText(explanation(payment))
        declined = payment.get("declined") if is_open(payment) else None
        self.declined.setText(declined or "")
        self.declined.setVisible(bool(declined))
        self.cancel.setVisible(is_open(payment))
        self.utr.setVisible(may_confirm_with_utr(payment))
        self.retry.setVisible(may_retry(payment))
        self.done.setVisible(outcome(payment) in (Outcome.EXPIRED, Outcome.CANCELED))
        self.heading.setText(heading_for(payment))
        if outcome(payment) == Outcome.EXPIRED:
            self.retry.setDefault(True)
        self.tick(now)

    def tick(self, now: datetime) -> None:
        if not is_open(self.request):
            self.countdown.setText("")
            self.time_bar.hide()
            return
        expires_at = self.request.get("expires_at")
        left = seconds_left(expires_at, now)
        text = countdown_text(left) if expires_at else ""
        self.countdown.setText(f"{text} left" if text else "")
        set_flag(self.countdown, "urgent", 0 < left <= 60)
        self.time_bar.setVisible(bool(text))
        self.time_bar.setRange(0, self._total)
        self.time_bar.setValue(min(left, self._total))

    def show_error(self, message: str) -> None:
        self.error.setText(message)
        self.error.show()

    def focus_default(self) -> None:
        """The UTR button when it is there (Enter confirms), else the new-QR button."""
        for button in (self.utr, self.retry, self.done, self.cancel):
            if button.isVisible():
                button.setFocus(Qt.FocusReason.OtherFocusReason)
                return
        self.setFocus(Qt.FocusReason.OtherFocusReason)
