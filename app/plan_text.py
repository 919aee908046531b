"""A plan's price and billing interval in words, the same on the till, display and kiosk."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from backend.domain.money import Money

#: "Employee · Monthly" on every screen
INTERVAL_WORDS = {"month": "Monthly", "year": "Yearly"}
#: under a price: "₹799.00 per month"
PER = {"month": "per month", "year": "per year"}


def tier_price(tier: Mapping[str, Any], currency: str, interval: str) -> Money | None:
    """The tier's price in ``currency`` per ``interval`` (``None``: not sold that way)."""
    for price in tier.get("prices", []):
        if price["currency"] == currency and price["interval"] == interval:
            return Money(int(price["amount"]), currency)
    return None


def plan_label(tier_name: str, interval: str | None) -> str:
    """``Employee · Monthly`` (just the name when the interval is unknown)."""
    words = INTERVAL_WORDS.get(interval or "", "")
    return f"{tier_name} · {words}" if tier_name and words else tier_name or words
