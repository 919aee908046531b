"""The catalog in Stripe: one Product per tier, one Price per tier × currency × interval.

Prices are found by a stable ``lookup_key`` (``autoos_student_inr_month``). Stripe prices
cannot change amount, so a changed price is a new Price that takes over the lookup key
(``transfer_lookup_key``) while the old one is deactivated.
"""

from __future__ import annotations

import json
from typing import Any

from backend.context import Context
from backend.domain.catalog import Tier
from backend.errors import StateError, ValidationError
from backend.sync import outbox


def lookup_key(tier: str, currency: str, interval: str) -> str:
    return f"autoos_{tier}_{currency.lower()}_{interval}"


def parse_lookup_key(key: str | None) -> tuple[str, str, str] | None:
    """``autoos_student_inr_month`` → ``("student", "INR", "month")``; None if not ours."""
    if not key or not key.startswith("autoos_"):
        return None
    parts = key[len("autoos_") :].split("_")
    if len(parts) < 3:
        return None
    return "_".join(parts[:-2]), parts[-2].upper(), parts[-1]


def product_id(tier: str) -> str:
    return f"autoos_{tier}"


def _build_product(ctx: Context, payload: dict[str, Any]) -> dict[str, Any]:
    tier = ctx.catalog.get(payload["tier"])
    return {
        "op": "products.create",
        "args": [],
        "params": {
            "id": product_id(tier.id),
            "name": f"AUTOOS {tier.name}",
            "metadata": {"autoos_tier": tier.id},
        },
    }


def _apply_product(ctx: Context, payload: dict[str, Any], result: dict[str, Any]) -> None:
    ctx.store.execute(
        "INSERT INTO stripe_products (tier, product_id) VALUES (?, ?) "
        "ON CONFLICT(tier) DO UPDATE SET product_id=excluded.product_id",
        (payload["tier"], result["id"]),
    )


def _build_price(ctx: Context, payload: dict[str, Any]) -> dict[str, Any]:
    return {
        "op": "prices.create",
        "args": [],
        "params": {
            "product": product_id(payload["tier"]),
            "currency": payload["currency"].lower(),
            "unit_amount": payload["amount"],
            "recurring": {"interval": payload["interval"]},
            "lookup_key": payload["lookup_key"],
            "transfer_lookup_key": True,
            "metadata": {"autoos_tier": payload["tier"]},
        },
    }


def _apply_price(ctx: Context, payload: dict[str, Any], result: dict[str, Any]) -> None:
    older = ctx.store.query(
        "SELECT price_id FROM stripe_prices WHERE lookup_key=? AND active=1 AND price_id!=?",
        (payload["lookup_key"], result["id"]),
    )
    for row in older:
        ctx.store.execute("UPDATE stripe_prices SET active=0 WHERE price_id=?", (row["price_id"],))
        outbox.enqueue(
            ctx,
            "price.deactivate",
            "stripe_price",
            row["price_id"],
            {"price_id": row["price_id"]},
            actor=outbox.SYNC_ACTOR,
        )
    ctx.store.execute(
        "INSERT INTO stripe_prices (price_id, lookup_key, tier, currency, interval, "
        "amount, active, created_at) VALUES (?, ?, ?, ?, ?, ?, 1, ?) ON CONFLICT DO NOTHING",
        (
            result["id"],
            payload["lookup_key"],
            payload["tier"],
            payload["currency"],
            payload["interval"],
            payload["amount"],
            ctx.now_iso(),
        ),
    )


def _build_deactivate(ctx: Context, payload: dict[str, Any]) -> dict[str, Any]:
    return {"op": "prices.update", "args": [payload["price_id"]], "params": {"active": False}}


def _apply_deactivate(ctx: Context, payload: dict[str, Any], result: dict[str, Any]) -> None:
    ctx.store.execute("UPDATE stripe_prices SET active=0 WHERE price_id=?", (payload["price_id"],))


outbox.operation(
    "product.create",
    outbox.Operation(
        _build_product, _apply_product, exists=lambda payload: {"id": product_id(payload["tier"])}
    ),
)
outbox.operation("price.create", outbox.Operation(_build_price, _apply_price))
outbox.operation("price.deactivate", outbox.Operation(_build_deactivate, _apply_deactivate))


def _queued_price(ctx: Context, key: str, amount: int) -> bool:
    """Waiting to be sent, or refused (then staff send it again with retry_failed)."""
    payloads = ctx.store.fetchall(
        "SELECT payload FROM stripe_outbox WHERE kind='price.create' AND entity_id=? "
        "AND status IN ('waiting', 'failed')",
        (key,),
    )
    return any(json.loads(payload).get("amount") == amount for (payload,) in payloads)


def _push_tier(ctx: Context, tier: Tier, actor: str) -> int:
    queued = 0
    known = ctx.store.one("SELECT 1 FROM stripe_products WHERE tier=?", (tier.id,))
    # a refused row is not queued again on every pass: staff send it again (retry_failed)
    # once the cause is fixed
    tried = outbox.pending(
        ctx, "stripe_product", tier.id, "product.create", ("waiting", "done", "failed")
    )
    if not known and tried is None:
        outbox.enqueue(
            ctx, "product.create", "stripe_product", tier.id, {"tier": tier.id}, actor=actor
        )
        queued += 1
    for (currency, interval), money in sorted(tier.prices.items()):
        key = lookup_key(tier.id, currency, interval)
        current = ctx.store.one(
            "SELECT 1 FROM stripe_prices WHERE lookup_key=? AND active=1 AND amount=?",
            (key, money.amount),
        )
        if current or _queued_price(ctx, key, money.amount):
            continue
        outbox.enqueue(
            ctx,
            "price.create",
            "stripe_price",
            key,
            {
                "tier": tier.id,
                "currency": currency,
                "interval": interval,
                "amount": money.amount,
                "lookup_key": key,
            },
            actor=actor,
        )
        queued += 1
    return queued


def push_catalog(ctx: Context, *, actor: str) -> int:
    """Queue whatever Products and Prices Stripe lacks or holds at an old amount."""
    queued = 0
    with ctx.store.transaction():
        for tier in ctx.catalog:
            if tier.purchasable:
                queued += _push_tier(ctx, tier, actor)
    return queued


def price_id(ctx: Context, tier: str, currency: str, interval: str) -> str:
    """The active Stripe price for a plan, from the local copy of the catalog sync."""
    plan = ctx.catalog.get(tier)
    if not plan.purchasable:
        raise ValidationError(f"{plan.name} cannot be bought at the counter.", field="tier")
    plan.price(currency, interval)
    row = ctx.store.one(
        "SELECT price_id FROM stripe_prices WHERE lookup_key=? AND active=1 "
        "ORDER BY created_at DESC LIMIT 1",
        (lookup_key(tier, currency, interval),),
    )
    if row is None:
        raise StateError("The price list is not in Stripe yet; run a Stripe sync first.")
    return str(row["price_id"])
