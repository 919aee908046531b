"""The staff window. (First cut: the plans from the catalog; checkout comes next.)"""

from __future__ import annotations

from PySide6.QtWidgets import QGridLayout, QGroupBox, QLabel, QMainWindow, QVBoxLayout, QWidget

from backend.domain.money import format_money
from backend.services.context import Context


class StaffWindow(QMainWindow):
    def __init__(self, ctx: Context) -> None:
        super().__init__()
        self.ctx = ctx
        self.setWindowTitle("AUTOOS Checkout")
        central = QWidget()
        grid = QGridLayout(central)
        for col, tier in enumerate(ctx.catalog):
            box = QGroupBox(tier.name + ("  ★ Recommended" if tier.recommended else ""))
            lay = QVBoxLayout(box)
            if tier.contact_sales:
                lay.addWidget(QLabel("Contact sales"))
            elif tier.is_trial:
                lay.addWidget(QLabel(f"Free for {tier.trial_days} days"))
            for (_cur, interval), price in sorted(tier.prices.items()):
                lay.addWidget(QLabel(f"{format_money(price)} / {interval}"))
            for feature in tier.features:
                lay.addWidget(QLabel("• " + feature))
            lay.addStretch(1)
            grid.addWidget(box, 0, col)
        self.setCentralWidget(central)
        self.resize(1100, 480)
