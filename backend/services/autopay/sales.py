"""UPI AutoPay, whatever the provider: the terms of a plan's mandate, a sale, its status,
cancelling, plan changes and the overdue-renewal actions staff take.

The provider is ``[upi] autopay_provider``: Stripe (:mod:`.stripe_autopay`) or Razorpay
(:mod:`.razorpay_autopay`). Everything refused here is refused before any request
leaves the till: AutoPay switched off, the provider not set up, a plan with a custom
price, a price not in rupees, or a customer who already has a plan in force.
"""

from __future__ import annotations

import json
from typing import Any

from backend.context import Context
from backend.domain import autopay
from backend.domain.money import Money, format_money
from backend.domain.payments import explanation, is_live
from backend.errors import Conflict, NotConfigured, NotFound, ValidationError
from backend.services.autopay import dunning, mandates, razorpay_autopay, stripe_autopay
from backend.services.shop.customers import get_customer

METHOD = autopay.METHOD


def provider_name(ctx: Context) -> str:
    return ctx.settings.upi.autopay_provider


def problem(ctx: Context) -> str | None:
    """Why AutoPay cannot be sold here now ("" reasons are for the screens' buttons)."""
    features = ctx.settings.features
    if not features.upi_autopay:
        return "UPI AutoPay is switched off in the settings."
    if not features.upi_payments:
        return "UPI payments are switched off in the settings."
    if provider_name(ctx) == "razorpay":
        return razorpay_autopay.problem(ctx)
    from backend.adapters.stripe_gateway import gateway

    reason = gateway(ctx).problem()
    if reason:
        return f"UPI AutoPay through Stripe: {reason}"
    return None


def _require_open(ctx: Context) -> None:
    reason = problem(ctx)
    if reason:
        raise NotConfigured(reason)


def _plan_checks(ctx: Context, tier: str, interval: str, currency: str) -> Money:
    plan = ctx.catalog.get(tier)
    price = autopay.check_sellable(plan, currency, interval)
    if interval == "year" and not ctx.settings.features.annual_billing:
        raise ValidationError("Yearly billing is switched off.", field="interval")
    return price


def offer(ctx: Context, tier: str, interval: str, currency: str = "INR") -> dict[str, Any]:
    """What the screens show before the customer scans: can the plan be sold with
    AutoPay here now (and why not), its price, and the mandate the customer will approve."""
    plan = ctx.catalog.get(tier)
    reason = problem(ctx) or ""
    terms = None
    price = None
    try:
        price = _plan_checks(ctx, plan.id, interval, currency)
        terms = mandates.new_terms(ctx, plan.id, interval, ctx.clock.now()).to_json()
    except ValidationError as err:
        reason = reason or err.message
    return {
        "tier": plan.id,
        "tier_name": plan.name,
        "interval": interval,
        "currency": "INR",
        "amount": price.amount if price else None,
        "amount_text": format_money(price) if price else None,
        "provider": provider_name(ctx),
        "enabled": not reason,
        "reason": reason,
        "mandate": terms,
    }


def _live_subscription(ctx: Context, customer_id: int) -> dict[str, Any] | None:
    from backend.services.billing import upi_subscriptions

    return upi_subscriptions.current_subscription(ctx, customer_id)


def start(
    ctx: Context,
    *,
    customer_id: int,
    tier: str,
    interval: str,
    currency: str = "INR",
    actor: str,
    terminal: str | None = None,
    replaces: int | None = None,
    notice_id: int | None = None,
) -> dict[str, Any]:
    """Sell a plan with UPI AutoPay: the page or link the customer scans (``url``) and
    the mandate they will approve (``mandate``)."""
    customer = get_customer(ctx, customer_id)
    _require_open(ctx)
    _plan_checks(ctx, tier, interval, currency)
    live = _live_subscription(ctx, customer_id)
    if live is not None and live["id"] != replaces:
        raise Conflict(
            f"{customer['name']} already has {live['tier_name']} ({live['interval']}ly, "
            f"{live['status'].replace('_', ' ')}); change or cancel that plan instead."
        )
    if provider_name(ctx) == "razorpay":
        payment_id = razorpay_autopay.start(
            ctx,
            customer_id=customer_id,
            tier=tier,
            interval=interval,
            actor=actor,
            terminal=terminal,
            replaces=replaces,
            notice_id=notice_id,
        )
        return view(ctx, payment_id)
    made = stripe_autopay.start(
        ctx,
        customer_id=customer_id,
        tier=tier,
        interval=interval,
        actor=actor,
        terminal=terminal,
        replaces=replaces,
        notice_id=notice_id,
    )
    return view(ctx, made["id"])


