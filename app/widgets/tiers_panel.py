"""The idle screen of the customer display: the plans as cards side by side when they
fit, else as a price list, one plan a line, with larger type."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLayout,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from app.text.plan_text import tier_price_lines
from app.widgets.scaling import ScaledPanel, label_width, role_label, scale_fonts

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
