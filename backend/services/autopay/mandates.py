"""A plan's UPI AutoPay mandate as the screens and receipts show it.

The terms a new sale asks for are computed in the domain
(:func:`backend.domain.autopay.mandate_terms`); once the customer approved them they live
on the subscription (``mandate_amount``, ``mandate_amount_type``, ``mandate_end``, its
interval) and in each AutoPay payment's evidence, so a receipt reprinted later says what
was agreed when it was paid.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from backend.clock import parse_iso
from backend.context import Context
from backend.domain import autopay
from backend.domain.autopay import MandateTerms


def new_terms(ctx: Context, tier: str, interval: str, start: datetime) -> MandateTerms:
    """The mandate a new AutoPay sale of ``tier`` asks the customer to approve."""
    plan = ctx.catalog.get(tier)
    return autopay.mandate_terms(ctx.catalog, plan, interval, start)


def terms_on(ctx: Context, sub: dict[str, Any]) -> MandateTerms | None:
    """The mandate recorded on an AutoPay subscription (None before it is known)."""
    if not sub.get("mandate_amount") or not sub.get("mandate_end"):
        return None
    return MandateTerms(
        amount=int(sub["mandate_amount"]),
        currency=str(sub.get("currency") or "INR"),
        amount_type=str(sub.get("mandate_amount_type") or "maximum"),
        interval=str(sub["interval"]),
        end_date=parse_iso(sub["mandate_end"]),
        description=f"AUTOOS {ctx.catalog.name_of(sub['tier'])} plan, {sub['interval']}ly",
    )


def terms_of(ctx: Context, sub: dict[str, Any]) -> dict[str, Any] | None:
    """The recorded mandate as the screens and receipts read it."""
    terms = terms_on(ctx, sub)
    return terms.to_json() if terms else None


def mandate_view(ctx: Context, sub: dict[str, Any]) -> dict[str, Any] | None:
    """The subscription's mandate: terms, id and status, for staff and the customer."""
    terms = terms_of(ctx, sub)
    if terms is None and not sub.get("mandate_id"):
        return None
    return {
        **(terms or {}),
        "id": sub.get("mandate_id"),
        "status": sub.get("mandate_status"),
        "provider": sub.get("autopay_provider"),
    }
