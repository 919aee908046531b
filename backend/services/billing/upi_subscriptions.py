"""Subscriptions as the backend keeps them for UPI plans (pushed payments).

Card plans are billed by Stripe and mirrored; UPI plans are paid one period at a time,
so their periods, renewal dates, upgrade proration and scheduled downgrades are
computed here. Every change runs inside the caller's or its own transaction, audited.

The arithmetic is pure and lives in the domain: period ends and clamping in
:mod:`backend.domain.periods`, upgrade proration (integer paise, rounded down, at least
₹1.00) in :mod:`backend.domain.proration`, reminder dates in
:mod:`backend.domain.renewals`. This module reads and writes the rows around it.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from backend.clock import parse_iso, to_iso
from backend.context import Context
from backend.domain import proration, renewals
from backend.domain.money import Money, format_money
from backend.domain.periods import add_interval as add_interval  # re-exported
from backend.domain.periods import next_prepaid_period, period_bought, uncredited_prepaid
from backend.errors import Conflict, NotFound, StateError, ValidationError
from backend.services.trials import trials
from backend.store import audit

LIVE_STATUSES = ("trialing", "active", "past_due")
MIN_UPGRADE_CHARGE = proration.MIN_UPGRADE_CHARGE  # paise
REMINDER_DAYS = renewals.RENEWAL_REMINDER_DAYS


def _load(ctx: Context, customer_id: int) -> dict[str, Any] | None:
    return ctx.store.one(
        "SELECT * FROM subscriptions WHERE customer_id=? AND status IN (?, ?, ?) "
        "ORDER BY id DESC LIMIT 1",
        (customer_id, *LIVE_STATUSES),
    )


def _period_over(ctx: Context, sub: dict[str, Any]) -> bool:
    """An active UPI subscription whose current period has ended by the clock."""
    if sub["method"] != "upi" or sub["status"] != "active" or not sub["current_period_end"]:
        return False
    return ctx.clock.now() >= parse_iso(sub["current_period_end"])


def _roll_period(ctx: Context, sub: dict[str, Any]) -> dict[str, Any]:
    """At a UPI period's end: start the prepaid next period (applying a scheduled
    downgrade), or mark the plan canceled / past due when nothing was paid."""
    if not _period_over(ctx, sub):
        return sub
    now = ctx.now_iso()
    with ctx.store.transaction():
        # another terminal may have rolled it (and taken a renewal) since ``sub`` was read
        sub = ctx.store.one("SELECT * FROM subscriptions WHERE id=?", (sub["id"],)) or sub
        if not _period_over(ctx, sub):
            return sub
        end = parse_iso(sub["current_period_end"])
        if sub["prepaid_until"] and parse_iso(sub["prepaid_until"]) > end:
            tier = sub["pending_tier"] or sub["tier"]
            interval = sub["pending_interval"] or sub["interval"]
            price = ctx.catalog.get(tier).price("INR", interval)
            # one interval at a time (several may be prepaid), so a period is always one
            # month or one year long, which upgrade proration relies on
            prepaid = parse_iso(sub["prepaid_until"])
            _, next_end = next_prepaid_period(end, interval, prepaid)
            more = prepaid > next_end
            ctx.store.execute(
                "UPDATE subscriptions SET tier=?, interval=?, amount=?, current_period_start=?, "
                "current_period_end=?, prepaid_until=?, pending_tier=?, "
                "pending_interval=?, updated_at=? WHERE id=?",
                (
                    tier,
                    interval,
                    price.amount,
                    sub["current_period_end"],
                    to_iso(next_end),
                    sub["prepaid_until"] if more else None,
                    tier if more else None,
                    interval if more else None,
                    now,
                    sub["id"],
                ),
            )
            audit.record(
                ctx,
                "system",
                "subscription.next_period",
                "subscription",
                sub["id"],
                tier=tier,
                interval=interval,
                period_end=to_iso(next_end),
            )
        else:
            new_status = "canceled" if sub["cancel_at_period_end"] else "past_due"
            ctx.store.execute(
                "UPDATE subscriptions SET status=?, canceled_at=CASE WHEN ?='canceled' THEN ? "
                "ELSE canceled_at END, updated_at=? WHERE id=?",
                (new_status, new_status, sub["current_period_end"], now, sub["id"]),
            )
            audit.record(
                ctx,
                "system",
                f"subscription.{new_status}",
                "subscription",
                sub["id"],
                period_end=sub["current_period_end"],
            )
    row = ctx.store.one("SELECT * FROM subscriptions WHERE id=?", (sub["id"],)) or sub
    return _roll_period(ctx, row)


def _public(ctx: Context, sub: dict[str, Any]) -> dict[str, Any]:
    return {
        **sub,
        "cancel_at_period_end": bool(sub["cancel_at_period_end"]),
        "tier_name": ctx.catalog.name_of(sub["tier"]),
        "amount_text": format_money(Money(sub["amount"], sub["currency"])),
    }


def current_subscription(ctx: Context, customer_id: int) -> dict[str, Any] | None:
    """The customer's live subscription (any method), status brought up to the clock."""
    sub = _load(ctx, customer_id)
    if sub is None:
        return None
    sub = _roll_period(ctx, sub)
    return _public(ctx, sub) if sub["status"] in LIVE_STATUSES else None


