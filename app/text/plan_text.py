"""A plan's price and billing interval in words, the same on the till, display and kiosk.

The plans themselves, as the shop offers them now, come from the backend (``pricing()``);
this only says them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from backend.domain.money import Money, format_money

#: "Employee · Monthly" on every screen
INTERVAL_WORDS = {"month": "Monthly", "year": "Yearly"}
#: under a price: "₹799.00 per month"
PER = {"month": "per month", "year": "per year"}


def tax_note(currency: str) -> str:
    """``, GST included`` after an INR price (the catalog's INR prices include GST)."""
    return ", GST included" if currency == "INR" else ""


def tier_price(tier: Mapping[str, Any], currency: str, interval: str) -> Money | None:
    """The tier's price in ``currency`` per ``interval`` (``None``: not sold that way)."""
    for price in tier.get("prices", []):
        if price["currency"] == currency and price["interval"] == interval:
            return Money(int(price["amount"]), currency)
    return None


def tier_amount(tier: Mapping[str, Any], currency: str, interval: str) -> str:
    """The tier's price for ``currency`` and ``interval`` as text, or ``""``."""
    price = tier_price(tier, currency, interval)
    return format_money(price) if price is not None else ""


def plan_label(tier_name: str, interval: str | None) -> str:
    """``Employee · Monthly`` (just the name when the interval is unknown)."""
    words = INTERVAL_WORDS.get(interval or "", "")
    return f"{tier_name} · {words}" if tier_name and words else tier_name or words


def tier_price_lines(tier: Mapping[str, Any], currency: str) -> tuple[str, str, str]:
    """(price, what it is for, the other option) of a plan, for the customer's screens."""
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


def plan_summary(tier: Mapping[str, Any], currency: str, interval: str) -> str:
    """``Employee · Monthly · ₹2,399.00``, or ``Free Trial · 30 days free``."""
    if tier.get("trial_days"):
        return f"{tier['name']} · {tier['trial_days']} days free"
    amount = tier_amount(tier, currency, interval)
    return f"{plan_label(tier['name'], interval)} · {amount}"