def _sale(ctx: Context, payment_id: str) -> dict[str, Any]:
    row = ctx.store.one("SELECT * FROM payments WHERE id=? AND method=?", (payment_id, METHOD))
    if row is None:
        raise NotFound(f"There is no UPI AutoPay payment {payment_id}.")
    return row


def view(ctx: Context, payment_id: str) -> dict[str, Any]:
    """An AutoPay payment as the screens show it: the link to scan, its status, the
    mandate (terms, then its id and status once approved) and the plan it started."""
    row = _sale(ctx, payment_id)
    evidence = json.loads(row["evidence"] or "{}")
    sub = None
    if row["subscription_id"]:
        sub = ctx.store.one("SELECT * FROM subscriptions WHERE id=?", (row["subscription_id"],))
    mandate = mandates.mandate_view(ctx, sub) if sub else None
    money = Money(row["amount"], row["currency"])
    return {
        "id": row["id"],
        "method": row["method"],
        "provider": row["psp"] or evidence.get("provider") or "stripe",
        "customer_id": row["customer_id"],
        "url": row["stripe_url"] or evidence.get("url"),
        "status": row["status"],
        "explanation": explanation(row),
        "purpose": row["purpose"],
        "expires_at": row["expires_at"],
        "amount": money.amount,
        "currency": money.currency,
        "amount_text": format_money(money),
        "tier": row["tier"],
        "tier_name": ctx.catalog.name_of(row["tier"]) if row["tier"] else None,
        "interval": row["interval"],
        "mandate": mandate or evidence.get("mandate"),
        "subscription_id": row["subscription_id"],
        "subscription_status": sub["status"] if sub else None,
        "receipt_no": row["receipt_no"],
        "paid_at": row["paid_at"],
        "utr": row["utr"],
        "psp_ref": row["psp_ref"],
        "stripe_payment_intent_id": row["stripe_payment_intent_id"],
        "psp": row["psp"],
        "terminal": row["terminal"],
    }


def status(ctx: Context, payment_id: str, *, actor: str) -> dict[str, Any]:
    """The sale as it stands now (asks Stripe or Razorpay while it is open)."""
    row = _sale(ctx, payment_id)
    if row["psp"] == razorpay_autopay.PROVIDER:
        razorpay_autopay.refresh(ctx, payment_id, actor=actor)
        return view(ctx, payment_id)
    if row["status"] != "pending":
        return view(ctx, payment_id)
    from backend.services.cards import card_checkout

    offline = card_checkout.refresh(ctx, payment_id, actor=actor).get("offline")
    answer = view(ctx, payment_id)
    if offline:  # Stripe cannot be asked now: the status is the last one known
        answer["offline"] = True
    return answer


def withdraw(ctx: Context, payment_id: str, *, actor: str) -> dict[str, Any]:
    """Withdraw a sign-up still waiting for the customer (its page or link closes)."""
    row = _sale(ctx, payment_id)
    if row["psp"] == razorpay_autopay.PROVIDER:
        razorpay_autopay.withdraw(ctx, payment_id, actor=actor)
    else:
        from backend.services.cards import card_checkout

        card_checkout.cancel_checkout(ctx, payment_id, actor=actor)
    return view(ctx, payment_id)


def subscription(ctx: Context, subscription_id: int) -> dict[str, Any]:
    row = ctx.store.one("SELECT * FROM subscriptions WHERE id=?", (subscription_id,))
    if row is None or row["method"] != METHOD:
        raise NotFound(f"There is no UPI AutoPay plan number {subscription_id}.")
    return row


def subscription_view(ctx: Context, row: dict[str, Any]) -> dict[str, Any]:
    from backend.clock import parse_iso

    since = parse_iso(row["past_due_since"]) if row["past_due_since"] else None
    return {
        **row,
        "cancel_at_period_end": bool(row["cancel_at_period_end"]),
        "tier_name": ctx.catalog.name_of(row["tier"]),
        "amount_text": format_money(Money(row["amount"], row["currency"])),
        "mandate": mandates.mandate_view(ctx, row),
        "grace_until": autopay.grace_until(since).isoformat() if since else None,
        "lapsed": autopay.lapsed(since, ctx.clock.now()),
    }


