"""What the shop offers now and how a sale may be paid: the rules every till, kiosk and
display follow, written once (pure: the settings and the card status come in)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from backend.domain.catalog import INTERVALS, Tier
from backend.domain.money import format_money
from backend.domain.records import Price, SaleMethod
from backend.domain.records import Tier as TierView

UPI_LABEL = "UPI QR (pay once)"
CARD_LABEL = "Card"


def offered_intervals(annual_billing: bool) -> tuple[str, ...]:
    return INTERVALS if annual_billing else ("month",)


def tier_view(tier: Tier, intervals: Iterable[str]) -> TierView:
    """A plan as a screen or program shows it: its prices for the offered intervals,
    each with the text a customer reads."""
    wanted = set(intervals)
    prices: list[Price] = [
        {
            "currency": currency,
            "interval": interval,
            "amount": money.amount,
            "amount_text": format_money(money),
        }
        for (currency, interval), money in sorted(tier.prices.items())
        if interval in wanted
    ]
    return {
        "id": tier.id,
        "name": tier.name,
        "recommended": tier.recommended,
        "contact_sales": tier.contact_sales,
        "trial_days": tier.trial_days,
        "features": list(tier.features),
        "prices": prices,
        "limits": tier.limits.to_json(),
    }


def offered_tiers(
    tiers: Iterable[Tier], *, free_trial: bool, annual_billing: bool
) -> list[TierView]:
    """The plans as the shop offers them now: no free-trial plan while trials are off,
    no yearly prices while yearly billing is off."""
    intervals = offered_intervals(annual_billing)
    return [tier_view(t, intervals) for t in tiers if free_trial or not t.is_trial]


def sale_methods(
    tier: Tier,
    currency: str,
    *,
    features: Mapping[str, Any],
    upi_vpa: str,
    card: Mapping[str, Any],
) -> list[SaleMethod]:
    """Each way to pay for ``tier`` in ``currency``, and why it cannot be used now
    (an empty ``reason`` means it can)."""
    if tier.is_trial:
        reason = "The free trial needs no payment."
        upi_reason = card_reason = reason
    else:
        if not features.get("upi_payments"):
            upi_reason = "UPI payments are turned off in settings."
        elif not upi_vpa:
            upi_reason = "UPI not configured: an admin must set the shop's UPI ID (VPA)."
        elif currency != "INR":
            upi_reason = "UPI takes rupees only: go back and switch to ₹ INR."
        else:
            upi_reason = ""
        if not features.get("card_payments"):
            card_reason = "Card payments are turned off in settings."
        elif not card.get("configured"):
            card_reason = str(card.get("reason") or "Card payments not configured")
        else:
            card_reason = ""
    return [
        {"method": "upi", "label": UPI_LABEL, "enabled": not upi_reason, "reason": upi_reason},
        {"method": "card", "label": CARD_LABEL, "enabled": not card_reason, "reason": card_reason},
    ]
