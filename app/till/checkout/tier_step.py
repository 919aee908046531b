"""Checkout step 1: the plans as cards, with monthly/yearly and INR/USD toggles."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.text.plan_text import PER, tax_note, tier_price
from backend.domain.money import format_money


def limit_lines(tier: dict[str, Any]) -> list[str]:
    """The plan's limits in words (``None`` = unlimited)."""
    limits = tier["limits"]
    lines = []
    workflows = limits.get("workflows_per_month")
    lines.append("Unlimited workflows" if workflows is None else f"{workflows} workflows a month")
    agents = limits.get("concurrent_agents")
    lines.append("Unlimited concurrent agents" if agents is None else f"{agents} concurrent agents")
    if limits.get("credits"):
        lines.append(f"{limits['credits']} workflow credits")
    return lines


def extra_features(tier: dict[str, Any]) -> list[str]:
    """Catalog features that the limit lines and the price line do not already say."""
    said = ("workflow", "agent", "days free", "custom price")
    return [f for f in tier["features"] if not any(word in f.lower() for word in said)]


def _toggle(text: str, group: QButtonGroup, key: str) -> QPushButton:
    button = QPushButton(text)
    button.setObjectName("toggle")
    button.setCheckable(True)
    button.setProperty("key", key)
    group.addButton(button)
    return button


class TierCard(QFrame):
    """One plan: name, badge, price for the chosen interval and currency, limits."""

    chosen = Signal(dict)

    def __init__(self, tier: dict[str, Any]) -> None:
        super().__init__()
        self.tier = tier
        self.setObjectName("tierCard")
        self.setProperty("recommended", bool(tier["recommended"]))
        self.setMinimumWidth(200)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(18, 18, 18, 18)
        lay.setSpacing(9)
        badge = QLabel("★ Recommended" if tier["recommended"] else "")
        badge.setObjectName("badge" if tier["recommended"] else "badgeSpace")
        badge.setAlignment(Qt.AlignmentFlag.AlignLeft)
        badge.setFixedHeight(24)
        row = QHBoxLayout()
        row.addWidget(badge)
        row.addStretch(1)
        lay.addLayout(row)
        name = QLabel(tier["name"])
        name.setObjectName("tierName")
        lay.addWidget(name)
        self.price = QLabel()
        self.price.setObjectName("tierPrice")
        lay.addWidget(self.price)
        self.per = QLabel()
        self.per.setObjectName("tierPer")
        self.per.setWordWrap(True)
        lay.addWidget(self.per)
        lay.addSpacing(6)
        for line in limit_lines(tier):
            label = QLabel("• " + line)
            label.setWordWrap(True)
            lay.addWidget(label)
        for feature in extra_features(tier):
            label = QLabel("• " + feature)
            label.setObjectName("hint")
            label.setWordWrap(True)
            lay.addWidget(label)
        lay.addStretch(1)
        lay.addSpacing(12)
        self.button = QPushButton()
        self.button.setAutoDefault(True)  # Enter chooses the focused plan
        self.button.clicked.connect(lambda: self.chosen.emit(self.tier))
        if tier["recommended"]:
            self.button.setObjectName("primary")
        lay.addWidget(self.button)

    def show_price(self, currency: str, interval: str) -> None:
        tier = self.tier
        if tier["contact_sales"]:
            self.price.setText("Custom")
            self.per.setText("Price and terms agreed with our sales team")
            self.button.setText("Contact sales")
            self.button.setEnabled(False)
            self.button.setToolTip("Enterprise plans are sold by the sales team, not at the till.")
            return
        if tier["trial_days"]:
            self.price.setText("Free")
            self.per.setText(f"for {tier['trial_days']} days, no card needed")
            self.button.setText("Start free trial")
            return
        price = tier_price(tier, currency, interval)
        if price is None:
            self.price.setText("—")
            self.per.setText(f"not sold {PER[interval]} in {currency}")
            self.button.setEnabled(False)
            return
        self.price.setText(format_money(price))
        self.per.setText(PER[interval] + tax_note(currency))
        self.button.setText(f"Choose {tier['name']}")
        self.button.setEnabled(True)


class TierPicker(QWidget):
    """Cards for every plan; emits the chosen tier with the interval and currency."""

    chosen = Signal(dict, str, str)  # tier, interval, currency

    def __init__(self) -> None:
        super().__init__()
        self.cards: list[TierCard] = []
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        bar = QHBoxLayout()
        title = QLabel("Choose a plan")
        title.setObjectName("title")
        bar.addWidget(title)
        bar.addStretch(1)
        self.interval_group = QButtonGroup(self)
        self.monthly = _toggle("&Monthly", self.interval_group, "month")
        self.yearly = _toggle("&Yearly", self.interval_group, "year")
        self.monthly.setChecked(True)
        bar.addWidget(self.monthly)
        bar.addWidget(self.yearly)
        bar.addSpacing(24)
        self.currency_group = QButtonGroup(self)
        self.inr = _toggle("₹ &INR", self.currency_group, "INR")
        self.usd = _toggle("$ US&D", self.currency_group, "USD")
        self.inr.setChecked(True)
        bar.addWidget(self.inr)
        bar.addWidget(self.usd)
        lay.addLayout(bar)
        self.cards_row = QHBoxLayout()
        self.cards_row.setSpacing(14)
        lay.addLayout(self.cards_row)
        self.note = QLabel()
        self.note.setObjectName("hint")
        self.note.setWordWrap(True)
        lay.addWidget(self.note)
        lay.addStretch(1)
        self.interval_group.buttonClicked.connect(lambda _b: self._refresh())
        self.currency_group.buttonClicked.connect(lambda _b: self._refresh())

    @property
    def interval(self) -> str:
        return str(self.interval_group.checkedButton().property("key"))

    @property
    def currency(self) -> str:
        return str(self.currency_group.checkedButton().property("key"))

    def set_catalog(self, tiers: list[dict[str, Any]], *, annual_billing: bool) -> None:
        for card in self.cards:
            card.setParent(None)
            card.deleteLater()
        self.cards = []
        for tier in tiers:
            card = TierCard(tier)
            card.chosen.connect(lambda t: self.chosen.emit(t, self.interval, self.currency))
            self.cards_row.addWidget(card, 1)
            self.cards.append(card)
        self.yearly.setVisible(annual_billing)
        if not annual_billing:
            self.monthly.setChecked(True)
        self._refresh()

    def set_currency(self, currency: str) -> None:
        (self.usd if currency == "USD" else self.inr).setChecked(True)
        self._refresh()

    def focus_recommended(self) -> None:
        for card in self.cards:
            if card.tier["recommended"] and card.button.isEnabled():
                card.button.setFocus(Qt.FocusReason.OtherFocusReason)
                return

    def _refresh(self) -> None:
        for card in self.cards:
            card.show_price(self.currency, self.interval)
        notes = ["Tab moves between plans, Space or Enter chooses."]
        if self.yearly.isVisible():
            notes.insert(0, "Alt+M monthly · Alt+Y yearly · Alt+I rupees · Alt+D dollars.")
        if self.currency == "INR":
            notes.insert(0, "Rupee prices include 18% GST.")
        else:
            notes.insert(0, "Dollar plans are paid by card; UPI takes rupees only.")
        self.note.setText("  ".join(notes))