def renewal_due(ctx: Context, customer_id: int) -> dict[str, Any] | None:
    """When and what the next UPI payment is (pending downgrade applied), with reminders."""
    sub = current_subscription(ctx, customer_id)
    if sub is None or sub["method"] != "upi" or sub["cancel_at_period_end"]:
        return None
    tier_id = sub["pending_tier"] or sub["tier"]
    interval = sub["pending_interval"] or sub["interval"]
    price = ctx.catalog.get(tier_id).price("INR", interval)
    due = parse_iso(sub["prepaid_until"] or sub["current_period_end"])
    return {
        "customer_id": customer_id,
        "due_at": to_iso(due),
        "tier": tier_id,
        "interval": interval,
        "amount": price.amount,
        "currency": price.currency,
        "amount_text": format_money(price),
        "reminders": [to_iso(at) for at in renewals.reminder_times(due, REMINDER_DAYS)],
    }


def purpose_for(ctx: Context, customer_id: int, tier: str, interval: str) -> str:
    """``new`` or ``renewal`` for a plan purchase; other changes go through upgrade/downgrade."""
    sub = current_subscription(ctx, customer_id)
    if sub is None or sub["status"] == "trialing":
        return "new"
    if sub["method"] == "upi_autopay":
        # an AutoPay plan renews by itself; a UPI payment only settles a failed renewal
        from backend.services.autopay import dunning

        if dunning.overdue_for(ctx, sub) and (tier, interval) == (sub["tier"], sub["interval"]):
            return "renewal"
        raise Conflict(
            "This plan renews by itself through UPI AutoPay and nothing is overdue; "
            "change or cancel the AutoPay plan instead."
        )
    if sub["method"] != "upi":
        raise Conflict("This customer pays by card; change the plan on the card subscription.")
    if sub["prepaid_until"]:
        raise Conflict(f"This plan is already paid up to {sub['prepaid_until']}.")
    next_tier = sub["pending_tier"] or sub["tier"]
    next_interval = sub["pending_interval"] or sub["interval"]
    if sub["status"] == "past_due" or (tier, interval) == (next_tier, next_interval):
        return "renewal"
    raise Conflict(
        f"This customer already has {sub['tier_name']} ({sub['interval']}ly); "
        "use upgrade or downgrade to change it."
    )


def _is_upgrade(ctx: Context, sub: dict[str, Any], tier: str, interval: str) -> bool:
    old_rank, new_rank = ctx.catalog.rank(sub["tier"]), ctx.catalog.rank(tier)
    if new_rank > old_rank:
        return interval == sub["interval"] or interval == "year"
    return new_rank == old_rank and sub["interval"] == "month" and interval == "year"


