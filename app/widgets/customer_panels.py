"""What a customer sees: the plans, a payment QR with its countdown, and the outcome.

Shared by the customer display and the kiosk. Everything shown is taken from a request
through :func:`payment_view`, a whitelist: staff names, UTRs, customer contact details
and internal ids never reach these widgets. Fonts scale with the panel's size so the
same panel reads from a metre away full-screen and still fits in a small window; the
plans switch from cards to a price list when cards would not fit.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QFontMetricsF, QResizeEvent
from PySide6.QtWidgets import (
    QBoxLayout,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLayout,
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
    # the kiosk's plan buttons
    "planName": 40,
    "planBadge": 24,
    "planPrice": 44,
    "planPer": 26,
}
MIN_PX = 14


def design_factor(width: int, height: int) -> float:
    """The scale of a ``width``×``height`` panel against the 1920×1080 design: by its
    height, or by its width when it is narrower than 16:9 (so nothing clips)."""
    return min(max(height, 1) / 1080, max(width, 1) / 1920)


def role_px(label: QLabel, factor: float) -> int:
    """The pixel size of a role-named label at ``factor`` (never below :data:`MIN_PX`)."""
    return max(MIN_PX, round(FONT_PX.get(label.objectName(), MIN_PX) * factor))


def label_width(label: QLabel, factor: float) -> float:
    """Width ``label`` needs for its text on one line at its size for ``factor``: the
    text, plus its padding from the style sheet (a badge's), which does not scale."""
    label.ensurePolished()
    font = label.font()
    now = QFontMetricsF(font).horizontalAdvance(label.text())
    padding = max(0.0, label.sizeHint().width() - now)
    font.setPixelSize(role_px(label, factor))
    return QFontMetricsF(font).horizontalAdvance(label.text()) + padding


def scale_fonts(root: QWidget, factor: float) -> None:
    """Give every QLabel under ``root`` whose objectName is a role its size × ``factor``.

    The size goes into the label's own style sheet: the application's sheet
    (``resources/style.qss``) sets a font size for every widget, and a label's own sheet
    is the one thing that wins over it (``setFont`` would not).
    """
    for label in root.findChildren(QLabel):
        if label.objectName() in FONT_PX:
            sheet = f"font-size: {role_px(label, factor)}px;"
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
    """A panel whose role-named labels scale with its size; with ``side_margin`` set,
    its left and right margins are that fraction of its width (forms stay centred and
    readable on any screen size)."""

    side_margin = 0.0

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        # the window's size decides and the fonts follow: the text at its last size must
        # not hold the window large (say when the display leaves a big screen)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)

    def font_factor(self) -> float:
        return design_factor(self.width(), self.height())

    def rescale(self) -> None:
        scale_fonts(self, self.font_factor())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.rescale()
        layout = self.layout()
        if self.side_margin and layout is not None:
            margins = layout.contentsMargins()
            content = layout.minimumSize().width() - margins.left() - margins.right()
            room = max(0, (self.width() - content) // 2)  # never wider than the panel
            side = min(int(self.width() * self.side_margin), room)
            layout.setContentsMargins(side, margins.top(), side, margins.bottom())


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
        self.rescale()


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


#: labels that must fit side by side on one line, and the design pixels around them
Line = tuple[list[QLabel], int]
#: spacing at the 1920×1080 design; it scales with the fonts, so a small panel keeps
#: the same proportions (and the same fit) as a full screen
PANEL_MARGINS = (48, 40, 48, 48)
GRID_SPACING, CARD_MARGINS, ROW_MARGINS, ROW_GAP = 24, (18, 20, 18, 28), (24, 10, 24, 10), 16
#: a card's or line's two borders (4 px each when recommended; borders do not scale)
BORDERS = 8
#: below this share of the height's font size, cards give way to the price list
CARDS_MIN_SHARE = 0.8


def scaled(pixels: int, factor: float) -> int:
    return max(2, round(pixels * factor))


def set_margins(layout: QLayout, margins: tuple[int, int, int, int], factor: float) -> None:
    layout.setContentsMargins(*(scaled(m, factor) for m in margins))


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
        self.set_scale(1.0)

    def set_scale(self, factor: float) -> None:
        set_margins(self.layout(), CARD_MARGINS, factor)

    def lines(self) -> list[Line]:
        """The lines that cannot wrap, each alone across the card."""
        inside = CARD_MARGINS[0] + CARD_MARGINS[2]
        return [([label], inside) for label in (self.name, self.price, self.per, self.badge)]


class TierRow(QFrame):
    """One plan as a line of the price list (narrow or small screens): name and price
    on the first line; the badge and the other option under them."""

    def __init__(self, tier: Mapping[str, Any], currency: str) -> None:
        super().__init__()
        self.setObjectName("tierRow")
        # the panel's width decides, never the text: the font factor makes the text fit
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.setProperty("recommended", bool(tier.get("recommended")))
        self.tier_id = str(tier.get("id", ""))
        price, per, other = tier_price_lines(tier, currency)
        self.name = role_label(str(tier.get("name", "")), "tierName")
        self.badge = role_label("Recommended", "badge")
        self.badge.setVisible(bool(tier.get("recommended")))
        self.price = role_label(price, "tierPrice")
        self.per = role_label(per, "tierAlt")
        self.alt = role_label(other, "tierAlt")
        self.alt.setVisible(bool(other))
        right = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        self.price.setAlignment(right)
        self.alt.setAlignment(right)
        grid = QGridLayout(self)
        grid.setVerticalSpacing(2)
        grid.addWidget(self.name, 0, 0)
        grid.addWidget(self.price, 0, 1)
        grid.addWidget(self.per, 0, 2)
        grid.addWidget(self.badge, 1, 0, Qt.AlignmentFlag.AlignLeft)
        grid.addWidget(self.alt, 1, 1, 1, 2, right)
        grid.setColumnStretch(0, 1)
        self.set_scale(1.0)

    def set_scale(self, factor: float) -> None:
        grid = self.layout()
        assert isinstance(grid, QGridLayout)
        set_margins(grid, ROW_MARGINS, factor)
        grid.setHorizontalSpacing(scaled(ROW_GAP, factor))

    def lines(self) -> list[Line]:
        """Name, price and period on the first line; badge and the other option under."""
        inside = ROW_MARGINS[0] + ROW_MARGINS[2]
        lines: list[Line] = [([self.name, self.price, self.per], inside + 2 * ROW_GAP)]
        if self.badge.isVisibleTo(self):
            lines.append(([self.badge, self.alt], inside + ROW_GAP))
        return lines


def fitting_factor(room: Callable[[float], float], lines: Sequence[Line], limit: float) -> float:
    """The largest font factor up to ``limit`` at which every line (its labels, plus
    its spacing at that factor and the borders) fits in ``room(factor)`` pixels;
    searched downwards, as sizes are rounded and never below MIN_PX."""
    factor = limit

    def too_wide(labels: list[QLabel], spacing: int) -> bool:
        width = sum(label_width(label, factor) for label in labels)
        return width + spacing * factor + BORDERS > room(factor)

    while factor > 0.05 and any(too_wide(labels, spacing) for labels, spacing in lines):
        factor *= 0.97
    return factor


class TiersPanel(ScaledPanel):
    """The idle screen: the plans as cards side by side (with their top features) when
    they fit, else as a price list, one plan a line, with larger type."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("tiersPanel")
        self.title = role_label("Choose your AUTOOS plan", "title", wrap=True, center=True)
        self.subtitle = role_label(
            "Ask at the counter, or scan and pay here", "subtitle", wrap=True, center=True
        )
        self._grid = QGridLayout()
        self._list = QVBoxLayout()
        self._cards_box = QWidget()
        self._cards_box.setLayout(self._grid)
        self._list_box = QWidget()
        self._list_box.setLayout(self._list)
        for box in (self._grid, self._list):
            box.setContentsMargins(0, 0, 0, 0)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.subtitle)
        layout.addStretch(1)
        layout.addWidget(self._cards_box)
        layout.addWidget(self._list_box)
        layout.addStretch(2)
        self.cards: list[TierCard] = []
        self.rows: list[TierRow] = []
        self.mode = "cards"
        self._list_box.hide()

    def set_tiers(self, tiers: Sequence[Mapping[str, Any]], currency: str) -> None:
        for old in (*self.cards, *self.rows):
            old.setParent(None)
            old.deleteLater()
        self.cards = [TierCard(tier, currency) for tier in tiers]
        self.rows = [TierRow(tier, currency) for tier in tiers]
        for col, card in enumerate(self.cards):
            self._grid.addWidget(card, 0, col)
            self._grid.setColumnStretch(col, 1)
        for row in self.rows:
            self._list.addWidget(row)
        self.rescale()

    def factors(self) -> dict[str, float]:
        """The font factor each layout could use at this size: cards are limited by
        each column's width, the list by the panel's width; both by the height."""
        by_size = self.height() / 1080
        n = max(1, len(self.cards))

        def room(factor: float) -> float:
            return self.width() - scaled(PANEL_MARGINS[0] + PANEL_MARGINS[2], factor)

        def column(factor: float) -> float:
            return (room(factor) - (n - 1) * scaled(GRID_SPACING, factor)) / n

        card_lines = [line for card in self.cards for line in card.lines()]
        row_lines = [line for row in self.rows for line in row.lines()]
        return {
            "cards": fitting_factor(column, card_lines, by_size),
            "list": fitting_factor(room, row_lines, by_size),
        }

    def font_factor(self) -> float:
        factors = self.factors()
        by_size = self.height() / 1080
        self._set_mode("cards" if factors["cards"] >= CARDS_MIN_SHARE * by_size else "list")
        return factors[self.mode]

    def rescale(self) -> None:
        factor = self.font_factor()
        scale_fonts(self, factor)
        set_margins(self.layout(), PANEL_MARGINS, factor)
        self._grid.setSpacing(scaled(GRID_SPACING, factor))
        self._list.setSpacing(scaled(GRID_SPACING // 2, factor))
        for part in (*self.cards, *self.rows):
            part.set_scale(factor)

    def _set_mode(self, mode: str) -> None:
        if mode != self.mode:
            self.mode = mode
            self._cards_box.setVisible(mode == "cards")
            self._list_box.setVisible(mode == "list")
