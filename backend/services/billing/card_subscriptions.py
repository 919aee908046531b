"""Card subscriptions: billed by Stripe, mirrored in ``subscriptions`` (method ``card``).

Every change is an outbox row, so it is accepted offline and reaches Stripe exactly once:
create (a trial needs no card), upgrade now with proration (previewed first with
``invoices.create_preview`` so staff and customer see the charge, then sent with
``proration_behavior=always_invoice`` and the preview's ``proration_date``), downgrade at
period end (a subscription schedule whose second phase is the cheaper plan), and cancel
now or at period end. The mirror is updated from Stripe's answers and events only.
"""

from __future__ import annotations

import json
from typing import Any

from backend.adapters.stripe_gateway import gateway, require_card
from backend.clock import parse_iso, to_iso
from backend.context import Context
from backend.domain.money import Money, format_money
from backend.domain.renewals import trial_end
from backend.errors import NotFound, StateError, ValidationError
from backend.services.cards.stripe_catalog import price_id, push_catalog
from backend.services.cards.stripe_customers import ensure_in_stripe, stripe_customer_id
from backend.services.cards.stripe_mirror import mirror_subscription
from backend.store import audit
from backend.sync import outbox


def get_subscription(ctx: Context, subscription_id: int) -> dict[str, Any]:
    """A subscription Stripe bills: a card one, or a UPI AutoPay one through Stripe
    (changed and cancelled the same way; its mandate is handled in
    :mod:`backend.services.autopay.stripe_autopay`)."""
    row = ctx.store.one("SELECT * FROM subscriptions WHERE id=?", (subscription_id,))
    if row is None or not (
        row["method"] == "card"
        or (row["method"] == "upi_autopay" and row["autopay_provider"] == "stripe")
    ):
        raise NotFound(f"There is no card subscription number {subscription_id}.")
    return row


def _live(ctx: Context, subscription_id: int) -> dict[str, Any]:
    row = get_subscription(ctx, subscription_id)
    if row["status"] == "canceled":
        raise StateError("That subscription is cancelled.")
    return row


def _stripe_sub_id(row: dict[str, Any]) -> str:
    if not row["stripe_subscription_id"]:
        raise StateError("The subscription is not in Stripe yet.")
    return str(row["stripe_subscription_id"])


def _apply_mirror(ctx: Context, payload: dict[str, Any], result: dict[str, Any]) -> None:
    mirror_subscription(ctx, result)


def _build_create(ctx: Context, payload: dict[str, Any]) -> dict[str, Any]:
    row = get_subscription(ctx, payload["subscription_id"])
    params: dict[str, Any] = {
        "customer": stripe_customer_id(ctx, row["customer_id"]),
        "items": [{"price": price_id(ctx, row["tier"], row["currency"], row["interval"])}],
        "metadata": {"autoos_subscription_id": str(row["id"])},
    }
    if payload.get("trial_days"):
        params["trial_period_days"] = payload["trial_days"]
        params["payment_behavior"] = "default_incomplete"
        params["trial_settings"] = {"end_behavior": {"missing_payment_method": "cancel"}}
    return {"op": "subscriptions.create", "args": [], "params": params}


def _rejected_create(ctx: Context, payload: dict[str, Any], err: Exception) -> None:
    ctx.store.execute(
        "UPDATE subscriptions SET status='canceled', canceled_at=?, updated_at=? "
        "WHERE id=? AND stripe_subscription_id IS NULL",
        (ctx.now_iso(), ctx.now_iso(), payload["subscription_id"]),
    )


def _build_change(ctx: Context, payload: dict[str, Any]) -> dict[str, Any]:
    row = get_subscription(ctx, payload["subscription_id"])
    params: dict[str, Any] = {
        "items": [
            {
                "id": row["stripe_item_id"],
                "price": price_id(ctx, payload["tier"], row["currency"], payload["interval"]),
            }
        ],
        "proration_behavior": "always_invoice",
    }
    if payload.get("proration_date"):
        params["proration_date"] = payload["proration_date"]
    return {"op": "subscriptions.update", "args": [_stripe_sub_id(row)], "params": params}


def _build_schedule_create(ctx: Context, payload: dict[str, Any]) -> dict[str, Any]:
    row = get_subscription(ctx, payload["subscription_id"])
    return {
        "op": "subscription_schedules.create",
        "args": [],
        "params": {"from_subscription": _stripe_sub_id(row)},
    }