def prepaid_value(ctx: Context, sub: dict[str, Any]) -> int:
    """What the periods paid in advance (after the current one) cost at the plan they
    were paid for, one interval at a time, in paise."""
    if not sub["prepaid_until"] or not sub["current_period_end"]:
        return 0
    tier = sub["pending_tier"] or sub["tier"]
    interval = sub["pending_interval"] or sub["interval"]
    price = ctx.catalog.get(tier).price("INR", interval).amount
    start, until = parse_iso(sub["current_period_end"]), parse_iso(sub["prepaid_until"])
    return proration.prepaid_credit(price, start, until, interval)


def upgrade_preview(ctx: Context, customer_id: int, tier: str, interval: str) -> dict[str, Any]:
    """What upgrading now costs (integer paise, rounded down) and what period follows."""
    sub = current_subscription(ctx, customer_id)
    if sub is None or sub["method"] != "upi" or sub["status"] != "active":
        raise Conflict("Only an active UPI plan can be upgraded here; sell a new plan instead.")
    if sub["prepaid_until"] and interval == sub["interval"]:
        raise Conflict(
            "The next period is already paid; upgrade once it starts "
            f"({sub['current_period_end']}), or upgrade to yearly now (the prepaid time is "
            "credited)."
        )
    target = ctx.catalog.get(tier)
    if not target.purchasable:
        raise ValidationError(f"{target.name} cannot be bought at the counter.", field="tier")
    if not ctx.settings.features.proration:
        raise ValidationError(
            "Upgrades take effect at the next period here (proration is switched off): "
            f"schedule {target.name} for {sub['current_period_end']}.",
            field="tier",
        )
    if not _is_upgrade(ctx, sub, tier, interval):
        raise ValidationError(
            f"{target.name} ({interval}ly) is not an upgrade of {sub['tier_name']} "
            f"({sub['interval']}ly); schedule it as a downgrade at the period end.",
            field="tier",
        )
    new_price = target.price("INR", interval)
    prepaid = prepaid_value(ctx, sub)
    # the period as paid: 31 Jan -> 28 Feb is 28 days, not the 31 days back from 28 Feb
    quote = proration.quote_upgrade(
        old_price=Money(sub["amount"], "INR"),
        new_price=new_price,
        from_interval=sub["interval"],
        to_interval=interval,
        period_start=parse_iso(sub["current_period_start"]),
        period_end=parse_iso(sub["current_period_end"]),
        now=ctx.clock.now(),
        prepaid=Money(prepaid, "INR"),
        minimum=MIN_UPGRADE_CHARGE,
    )
    unused = quote.unused_value.amount
    if interval != sub["interval"] and quote.below_minimum and prepaid:
        # a new yearly period would start now, with the rest of this period and the
        # periods already paid in advance credited: they cover (nearly) all of it
        raise Conflict(
            f"The time already paid is worth {format_money(Money(unused + prepaid, 'INR'))}, "
            f"about as much as {target.name} yearly; renew when it runs out instead."
        )
    amount = quote.charge
    return {
        "customer_id": customer_id,
        "subscription_id": sub["id"],
        "from_tier": sub["tier"],
        "from_interval": sub["interval"],
        "tier": tier,
        "tier_name": target.name,
        "interval": interval,
        "amount": amount.amount,
        "currency": "INR",
        "amount_text": format_money(amount),
        "unused_value": unused,
        "prepaid_credit": prepaid,
        "prepaid_until": sub["prepaid_until"],
        "remaining_seconds": quote.remaining_seconds,
        "period_seconds": quote.period_seconds,
        "new_period_start": to_iso(quote.new_period_start),
        "new_period_end": to_iso(quote.new_period_end),
        "rounding": "rounded down to the paisa, at least ₹1.00",
    }


