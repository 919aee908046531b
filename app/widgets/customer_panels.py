"""What a customer sees: the plans, a payment QR with its countdown, and the outcome.

Shared by the customer display and the kiosk. Everything shown is taken from a request
through :func:`payment_view`, a whitelist: staff names, UTRs, customer contact details
and internal ids never reach these widgets. Fonts scale with the panel's height so the
same panel reads from a metre away full-screen and still fits in a small window.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from app.countdown import countdown_text, seconds_left
from app.plan_text import PER, plan_label, tier_price
from app.widgets.qr_view import QrView
from backend.clock import parse_iso
from backend.domain.money import format_money

#: label role -> pixel size at a 1080-pixel-high panel
FONT_PX = {
    "title": 64,
    "subtitle": 34,
    "amount": 96,
    "payee": 40,
    "plan": 40,
    "hint": 30,
    "countdown": 72,
    "countdownLabel": 28,
    "headline": 150,
    "message": 44,
    "tierName": 40,
    "tierPrice": 50,
    "tierAlt": 25,
    "tierFeature": 26,
    "badge": 24,
}
MIN_PX = 14


def scale_fonts(root: QWidget, height: int) -> None:
    """Give every QLabel under ``root`` whose objectName is a role its scaled size.

    The size goes into the label's own style sheet: the application's sheet
    (``resources/style.qss``) sets a font size for every widget, and a label's own sheet
    is the one thing that wins over it (``setFont`` would not).
    """
    # a 1920×1080 design: a window narrower than 16:9 scales by its width, so nothing clips
    factor = min(max(height, 1) / 1080, max(root.width(), 1) / 1920)
    for label in root.findChildren(QLabel):
        px = FONT_PX.get(label.objectName())
        if px:
            sheet = f"font-size: {max(MIN_PX, round(px * factor))}px;"
            if label.styleSheet() != sheet:
                label.setStyleSheet(sheet)


def role_label(text: str, role: str, *, wrap: bool = False, center: bool = False) -> QLabel:
    label = QLabel(text)
    label.setObjectName(role)
    label.setWordWrap(wrap)
    if center:
        label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    return label


@dataclass(frozen=True)
class PaymentView:
    """The customer-safe part of a UPI request or card checkout."""

    qr_text: str
    method: str  # "upi" | "card"
    amount_text: str
    payee: str
    plan: str
    expires_at: datetime | None
    receipt_no: str | None


def payment_view(request: Mapping[str, Any]) -> PaymentView:
    """Pick the fields a customer may see. A card checkout encodes its ``url``."""
    is_card = not request.get("uri") and bool(request.get("url"))
    plan = str(request.get("tier_name") or request.get("tier") or "")
    expires = request.get("expires_at")
    return PaymentView(
        qr_text=str(request.get("url") if is_card else request.get("uri") or ""),
        method="card" if is_card else "upi",
        amount_text=str(request.get("amount_text") or ""),
        payee="" if is_card else str(request.get("payee_name") or ""),
        plan=plan_label(plan, request.get("interval")),
        expires_at=parse_iso(expires) if isinstance(expires, str) and expires else None,
        receipt_no=request.get("receipt_no") or None,
    )


class ScaledPanel(QFrame):
    """A panel whose role-named labels scale with its height; with ``side_margin`` set,
    its left and right margins are that fraction of its width (forms stay centred and
    readable on any screen size)."""

    side_margin = 0.0

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        scale_fonts(self, self.height())
        layout = self.layout()
        if self.side_margin and layout is not None:
            margins = layout.contentsMargins()
            content = layout.minimumSize().width() - margins.left() - margins.right()
            room = max(0, (self.width() - content) // 2)  # never wider than the panel
            side = min(int(self.width() * self.side_margin), room)
            layout.setContentsMargins(side, margins.top(), side, margins.bottom())


class PaymentPanel(ScaledPanel):
    """The QR as large as the panel allows, with amount, payee, plan and a countdown."""

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
        self.countdown_label = role_label("Time left to pay", "countdownLabel")
        self.countdown = role_label("", "countdown")
        self.hint = role_label("", "hint", wrap=True)
        info = QVBoxLayout()
        info.setSpacing(12)
        info.addStretch(1)
        for widget in (self.heading, self.amount, self.payee, self.plan):
            info.addWidget(widget)
        info.addSpacing(32)
        info.addWidget(self.countdown_label)
        info.addWidget(self.countdown)
        info.addSpacing(16)
        info.addWidget(self.hint)
        info.addStretch(1)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(32, 32, 48, 32)
        layout.setSpacing(48)
        layout.addWidget(self.qr, 3)
        layout.addLayout(info, 2)
        self._timer = QTimer(self)
        self._timer.setInterval(1000)
        self._timer.timeout.connect(self.tick)

    @property
    def view(self) -> PaymentView | None:
        return self._view

    def show_request(self, request: Mapping[str, Any]) -> PaymentView:
        from backend.adapters.upi.qr import qr_matrix

        view = payment_view(request)
        self._view = view
        self.qr.set_matrix(qr_matrix(view.qr_text), view.qr_text)
        if view.method == "card":
            self.heading.setText("Scan to pay by card on your phone")
            self.payee.setText("")
            self.payee.hide()
        else:
            self.heading.setText("Scan with any UPI app to pay")
            self.payee.setText(f"to {view.payee}" if view.payee else "")
            self.payee.setVisible(bool(view.payee))
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


OUTCOMES = {
    "paid": ("Paid ✓", "Thank you! Your plan is active."),
    "expired": ("Expired", "This payment request has expired. Nothing was charged."),
    "canceled": ("Cancelled", "This payment was cancelled. Nothing was charged."),
}


class ResultPanel(ScaledPanel):
    """A large, unmistakable outcome: ``Paid ✓``, ``Expired`` or ``Cancelled``."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("resultPanel")
        self.headline = role_label("", "headline", center=True)
        self.message = role_label("", "message", wrap=True, center=True)
        self.detail = role_label("", "subtitle", wrap=True, center=True)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addWidget(self.headline)
        layout.addSpacing(24)
        layout.addWidget(self.message)
        layout.addWidget(self.detail)
        layout.addStretch(1)
        self.outcome = ""

    def show_outcome(self, outcome: str, detail: str = "", message: str | None = None) -> None:
        headline, default_message = OUTCOMES[outcome]
        self.outcome = outcome
        self.setProperty("outcome", outcome)
        self.headline.setText(headline)
        self.message.setText(default_message if message is None else message)
        self.detail.setText(detail)
        self.detail.setVisible(bool(detail))
        # re-apply the style sheet: the colour depends on the outcome property
        self.style().unpolish(self.headline)
        self.style().polish(self.headline)
        scale_fonts(self, self.height())