def _apply_schedule_create(ctx: Context, payload: dict[str, Any], result: dict[str, Any]) -> None:
    ctx.store.execute(
        "UPDATE subscriptions SET stripe_schedule_id=?, updated_at=? WHERE id=?",
        (result["id"], ctx.now_iso(), payload["subscription_id"]),
    )
    # Stripe's own current phase (the local copy may not know of a renewal yet) goes to
    # the update that follows, which is built only when it is sent
    phases = result.get("phases") or []
    if phases:
        first = phases[0]
        phase = {
            "phase_start": first.get("start_date"),
            "phase_end": first.get("end_date"),
            "phase_price": _price_ref((first.get("items") or [{}])[0].get("price")),
        }
        waiting = ctx.store.fetchall(
            "SELECT id, payload FROM stripe_outbox WHERE kind='schedule.update' "
            "AND entity='subscription' AND entity_id=? AND status='waiting' AND request IS NULL",
            (str(payload["subscription_id"]),),
        )
        for row_id, queued in waiting:
            ctx.store.execute(
                "UPDATE stripe_outbox SET payload=? WHERE id=?",
                (json.dumps({**json.loads(queued), **phase}, sort_keys=True), row_id),
            )


def _price_ref(price: Any) -> str | None:
    return price.get("id") if isinstance(price, dict) else price


def _build_schedule_update(ctx: Context, payload: dict[str, Any]) -> dict[str, Any]:
    row = get_subscription(ctx, payload["subscription_id"])
    if not row["stripe_schedule_id"]:
        raise StateError("The downgrade schedule was not created in Stripe.")
    start = payload.get("phase_start") or int(parse_iso(row["current_period_start"]).timestamp())
    end = payload.get("phase_end") or int(parse_iso(row["current_period_end"]).timestamp())
    current = payload.get("phase_price") or price_id(
        ctx, row["tier"], row["currency"], row["interval"]
    )
    new = price_id(ctx, payload["tier"], row["currency"], payload["interval"])
    return {
        "op": "subscription_schedules.update",
        "args": [row["stripe_schedule_id"]],
        "params": {
            "end_behavior": "release",
            "proration_behavior": "none",
            "phases": [
                {"items": [{"price": current}], "start_date": start, "end_date": end},
                {
                    "items": [{"price": new}],
                    "duration": {"interval": payload["interval"], "interval_count": 1},
                },
            ],
        },
    }


def _drop_downgrade(ctx: Context, payload: dict[str, Any], err: Exception) -> None:
    """Stripe refused the downgrade (its schedule, or the schedule's change): forget it
    here (staff see Stripe's message among the failed requests) and free the subscription
    from a one-phase schedule, so a later change at period end is not blocked."""
    row = get_subscription(ctx, payload["subscription_id"])
    ctx.store.execute(
        "UPDATE subscriptions SET pending_tier=NULL, pending_interval=NULL, "
        "stripe_schedule_id=NULL, updated_at=? WHERE id=?",
        (ctx.now_iso(), row["id"]),
    )
    if row["stripe_schedule_id"]:
        _queue_release(ctx, row, outbox.SYNC_ACTOR)


def _apply_nothing(ctx: Context, payload: dict[str, Any], result: dict[str, Any]) -> None:
    """The mirror changes when the schedule acts, reported by events."""


def _build_release(ctx: Context, payload: dict[str, Any]) -> dict[str, Any]:
    return {"op": "subscription_schedules.release", "args": [payload["schedule_id"]], "params": {}}


def _apply_release(ctx: Context, payload: dict[str, Any], result: dict[str, Any]) -> None:
    ctx.store.execute(
        "UPDATE subscriptions SET stripe_schedule_id=NULL, pending_tier=NULL, "
        "pending_interval=NULL, updated_at=? WHERE id=? AND stripe_schedule_id=?",
        (ctx.now_iso(), payload["subscription_id"], payload["schedule_id"]),
    )


def _build_cancel(ctx: Context, payload: dict[str, Any]) -> dict[str, Any]:
    row = get_subscription(ctx, payload["subscription_id"])
    if payload["at_period_end"]:
        return {
            "op": "subscriptions.update",
            "args": [_stripe_sub_id(row)],
            "params": {"cancel_at_period_end": True},
        }
    return {"op": "subscriptions.cancel", "args": [_stripe_sub_id(row)], "params": {}}