def apply_upi_payment(
    ctx: Context, payment: dict[str, Any], paid_at: datetime, *, actor: str
) -> int:
    """Activate, renew or upgrade the plan a succeeded UPI payment paid for; the
    subscription id. Runs inside the payment's transaction."""
    if not ctx.store.in_transaction:
        raise RuntimeError("apply_upi_payment runs inside the payment's transaction")
    customer_id, tier, interval = payment["customer_id"], payment["tier"], payment["interval"]
    sub = _load(ctx, customer_id)
    if sub is not None and sub["method"] == "upi_autopay":
        # the overdue period of an AutoPay plan, paid once by QR
        from backend.services.autopay import dunning

        return dunning.settle_with_upi(ctx, sub, payment, paid_at, actor=actor)
    price = ctx.catalog.get(tier).price("INR", interval)
    if sub is not None:  # bring it up to the clock first: a prepaid period is not lost
        sub = _roll_period(ctx, sub)
        sub = sub if sub["status"] in LIVE_STATUSES else None
    now = ctx.now_iso()
    if sub is None or sub["method"] != "upi" or sub["status"] == "trialing":
        if sub is not None:  # a trialing record is closed by the paid plan
            ctx.store.execute(
                "UPDATE subscriptions SET status='canceled', canceled_at=?, updated_at=? "
                "WHERE id=?",
                (now, now, sub["id"]),
            )
        start, end = period_bought(paid_at, interval)
        new_id = ctx.store.insert(
            "INSERT INTO subscriptions (customer_id, tier, interval, currency, amount, method, "
            "status, current_period_start, current_period_end, created_at, updated_at) "
            "VALUES (?, ?, ?, 'INR', ?, 'upi', 'active', ?, ?, ?, ?) RETURNING id",
            (customer_id, tier, interval, price.amount, to_iso(start), to_iso(end), now, now),
        )
        sub_id, action = new_id, "subscription.activate"
    else:
        sub_id = int(sub["id"])
        current_end = parse_iso(sub["current_period_end"]) if sub["current_period_end"] else None
        early = current_end is not None and current_end > paid_at
        if payment["purpose"] == "upgrade":
            if interval == sub["interval"] and current_end is not None:
                start, end = parse_iso(sub["current_period_start"]), current_end
            else:
                start, end = period_bought(paid_at, interval)
                end += _uncredited_prepaid(payment, sub)
            action = "subscription.upgrade"
        else:
            # a renewal paid while later periods are already paid extends after them
            paid_to = parse_iso(sub["prepaid_until"]) if sub["prepaid_until"] else current_end
            start, end = period_bought(paid_at, interval, paid_to)
            action = "subscription.renew"
        if early and payment["purpose"] != "upgrade":
            # paid before the period ends: the next period (with any scheduled downgrade)
            # starts at the end — see _roll_period
            ctx.store.execute(
                "UPDATE subscriptions SET prepaid_until=?, pending_tier=?, pending_interval=?, "
                "cancel_at_period_end=0, updated_at=? WHERE id=?",
                (to_iso(end), tier, interval, now, sub_id),
            )
        else:
            # an upgrade for the rest of this period leaves a next period already paid
            # (by a renewal at another till) as it is; otherwise nothing is pending now
            keep = end == current_end and sub["prepaid_until"] is not None
            ctx.store.execute(
                "UPDATE subscriptions SET tier=?, interval=?, amount=?, currency='INR', "
                "status='active', current_period_start=?, current_period_end=?, "
                "cancel_at_period_end=0, pending_tier=?, pending_interval=?, "
                "prepaid_until=?, canceled_at=NULL, updated_at=? WHERE id=?",
                (
                    tier,
                    interval,
                    price.amount,
                    to_iso(start),
                    to_iso(end),
                    sub["pending_tier"] if keep else None,
                    sub["pending_interval"] if keep else None,
                    sub["prepaid_until"] if keep else None,
                    now,
                    sub_id,
                ),
            )
    audit.record(
        ctx,
        actor,
        action,
        "subscription",
        sub_id,
        payment_id=payment["id"],
        tier=tier,
        interval=interval,
        period_start=to_iso(start),
        period_end=to_iso(end),
    )
    trials.mark_converted(ctx, customer_id, actor=actor)
    return sub_id


