"""Kiosk step 1: the plans the shop offers now as large buttons, with a Monthly/Yearly
switch when yearly billing is offered."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
)

from app.kiosk.touch import TOUCH_PX, touch_button
from app.text.plan_text import PER, tax_note, tier_amount
from app.widgets.scaling import ScaledPanel, role_label


class PlanButton(QPushButton):
    """A plan as one large touch target: name (and badge) on the left, price on the right."""

    def __init__(self, name: str, price: str, per: str, recommended: bool) -> None:
        super().__init__()
        self.setObjectName("planButton")
        self.setProperty("recommended", recommended)
        self.setMinimumSize(TOUCH_PX * 4, TOUCH_PX * 3 // 2)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setAccessibleName(f"{name} {price} {per}".strip())
        self.name = QLabel(name)
        self.name.setObjectName("planName")
        self.badge = QLabel("★ Recommended")
        self.badge.setObjectName("planBadge")
        self.badge.setVisible(recommended)
        self.price = QLabel(price)
        self.price.setObjectName("planPrice")
        self.per = QLabel(per)
        self.per.setObjectName("planPer")
        self.price.setVisible(bool(price))
        left = QVBoxLayout()
        left.addStretch(1)
        left.addWidget(self.name)
        left.addWidget(self.badge)
        left.addStretch(1)
        right = QVBoxLayout()
        right.addStretch(1)
        right.addWidget(self.price, 0, Qt.AlignmentFlag.AlignRight)
        right.addWidget(self.per, 0, Qt.AlignmentFlag.AlignRight)
        right.addStretch(1)
        row = QHBoxLayout(self)
        row.setContentsMargins(32, 16, 32, 16)
        row.addLayout(left)
        row.addStretch(1)
        row.addLayout(right)
        for label in (self.name, self.badge, self.price, self.per):
            label.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents, True)


class PlanPage(ScaledPanel):
    """Step 1: the plans as large buttons, with a Monthly/Yearly switch (``set_plans``
    takes them from the backend's ``pricing()``: only what the shop offers now)."""

    chosen = Signal(dict, str)  # tier dict, interval
    side_margin = 0.06

    def __init__(self, *, currency: str) -> None:
        super().__init__()
        self.setObjectName("planPage")
        self.currency = currency
        self.interval = "month"
        self.title = role_label("Welcome to AUTOOS", "title", center=True)
        self.subtitle = role_label("Choose a plan to get started", "subtitle", center=True)
        self.monthly = touch_button("Monthly", name="intervalButton")
        self.yearly = touch_button("Yearly", name="intervalButton")
        group = QButtonGroup(self)
        for button in (self.monthly, self.yearly):
            button.setCheckable(True)
            group.addButton(button)
        self.monthly.setChecked(True)
        self.monthly.clicked.connect(lambda: self._set_interval("month"))
        self.yearly.clicked.connect(lambda: self._set_interval("year"))
        toggle = QHBoxLayout()
        toggle.addStretch(1)
        toggle.addWidget(self.monthly)
        toggle.addWidget(self.yearly)
        toggle.addStretch(1)
        self.yearly.hide()  # until the plans say yearly billing is offered
        self.monthly.hide()
        self.loading = role_label("Loading the plans…", "subtitle", center=True)
        self.grid = QGridLayout()
        self.grid.setSpacing(24)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(48, 48, 48, 48)
        layout.addWidget(self.title)
        layout.addWidget(self.subtitle)
        layout.addSpacing(24)
        layout.addLayout(toggle)
        layout.addSpacing(24)
        layout.addWidget(self.loading)
        layout.addLayout(self.grid)
        layout.addStretch(1)
        self.tiers: list[dict[str, Any]] = []
        self.buttons: dict[str, PlanButton] = {}

    def set_plans(self, pricing: Mapping[str, Any]) -> None:
        """The plans and billing intervals offered now (``pricing()``)."""
        self.loading.hide()
        self.tiers = list(pricing["tiers"])
        intervals = list(pricing["intervals"])
        if self.interval not in intervals:
            self.interval = intervals[0]
            self.monthly.setChecked(self.interval == "month")
        for button in (self.monthly, self.yearly):
            button.setVisible(len(intervals) > 1)
        self._build()

    def _set_interval(self, interval: str) -> None:
        self.interval = interval
        self._build()

    def _lines(self, tier: Mapping[str, Any]) -> tuple[str, str]:
        if tier.get("contact_sales"):
            return "", "Custom price: ask us at the counter"
        if tier.get("trial_days"):
            return "Free", f"for {tier['trial_days']} days, no card needed"
        amount = tier_amount(tier, self.currency, self.interval)
        return amount, PER[self.interval] + tax_note(self.currency) if amount else ""

    def _build(self) -> None:
        for button in self.buttons.values():
            self.grid.removeWidget(button)
            button.deleteLater()
        self.buttons = {}
        for index, tier in enumerate(self.tiers):
            price, per = self._lines(tier)
            button = PlanButton(
                str(tier.get("name", "")), price, per, bool(tier.get("recommended"))
            )
            if tier.get("contact_sales") or not (tier.get("trial_days") or self._sellable(tier)):
                button.setEnabled(False)
            button.clicked.connect(lambda _=False, t=tier: self.chosen.emit(t, self.interval))
            self.grid.addWidget(button, index // 2, index % 2)
            self.buttons[str(tier.get("id"))] = button
        self.rescale()  # the new buttons' labels take this screen's sizes

    def _sellable(self, tier: Mapping[str, Any]) -> bool:
        return any(
            p["currency"] == self.currency and p["interval"] == self.interval
            for p in tier.get("prices", [])
        )