def tier_amount(tier: Mapping[str, Any], currency: str, interval: str) -> str:
    """The tier's price for ``currency`` and ``interval`` as text, or ``""``."""
    price = tier_price(tier, currency, interval)
    return format_money(price) if price is not None else ""


def tier_price_lines(tier: Mapping[str, Any], currency: str) -> tuple[str, str, str]:
    """(price, what it is for, the other option) of a catalog tier (``Tier.to_json``)."""
    if tier.get("contact_sales"):
        return "Custom", "price and terms", "Ask us at the counter"
    if tier.get("trial_days"):
        return "Free", f"for {tier['trial_days']} days", "No card needed"
    month = tier_price(tier, currency, "month")
    year = tier_price(tier, currency, "year")
    if month is None and year is None:
        return "", "", ""
    if month is None:
        return format_money(year), PER["year"], ""  # type: ignore[arg-type]
    other = f"or {format_money(year)} {PER['year']}" if year is not None else ""
    return format_money(month), PER["month"], other


class TierCard(QFrame):
    """One plan on the idle screen: name, price, a recommended badge, top features."""

    def __init__(self, tier: Mapping[str, Any], currency: str, features: int = 3) -> None:
        super().__init__()
        self.setObjectName("tierCard")
        # equal columns whatever the text: the grid's stretch decides the width
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.setProperty("recommended", bool(tier.get("recommended")))
        self.tier_id = str(tier.get("id", ""))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 20, 16, 28)
        layout.setSpacing(6)
        self.badge = role_label("Recommended", "badge", center=True)
        badge_row = QHBoxLayout()
        badge_row.addStretch(1)
        badge_row.addWidget(self.badge)
        badge_row.addStretch(1)
        layout.addLayout(badge_row)
        # keep the names aligned across cards: an invisible badge still takes its room
        policy = self.badge.sizePolicy()
        policy.setRetainSizeWhenHidden(True)
        self.badge.setSizePolicy(policy)
        self.badge.setVisible(bool(tier.get("recommended")))
        price, per, other = tier_price_lines(tier, currency)
        self.name = role_label(str(tier.get("name", "")), "tierName", center=True)
        self.price = role_label(price, "tierPrice", center=True)
        self.per = role_label(per, "tierAlt", center=True)
        self.alt = role_label(other, "tierAlt", wrap=True, center=True)
        layout.addWidget(self.name)
        layout.addSpacing(8)
        layout.addWidget(self.price)
        layout.addWidget(self.per)
        layout.addWidget(self.alt)
        layout.addSpacing(16)
        for feature in list(tier.get("features", []))[:features]:
            layout.addWidget(role_label("✓ " + feature, "tierFeature", wrap=True))
        layout.addStretch(1)


class TiersPanel(ScaledPanel):
    """The idle screen: the plans side by side."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("tiersPanel")
        self.title = role_label("Choose your AUTOOS plan", "title", center=True)
        self.subtitle = role_label("Ask at the counter, or scan and pay here", "subtitle")
        self.subtitle.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._grid = QGridLayout()
        self._grid.setSpacing(24)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(48, 40, 48, 48)
        layout.addWidget(self.title)
        layout.addWidget(self.subtitle)
        layout.addStretch(1)
        layout.addLayout(self._grid)
        layout.addStretch(2)
        self.cards: list[TierCard] = []

    def set_tiers(self, tiers: Sequence[Mapping[str, Any]], currency: str) -> None:
        for card in self.cards:
            self._grid.removeWidget(card)
            card.deleteLater()
        self.cards = [TierCard(tier, currency) for tier in tiers]
        for col, card in enumerate(self.cards):
            self._grid.addWidget(card, 0, col)
            self._grid.setColumnStretch(col, 1)
        scale_fonts(self, self.height())
