"""A payment in front of the customer: the QR as large as the panel allows, with amount,
payee, plan and a countdown (the customer display and the kiosk).

Everything shown is taken from the payment through :func:`payment_view`, a whitelist:
staff names, UTRs, customer contact details and internal ids never reach the screen.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QBoxLayout, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from app.text.countdown import countdown_text, seconds_left
from app.text.plan_text import plan_label
from app.widgets.qr_view import QrView
from app.widgets.scaling import ScaledPanel, role_label
from backend.clock import parse_iso
from backend.domain.autopay import receipt_line
from backend.domain.payments import is_autopay, is_card, pays_on_page

#: what the customer is asked to do, by the kind of payment in front of them
HEADINGS = {
    "upi": "Scan with any UPI app to pay",
    "card": "Scan to pay by card on your phone",
    "autopay": "Scan to set up UPI AutoPay on your phone",
}


@dataclass(frozen=True)
class PaymentView:
    """The customer-safe part of a UPI request, card checkout or UPI AutoPay sign-up."""

    qr_text: str
    kind: str  # "upi" (a UPI request), "card" (a card page) or "autopay" (a mandate's page)
    amount_text: str
    payee: str
    plan: str
    expires_at: datetime | None
    receipt_no: str | None
    #: an AutoPay sign-up's mandate, as the customer approves it ("" otherwise)
    mandate: str = ""


def payment_view(request: Mapping[str, Any]) -> PaymentView:
    """Pick the fields a customer may see. A payment made on a provider's page (a card
    checkout, a UPI AutoPay sign-up: by its ``method``) encodes the page's ``url``, a UPI
    request its ``uri``."""
    page = pays_on_page(request)
    kind = "card" if is_card(request) else "autopay" if is_autopay(request) else "upi"
    plan = str(request.get("tier_name") or request.get("tier") or "")
    expires = request.get("expires_at")
    mandate = request.get("mandate") if kind == "autopay" else None
    return PaymentView(
        qr_text=str((request.get("url") if page else request.get("uri")) or ""),
        kind=kind,
        amount_text=str(request.get("amount_text") or ""),
        payee="" if page else str(request.get("payee_name") or ""),
        plan=plan_label(plan, request.get("interval")),
        expires_at=parse_iso(expires) if isinstance(expires, str) and expires else None,
        receipt_no=request.get("receipt_no") or None,
        mandate=receipt_line(mandate if isinstance(mandate, Mapping) else None),
    )


class PaymentPanel(ScaledPanel):
    """The QR as large as the panel allows, with amount, payee, plan and a countdown:
    side by side on a landscape panel, the QR above the text on a portrait one."""

    #: the countdown reached zero (the request is expired by the clock)
    expired = Signal()

    def __init__(self, now: Callable[[], datetime], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("paymentPanel")
        self._now = now
        self._view: PaymentView | None = None
        self.qr = QrView()
        self.heading = role_label("", "subtitle", wrap=True)
        self.amount = role_label("", "amount")
        self.payee = role_label("", "payee", wrap=True)
        self.plan = role_label("", "plan", wrap=True)
        #: an AutoPay sign-up: the mandate the customer approves, before they scan
        self.mandate = role_label("", "payee", wrap=True)
        self.countdown_label = role_label("Time left to pay", "countdownLabel")
        self.countdown = role_label("", "countdown")
        self.hint = role_label("", "hint", wrap=True)
        info = QVBoxLayout()
        info.setSpacing(12)
        info.addStretch(1)
        for widget in (self.heading, self.amount, self.payee, self.plan, self.mandate):
            info.addWidget(widget)
        info.addSpacing(32)
        info.addWidget(self.countdown_label)
        info.addWidget(self.countdown)
        info.addSpacing(16)
        info.addWidget(self.hint)
        info.addStretch(1)
        self._box = QHBoxLayout(self)
        self._box.setContentsMargins(32, 32, 48, 32)
        self._box.setSpacing(48)
        self._box.addWidget(self.qr, 3)
        self._box.addLayout(info, 2)
        self._timer = QTimer(self)
        self._timer.setInterval(1000)
        self._timer.timeout.connect(self.tick)

    def portrait(self) -> bool:
        return self.height() > self.width()

    def font_factor(self) -> float:
        if self.portrait():  # the 1920×1080 design turned on its side
            return min(self.width() / 1080, self.height() / 1920)
        return super().font_factor()

    def rescale(self) -> None:
        portrait = self.portrait()
        direction = (
            QBoxLayout.Direction.TopToBottom if portrait else QBoxLayout.Direction.LeftToRight
        )
        if self._box.direction() != direction:
            self._box.setDirection(direction)
            # side by side the QR takes three fifths; above the text, all the text leaves
            self._box.setStretch(0, 1 if portrait else 3)
            self._box.setStretch(1, 0 if portrait else 2)
            align = Qt.AlignmentFlag.AlignHCenter if portrait else Qt.AlignmentFlag.AlignLeft
            for label in self.findChildren(QLabel):
                label.setAlignment(align | Qt.AlignmentFlag.AlignVCenter)
        super().rescale()

    @property
    def view(self) -> PaymentView | None:
        return self._view

    def show_request(self, request: Mapping[str, Any]) -> PaymentView:
        from backend.adapters.upi.qr import qr_matrix

        view = payment_view(request)
        self._view = view
        self.qr.set_matrix(qr_matrix(view.qr_text), view.qr_text)
        self.heading.setText(HEADINGS[view.kind])
        self.payee.setText(f"to {view.payee}" if view.payee else "")
        self.payee.setVisible(bool(view.payee))
        self.mandate.setText(view.mandate)
        self.mandate.setVisible(bool(view.mandate))
        self.amount.setText(view.amount_text)
        self.plan.setText(view.plan)
        self.plan.setVisible(bool(view.plan))
        self.countdown_label.setVisible(view.expires_at is not None)
        self.countdown.setVisible(view.expires_at is not None)
        self.tick()
        self._timer.start()
        return view

    def set_hint(self, text: str) -> None:
        self.hint.setText(text)

    def stop(self) -> None:
        self._timer.stop()

    def tick(self) -> None:
        view = self._view
        if view is None or view.expires_at is None:
            return
        now = self._now()
        self.countdown.setText(countdown_text(seconds_left(view.expires_at, now)))
        if now >= view.expires_at:
            self._timer.stop()
            self.expired.emit()
