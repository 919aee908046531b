"""Checkout steps 3–5 as widgets: payment method, the live waiting screen, the receipt.

These only show things and emit what the cashier asked for; the checkout view decides
what happens (it talks to the backend and the customer display).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.countdown import countdown_text, seconds_left
from app.plan_text import plan_label
from app.style import set_flag, set_role
from backend.clock import parse_iso

METHODS = ("upi", "card", "trial")

STATUS_WORDS = {
    "pending": "Waiting for the customer to pay…",
    "succeeded": "Paid",
    "late": "Paid after the QR expired (kept and flagged for a manager)",
    "expired": "The QR has expired. Nothing was charged.",
    "canceled": "Cancelled",
    "failed": "The payment failed. Nothing was charged.",
    "open": "Waiting for the customer to pay…",
    "complete": "Paid",
}


def _title(text: str) -> QLabel:
    label = QLabel(text)
    label.setObjectName("title")
    return label


class MethodStep(QWidget):
    """Three big buttons; a disabled one says why underneath."""

    chosen = Signal(str)
    back = Signal()

    def __init__(self) -> None:
        super().__init__()
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(_title("How will they pay?"))
        self.summary = QLabel()
        self.summary.setObjectName("subtitle")
        self.summary.setWordWrap(True)
        lay.addWidget(self.summary)
        lay.addSpacing(10)
        self.buttons: dict[str, QPushButton] = {}
        self.reasons: dict[str, QLabel] = {}
        self.first: QPushButton | None = None
        texts = {
            "upi": "&UPI QR  —  customer scans with any UPI app   (Alt+U)",
            "card": "&Card  —  Stripe Checkout QR on the customer's phone   (Alt+C)",
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
            lay.addWidget(button)
            lay.addWidget(reason)
            lay.addSpacing(6)
            self.buttons[method] = button
            self.reasons[method] = reason
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

    def offer(self, summary: str, reasons: dict[str, str | None]) -> None:
        """Enable each method whose reason is ``None``; show the reason under the others."""
        self.summary.setText(summary)
        self.error.hide()
        first = None
        for method in METHODS:
            reason = reasons.get(method)
            self.buttons[method].setEnabled(reason is None)
            self.reasons[method].setText(reason or "")
            self.reasons[method].setVisible(bool(reason))
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


class WaitingStep(QWidget):
    """Live status of a UPI or card request: amount, status, countdown, actions."""

    cancel_requested = Signal()
    utr_requested = Signal()
    retry_requested = Signal()
    done_requested = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.request: dict[str, Any] = {}
        self.kind = "upi"
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(24)
        left = QVBoxLayout()
        self.heading = _title("Waiting for payment")
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

    def begin(self, request: dict[str, Any], kind: str, customer: dict[str, Any], now: datetime):
        self.request = request
        self.kind = kind
        self.error.hide()
        self.heading.setText("Waiting for payment")
        what = plan_label(request.get("tier_name", ""), request.get("interval"))
        self.what.setText(f"{what} · for {customer['name']}")
        self.amount.setText(request.get("amount_text", ""))
        if kind == "upi":
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
        status = self.request.get("status", "pending")
        self.status.setText(STATUS_WORDS.get(status, status))
        open_ = status in ("pending", "open")
        self.cancel.setVisible(open_)
        self.utr.setVisible(self.kind == "upi" and status in ("pending", "expired"))
        self.retry.setVisible(status in ("expired", "failed"))
        self.done.setVisible(status in ("expired", "failed", "canceled"))
        if status == "expired":
            self.heading.setText("QR expired")
            self.retry.setDefault(True)
        self.tick(now)

    def tick(self, now: datetime) -> None:
        status = self.request.get("status", "pending")
        if status not in ("pending", "open"):
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


class SuccessStep(QWidget):
    """Paid (or trial started): the receipt number and what to do with the receipt."""

    save_pdf = Signal()
    print_receipt = Signal()
    email_receipt = Signal()
    next_sale = Signal()

    def __init__(self) -> None:
        super().__init__()
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        self.heading = _title("Payment received ✓")
        lay.addWidget(self.heading)
        self.banner = QLabel()
        self.banner.setObjectName("success")
        self.banner.setWordWrap(True)
        lay.addWidget(self.banner)
        grid = QGridLayout()
        grid.setHorizontalSpacing(24)
        grid.setVerticalSpacing(8)
        self.values: dict[str, QLabel] = {}
        for row, (key, label) in enumerate(
            (
                ("receipt_no", "Receipt number"),
                ("customer", "Customer"),
                ("plan", "Plan"),
                ("amount", "Amount"),
                ("paid_at", "Paid at"),
                ("reference", "Reference"),
            )
        ):
            name = QLabel(label)
            name.setObjectName("hint")
            value = QLabel()
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            if key == "receipt_no":
                value.setObjectName("receiptNo")
            grid.addWidget(name, row, 0)
            grid.addWidget(value, row, 1)
            self.values[key] = value
        grid.setColumnStretch(1, 1)
        lay.addLayout(grid)
        self.receipt_note = QLabel()
        self.receipt_note.setObjectName("reason")
        self.receipt_note.setWordWrap(True)
        lay.addWidget(self.receipt_note)
        self.feedback = QLabel()
        self.feedback.setWordWrap(True)
        lay.addWidget(self.feedback)
        lay.addStretch(1)
        actions = QHBoxLayout()
        self.pdf = QPushButton("Save &PDF…")
        self.pdf.clicked.connect(self.save_pdf.emit)
        self.print = QPushButton("P&rint…")
        self.print.clicked.connect(self.print_receipt.emit)
        self.email = QPushButton("&Email receipt")
        self.email.clicked.connect(self.email_receipt.emit)
        for button in (self.pdf, self.print, self.email):
            actions.addWidget(button)
        actions.addStretch(1)
        self.next = QPushButton("&Next sale (Enter)")
        self.next.setObjectName("primary")
        self.next.setDefault(True)
        self.next.clicked.connect(self.next_sale.emit)
        actions.addWidget(self.next)
        lay.addLayout(actions)

    def show_result(
        self,
        *,
        heading: str,
        banner: str,
        values: dict[str, str],
        receipt_reasons: dict[str, str | None],
    ) -> None:
        self.heading.setText(heading)
        self.banner.setText(banner)
        for key, label in self.values.items():
            label.setText(values.get(key) or "—")
        notes = []
        for key, button in (("pdf", self.pdf), ("print", self.print), ("email", self.email)):
            reason = receipt_reasons.get(key)
            button.setEnabled(reason is None)
            button.setToolTip(reason or "")
            if reason and reason not in notes:
                notes.append(reason)
        self.receipt_note.setText("\n".join(notes))
        self.receipt_note.setVisible(bool(notes))
        self.feedback.setText("")
        self.next.setFocus(Qt.FocusReason.OtherFocusReason)

    def say(self, message: str, ok: bool = True) -> None:
        set_role(self.feedback, "success" if ok else "error")
        self.feedback.setText(message)