outbox.operation(
    "subscription.create", outbox.Operation(_build_create, _apply_mirror, _rejected_create)
)
outbox.operation("subscription.change", outbox.Operation(_build_change, _apply_mirror))
outbox.operation(
    "schedule.create",
    outbox.Operation(_build_schedule_create, _apply_schedule_create, _drop_downgrade),
)
outbox.operation(
    "schedule.update",
    outbox.Operation(_build_schedule_update, _apply_nothing, _drop_downgrade),
)
outbox.operation("schedule.release", outbox.Operation(_build_release, _apply_release))
outbox.operation("subscription.cancel", outbox.Operation(_build_cancel, _apply_mirror))


def subscribe(
    ctx: Context,
    *,
    customer_id: int,
    tier: str,
    interval: str,
    currency: str,
    trial_days: int,
    actor: str,
) -> dict[str, Any]:
    """Start a card-billed trial (no card needed); works offline, Stripe follows."""
    require_card(ctx)
    plan = ctx.catalog.get(tier)
    money = plan.price(currency, interval)
    if trial_days <= 0:
        raise ValidationError("A trial lasts at least one day.", field="trial_days")
    push_catalog(ctx, actor=actor)
    ensure_in_stripe(ctx, customer_id, actor=actor)
    now = ctx.clock.now()
    with ctx.store.transaction():
        new_id = ctx.store.insert(
            "INSERT INTO subscriptions (customer_id, tier, interval, currency, amount, method, "
            "status, current_period_start, current_period_end, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?, 'card', 'trialing', ?, ?, ?, ?) RETURNING id",
            (
                customer_id,
                plan.id,
                interval,
                money.currency,
                money.amount,
                to_iso(now),
                to_iso(trial_end(now, trial_days)),
                to_iso(now),
                to_iso(now),
            ),
        )
        sub_id = new_id
        outbox.enqueue(
            ctx,
            "subscription.create",
            "subscription",
            sub_id,
            {"subscription_id": sub_id, "trial_days": trial_days},
            actor=actor,
        )
        audit.record(
            ctx,
            actor,
            "subscription.create",
            "subscription",
            sub_id,
            tier=plan.id,
            interval=interval,
            currency=money.currency,
            trial_days=trial_days,
        )
    return get_subscription(ctx, sub_id)


def _target(ctx: Context, row: dict[str, Any], tier: str, interval: str | None) -> tuple[str, str]:
    interval = interval or row["interval"]
    ctx.catalog.get(tier).price(row["currency"], interval)
    return tier, interval


def preview_upgrade(
    ctx: Context, subscription_id: int, *, tier: str, interval: str | None = None
) -> dict[str, Any]:
    """What the upgrade costs today (Stripe computes the proration); needs the network."""
    require_card(ctx)
    row = _live(ctx, subscription_id)
    tier, interval = _target(ctx, row, tier, interval)
    if ctx.catalog.rank(tier) <= ctx.catalog.rank(row["tier"]) and interval == row["interval"]:
        raise ValidationError("That is not an upgrade; use a downgrade instead.", field="tier")
    proration_date = int(ctx.clock.now().timestamp())
    preview = gateway(ctx).call(
        "invoices.create_preview",
        params={
            "customer": stripe_customer_id(ctx, row["customer_id"]),
            "subscription": _stripe_sub_id(row),
            "subscription_details": {
                "items": [
                    {
                        "id": row["stripe_item_id"],
                        "price": price_id(ctx, tier, row["currency"], interval),
                    }
                ],
                "proration_behavior": "always_invoice",
                "proration_date": proration_date,
            },
        },
    )
    amount = Money(int(preview.get("amount_due") or 0), row["currency"])
    return {
        "subscription_id": subscription_id,
        "tier": tier,
        "interval": interval,
        "amount_due": amount.amount,
        "currency": amount.currency,
        "amount_text": format_money(amount),
        "proration_date": proration_date,
        "lines": [
            {"description": line.get("description"), "amount": line.get("amount")}
            for line in ((preview.get("lines") or {}).get("data") or [])
        ],
    }


