"""UPI AutoPay in words, the same at the till and the kiosk: the mandate the customer is
about to approve (from ``autopay_offer``), and a plan's AutoPay standing for staff."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.text.date_text import day_text
from app.text.plan_text import PER
from backend.domain.autopay import PIN_EACH_DEBIT_ABOVE
from backend.domain.money import Money, format_money
from backend.domain.payments import subscription_label

#: the third way to pay, beside "UPI QR (pay once)" and "Card"
AUTOPAY_LABEL = "UPI AutoPay — renews automatically"
#: a mandate's status (the provider's word) → what staff read
MANDATE_WORDS = {
    "active": "mandate active",
    "pending": "mandate waiting for approval",
    "inactive": "mandate revoked or paused by the customer",
    "paused": "mandate paused by the customer",
    "revoking": "mandate being revoked",
    "revoked": "mandate revoked",
}


def offer_terms(offer: Mapping[str, Any] | None) -> str:
    """What the customer approves before they scan, e.g. ``₹799.00 per month, debited by
    itself. UPI AutoPay mandate: up to ₹2,399.00 per month until 26 Nov 2031.``"""
    mandate = (offer or {}).get("mandate")
    if not offer or not mandate:
        return ""
    per = PER.get(str(offer.get("interval")), "each period")
    text = (
        f"{offer.get('amount_text') or ''} {per}, debited by itself. "
        f"UPI AutoPay mandate: {mandate['text']}."
    )
    if mandate.get("pin_each_debit"):
        above = format_money(Money(PIN_EACH_DEBIT_ABOVE, "INR"))
        text += f" Each debit above {above} asks for the UPI PIN."
    return text


def autopay_standing(plan: Mapping[str, Any]) -> str:
    """A plan's AutoPay standing for staff: ``active · mandate revoked or paused by the
    customer · up to ₹2,399.00 per month until 26 Nov 2031``."""
    mandate = plan.get("mandate") or {}
    status = str(mandate.get("status") or "")
    parts = [subscription_label(plan), MANDATE_WORDS.get(status, status.replace("_", " "))]
    if mandate.get("text"):
        parts.append(str(mandate["text"]))
    if plan.get("grace_until") and plan.get("status") == "past_due":
        lapsed = "lapsed since" if plan.get("lapsed") else "keeps working until"
        parts.append(f"{lapsed} {day_text(plan['grace_until'])}")
    return " · ".join(part for part in parts if part)