def _uncredited_prepaid(payment: dict[str, Any], sub: dict[str, Any]) -> timedelta:
    """Time paid in advance that the upgrade's price did not credit (a renewal paid at
    another till after the upgrade was asked for): added to the new period, not lost."""
    if not sub["prepaid_until"] or not sub["current_period_end"]:
        return timedelta(0)
    credited = json.loads(payment.get("evidence") or "{}").get("prepaid_until")
    return uncredited_prepaid(
        parse_iso(sub["current_period_end"]),
        parse_iso(sub["prepaid_until"]),
        parse_iso(credited) if credited else None,
    )


def _require_upi(ctx: Context, customer_id: int) -> dict[str, Any]:
    sub = current_subscription(ctx, customer_id)
    if sub is None:
        raise NotFound("This customer has no active plan.")
    if sub["method"] != "upi":
        raise Conflict("This customer pays by card; change the plan on the card subscription.")
    return sub


def _fresh(ctx: Context, sub: dict[str, Any]) -> dict[str, Any]:
    """The subscription as stored now, inside the caller's transaction: another terminal
    may have cancelled or changed it since it was read."""
    row = ctx.store.one("SELECT * FROM subscriptions WHERE id=?", (sub["id"],))
    if row is None or row["status"] not in LIVE_STATUSES:
        raise StateError("This plan was cancelled meanwhile (at another till).")
    return _public(ctx, row)


def _check_downgrade(ctx: Context, sub: dict[str, Any], tier: str, interval: str) -> bool:
    """Refuse what is not a downgrade (or a scheduled upgrade); True for an upgrade."""
    target = ctx.catalog.get(tier)
    target.price("INR", interval)
    upgrade = _is_upgrade(ctx, sub, tier, interval)
    if (tier, interval) == (sub["tier"], sub["interval"]) or (
        upgrade and ctx.settings.features.proration
    ):
        raise ValidationError(f"{target.name} ({interval}ly) is not a downgrade.", field="tier")
    return upgrade


def schedule_downgrade(
    ctx: Context, customer_id: int, tier: str, interval: str, *, actor: str
) -> dict[str, Any]:
    """Switch to a smaller plan (or monthly) when the current period ends; with proration
    switched off, upgrades are scheduled this way too."""
    sub = _require_upi(ctx, customer_id)
    _check_downgrade(ctx, sub, tier, interval)  # a clear answer before taking the lock
    with ctx.store.transaction():
        sub = _fresh(ctx, sub)  # decided on the row as stored now
        upgrade = _check_downgrade(ctx, sub, tier, interval)
        ctx.store.execute(
            "UPDATE subscriptions SET pending_tier=?, pending_interval=?, updated_at=? WHERE id=?",
            (tier, interval, ctx.now_iso(), sub["id"]),
        )
        audit.record(
            ctx,
            actor,
            "subscription.upgrade_scheduled" if upgrade else "subscription.downgrade_scheduled",
            "subscription",
            sub["id"],
            tier=tier,
            interval=interval,
            at=sub["current_period_end"],
        )
    return current_subscription(ctx, customer_id) or {}


def cancel_subscription(
    ctx: Context, customer_id: int, *, at_period_end: bool, actor: str
) -> dict[str, Any]:
    """Cancel now (access ends now) or at the period end (no renewal asked for)."""
    sub = _require_upi(ctx, customer_id)
    now = ctx.now_iso()
    with ctx.store.transaction():
        sub = _fresh(ctx, sub)  # another till may have cancelled it since it was read
        if at_period_end:
            ctx.store.execute(
                "UPDATE subscriptions SET cancel_at_period_end=1, updated_at=? WHERE id=?",
                (now, sub["id"]),
            )
        else:
            ctx.store.execute(
                "UPDATE subscriptions SET status='canceled', canceled_at=?, "
                "current_period_end=?, updated_at=? WHERE id=?",
                (now, now, now, sub["id"]),
            )
        audit.record(
            ctx,
            actor,
            "subscription.cancel",
            "subscription",
            sub["id"],
            at_period_end=at_period_end,
        )
    row = ctx.store.one("SELECT * FROM subscriptions WHERE id=?", (sub["id"],))
    return _public(ctx, row or sub)
