"""One entry point for selling and changing a plan, whatever pays for it.

UPI plans are pushed payments whose periods the backend computes
(:mod:`~backend.services.billing.upi_subscriptions`, paid through
:mod:`~backend.services.upi.upi_requests`); card plans are billed by Stripe and mirrored
(:mod:`~backend.services.billing.card_subscriptions`,
:mod:`~backend.services.cards.card_checkout`). Callers that only know a customer (the REST API,
a remote kiosk) come here; this module only picks the right service and never repeats
their rules. Every answer names the ``method`` and carries the service's own dict.
UPI AutoPay plans (``upi_autopay``) are billed by Stripe or Razorpay through a mandate
(:mod:`~backend.services.autopay.sales`).
"""

from __future__ import annotations

from typing import Any

from backend.context import Context
from backend.errors import NotFound, ValidationError
from backend.services.billing import card_subscriptions, upi_subscriptions
from backend.services.cards import card_checkout
from backend.services.shop.customers import get_customer
from backend.services.upi import upi_requests

METHODS = ("upi", "card", "upi_autopay")
AUTOPAY = "upi_autopay"


def current(ctx: Context, customer_id: int) -> dict[str, Any]:
    """The customer's live subscription; :class:`NotFound` when there is none."""
    customer = get_customer(ctx, customer_id)
    sub = upi_subscriptions.current_subscription(ctx, customer_id)
    if sub is None:
        raise NotFound(f"{customer['name']} has no active plan.")
    return sub


def subscribe(
    ctx: Context,
    *,
    customer_id: int,
    tier: str,
    interval: str,
    currency: str,
    method: str,
    actor: str,
    trial_days: int | None = None,
    checkout_id: str | None = None,
    terminal: str | None = None,
) -> dict[str, Any]:
    """Sell a plan: a UPI QR request, a Stripe Checkout page, or a card-billed trial.

    The plan starts when the money arrives (UPI, Checkout), or at once for a card trial.
    """
    get_customer(ctx, customer_id)
    if method == AUTOPAY:
        if trial_days:
            raise ValidationError(
                "A UPI AutoPay plan has no card trial; start a free trial instead."
            )
        from backend.services.autopay import sales

        payment = sales.start(
            ctx,
            customer_id=customer_id,
            tier=tier,
            interval=interval,
            currency=currency,
            actor=actor,
            terminal=terminal,
        )
        return {"method": AUTOPAY, "payment": payment, "subscription": None}
    if method == "upi":
        if currency != "INR":
            raise ValidationError("UPI payments are in INR only.", field="currency")
        if trial_days:
            raise ValidationError("A UPI plan has no card trial; start a free trial instead.")
        payment = upi_requests.create_request(
            ctx,
            customer_id=customer_id,
            tier=tier,
            interval=interval,
            checkout_id=checkout_id,
            actor=actor,
            terminal=terminal,
        )
        return {"method": "upi", "payment": payment, "subscription": None}
    if method != "card":
        raise ValidationError("Pay by upi, card or upi_autopay.", field="method")
    if trial_days:
        sub = card_subscriptions.subscribe(
            ctx,
            customer_id=customer_id,
            tier=tier,
            interval=interval,
            currency=currency,
            trial_days=trial_days,
            actor=actor,
        )
        return {"method": "card", "payment": None, "subscription": sub}
    payment = card_checkout.start_checkout(
        ctx,
        customer_id=customer_id,
        tier=tier,
        interval=interval,
        currency=currency,
        actor=actor,
        terminal=terminal,
    )
    return {"method": "card", "payment": payment, "subscription": None}


def preview_upgrade(ctx: Context, customer_id: int, tier: str, interval: str) -> dict[str, Any]:
    """What upgrading now costs, before the customer agrees."""
    sub = current(ctx, customer_id)
    if sub["method"] == AUTOPAY:
        from backend.services.autopay import sales

        preview = sales.preview_upgrade(ctx, sub, tier, interval)
        return {"method": AUTOPAY, **preview, "amount": preview["amount_due"]}
    if sub["method"] == "card":
        preview = card_subscriptions.preview_upgrade(ctx, sub["id"], tier=tier, interval=interval)
        return {"method": "card", **preview, "amount": preview["amount_due"]}
    return {"method": "upi", **upi_subscriptions.upgrade_preview(ctx, customer_id, tier, interval)}


def upgrade(
    ctx: Context,
    customer_id: int,
    tier: str,
    interval: str,
    *,
    actor: str,
    proration_date: int | None = None,
    checkout_id: str | None = None,
    terminal: str | None = None,
) -> dict[str, Any]:
    """Upgrade now. Card: Stripe charges the prorated amount. UPI: a QR request for the
    prorated amount; the plan changes when it is paid."""
    sub = current(ctx, customer_id)
    if sub["method"] == AUTOPAY:
        from backend.services.autopay import sales

        changed = sales.upgrade(
            ctx, sub, tier, interval, proration_date=proration_date, actor=actor
        )
        return {"method": AUTOPAY, "subscription": changed, "payment": None}
    if sub["method"] == "card":
        changed = card_subscriptions.upgrade(
            ctx,
            sub["id"],
            tier=tier,
            interval=interval,
            proration_date=proration_date,
            actor=actor,
        )
        return {"method": "card", "subscription": changed, "payment": None}
    payment = upi_requests.create_request(
        ctx,
        customer_id=customer_id,
        tier=tier,
        interval=interval,
        purpose="upgrade",
        checkout_id=checkout_id,
        actor=actor,
        terminal=terminal,
    )
    return {"method": "upi", "subscription": sub, "payment": payment}


def downgrade(
    ctx: Context, customer_id: int, tier: str, interval: str, *, actor: str
) -> dict[str, Any]:
    """Move to a smaller plan when the current period ends."""
    sub = current(ctx, customer_id)
    if sub["method"] == AUTOPAY:
        from backend.services.autopay import sales

        changed = sales.downgrade(ctx, sub, tier, interval, actor=actor)
    elif sub["method"] == "card":
        changed = card_subscriptions.downgrade(
            ctx, sub["id"], tier=tier, interval=interval, actor=actor
        )
    else:
        changed = upi_subscriptions.schedule_downgrade(
            ctx, customer_id, tier, interval, actor=actor
        )
    return {"method": sub["method"], "subscription": changed}


def cancel(ctx: Context, customer_id: int, *, at_period_end: bool, actor: str) -> dict[str, Any]:
    """Cancel now or at the end of the paid period."""
    sub = current(ctx, customer_id)
    if sub["method"] == AUTOPAY:
        from backend.services.autopay import sales

        changed = sales.cancel(ctx, str(sub["id"]), at_period_end=at_period_end, actor=actor)[
            "subscription"
        ]
    elif sub["method"] == "card":
        changed = card_subscriptions.cancel(
            ctx, sub["id"], at_period_end=at_period_end, actor=actor
        )
    else:
        changed = upi_subscriptions.cancel_subscription(
            ctx, customer_id, at_period_end=at_period_end, actor=actor
        )
    return {"method": sub["method"], "subscription": changed}