def upgrade(
    ctx: Context,
    subscription_id: int,
    *,
    tier: str,
    interval: str | None = None,
    proration_date: int | None = None,
    actor: str,
) -> dict[str, Any]:
    """Switch now, charging the prorated difference (pass the preview's proration_date)."""
    require_card(ctx)
    with ctx.store.transaction():
        row = _live(ctx, subscription_id)
        tier, interval = _target(ctx, row, tier, interval)
        if ctx.catalog.rank(tier) < ctx.catalog.rank(row["tier"]):
            raise ValidationError("That is a downgrade; it happens at period end.", field="tier")
        if (tier, interval) == (row["tier"], row["interval"]):
            raise ValidationError("The customer is already on that plan.", field="tier")
        payload = {"subscription_id": subscription_id, "tier": tier, "interval": interval}
        if proration_date:
            payload["proration_date"] = proration_date
        if row["stripe_schedule_id"]:
            _queue_release(ctx, row, actor)
        elif row["pending_tier"]:
            raise StateError("A downgrade is still being sent to Stripe; sync, then upgrade.")
        outbox.enqueue(
            ctx, "subscription.change", "subscription", subscription_id, payload, actor=actor
        )
        audit.record(
            ctx,
            actor,
            "subscription.upgrade",
            "subscription",
            subscription_id,
            tier=tier,
            interval=interval,
        )
    return get_subscription(ctx, subscription_id)


def _queue_release(ctx: Context, row: dict[str, Any], actor: str) -> None:
    outbox.enqueue(
        ctx,
        "schedule.release",
        "subscription",
        row["id"],
        {"subscription_id": row["id"], "schedule_id": row["stripe_schedule_id"]},
        actor=actor,
    )


def downgrade(
    ctx: Context, subscription_id: int, *, tier: str, interval: str | None = None, actor: str
) -> dict[str, Any]:
    """Schedule the cheaper plan from the end of the current period."""
    require_card(ctx)
    with ctx.store.transaction():
        row = _live(ctx, subscription_id)
        tier, interval = _target(ctx, row, tier, interval)
        if ctx.catalog.rank(tier) > ctx.catalog.rank(row["tier"]):
            raise ValidationError("That is an upgrade; it happens now.", field="tier")
        if (tier, interval) == (row["tier"], row["interval"]):
            raise ValidationError("The customer is already on that plan.", field="tier")
        if row["pending_tier"] or row["cancel_at_period_end"]:
            raise StateError("A change at period end is already waiting for this subscription.")
        ctx.store.execute(
            "UPDATE subscriptions SET pending_tier=?, pending_interval=?, updated_at=? WHERE id=?",
            (tier, interval, ctx.now_iso(), subscription_id),
        )
        base = {"subscription_id": subscription_id}
        outbox.enqueue(ctx, "schedule.create", "subscription", subscription_id, base, actor=actor)
        outbox.enqueue(
            ctx,
            "schedule.update",
            "subscription",
            subscription_id,
            {**base, "tier": tier, "interval": interval},
            actor=actor,
        )
        audit.record(
            ctx,
            actor,
            "subscription.downgrade",
            "subscription",
            subscription_id,
            tier=tier,
            interval=interval,
        )
    return get_subscription(ctx, subscription_id)


def cancel(
    ctx: Context, subscription_id: int, *, at_period_end: bool, actor: str
) -> dict[str, Any]:
    """Cancel now, or let the paid period run out first."""
    require_card(ctx)
    with ctx.store.transaction():
        row = _live(ctx, subscription_id)
        if row["stripe_schedule_id"]:
            _queue_release(ctx, row, actor)
        elif row["pending_tier"]:
            raise StateError("A downgrade is still being sent to Stripe; sync, then cancel.")
        outbox.enqueue(
            ctx,
            "subscription.cancel",
            "subscription",
            subscription_id,
            {"subscription_id": subscription_id, "at_period_end": at_period_end},
            actor=actor,
        )
        audit.record(
            ctx,
            actor,
            "subscription.cancel",
            "subscription",
            subscription_id,
            at_period_end=at_period_end,
        )
    return get_subscription(ctx, subscription_id)


def show(ctx: Context, subscription_id: int) -> dict[str, Any]:
    row = get_subscription(ctx, subscription_id)
    row["queued"] = ctx.store.query(
        "SELECT id, kind, status, last_error FROM stripe_outbox WHERE entity='subscription' "
        "AND entity_id=? AND status IN ('waiting', 'failed') ORDER BY id",
        (str(subscription_id),),
    )
    return row
