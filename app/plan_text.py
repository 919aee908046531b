"""A plan's price and billing interval in words, the same on the till, display and kiosk."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

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


def offered(
    tiers: Sequence[Mapping[str, Any]], features: Mapping[str, Any]
) -> list[dict[str, Any]]:
    """The plans as the shop offers them now: no free-trial plan while trials are off,
    no yearly prices while yearly billing is off (what the till, display and kiosk show)."""
    shown = []
    for tier in tiers:
        if tier.get("trial_days") and not features.get("free_trial", True):
            continue
        plan = dict(tier)
        if not features.get("annual_billing", True):
            plan["prices"] = [p for p in tier.get("prices", []) if p["interval"] != "year"]
        shown.append(plan)
    return shown


class _Catalogue(Protocol):
    def catalog(self) -> list[dict[str, Any]]: ...
    def settings_view(self) -> dict[str, Any]: ...


def offered_by(service: _Catalogue) -> list[dict[str, Any]]:
    """:func:`offered` for a checkout service (reads the catalog and the settings)."""
    return offered(service.catalog(), service.settings_view()["features"])