def cancel(ctx: Context, ref: str, *, at_period_end: bool = False, actor: str) -> dict[str, Any]:
    """Cancel by plan number (the plan ends and its mandate is revoked) or by payment id
    (a sign-up still waiting is withdrawn)."""
    if ref.isdigit():
        row = subscription(ctx, int(ref))
        if not is_live(row):
            raise Conflict("That AutoPay plan is already cancelled.")
        if row["autopay_provider"] == razorpay_autopay.PROVIDER:
            if at_period_end:
                raise ValidationError(
                    "A Razorpay AutoPay plan is cancelled now (Razorpay revokes the mandate).",
                    field="at_period_end",
                )
            changed = razorpay_autopay.cancel(ctx, row, actor=actor)
        else:
            stripe_autopay.cancel(ctx, row, at_period_end=at_period_end, actor=actor)
            _send_for(ctx, int(ref))
            changed = subscription(ctx, int(ref))
        return {"subscription": subscription_view(ctx, changed), "payment": None}
    row = _sale(ctx, ref)
    if row["status"] != "pending":
        if row["subscription_id"]:
            return cancel(
                ctx, str(row["subscription_id"]), at_period_end=at_period_end, actor=actor
            )
        raise Conflict(f"This AutoPay payment is {row['status']}: there is nothing to cancel.")
    return {"subscription": None, "payment": withdraw(ctx, ref, actor=actor)}


def _send_for(ctx: Context, sub_id: int) -> None:
    """Send the plan's queued Stripe requests now (a person is waiting): the cancel, then
    the mandate's revocation its answer queues. Offline, they wait for the sync."""
    from backend.sync import outbox

    sent: set[int] = set()
    while True:
        row = ctx.store.scalar(
            "SELECT max(id) FROM stripe_outbox WHERE entity='subscription' AND entity_id=? "
            "AND status='waiting'",
            (str(sub_id),),
        )
        if row is None or row in sent:
            return
        sent.add(row)
        outbox.send_now(ctx, row)


# -- plan changes (called by plan_changes for an AutoPay plan) ---------------------------
def _razorpay_refused(row: dict[str, Any]) -> None:
    if row["autopay_provider"] == razorpay_autopay.PROVIDER:
        raise Conflict(
            "A Razorpay AutoPay plan cannot be changed here: cancel it and start AutoPay "
            "again for the new plan (the customer approves a new mandate)."
        )


def preview_upgrade(ctx: Context, sub: dict[str, Any], tier: str, interval: str) -> dict[str, Any]:
    _razorpay_refused(sub)
    return stripe_autopay.preview_upgrade(ctx, sub, tier, interval)


def upgrade(
    ctx: Context,
    sub: dict[str, Any],
    tier: str,
    interval: str,
    *,
    proration_date: int | None,
    actor: str,
) -> dict[str, Any]:
    _razorpay_refused(sub)
    return stripe_autopay.upgrade(
        ctx, sub, tier, interval, proration_date=proration_date, actor=actor
    )


def downgrade(
    ctx: Context, sub: dict[str, Any], tier: str, interval: str, *, actor: str
) -> dict[str, Any]:
    _razorpay_refused(sub)
    return stripe_autopay.downgrade(ctx, sub, tier, interval, actor=actor)


# -- overdue renewals --------------------------------------------------------------------
def new_mandate(
    ctx: Context, notice_id: int, *, actor: str, terminal: str | None = None
) -> dict[str, Any]:
    """A new AutoPay sign-up for the plan whose renewal failed. Nothing changes until
    the customer approves it; then the lapsed plan ends and its overdue invoice is
    dropped (the new plan's first period is paid at once)."""
    notice = dunning.get_notice(ctx, notice_id)
    if notice["status"] != "open":
        raise Conflict(
            f"This overdue renewal was already settled ({dunning.RESOLUTIONS[notice['status']]})."
        )
    sub = subscription(ctx, notice["subscription_id"])
    return start(
        ctx,
        customer_id=sub["customer_id"],
        tier=sub["tier"],
        interval=sub["interval"],
        actor=actor,
        terminal=terminal,
        replaces=int(sub["id"]),
        notice_id=notice_id,
    )
