"""Customers in Stripe: created and updated through the outbox, linked by id.

The local record is the master copy; Stripe gets a copy with ``metadata.autoos_customer_id``
so that an event about a customer can always be traced back to ours.
"""

from __future__ import annotations

from typing import Any

from backend.context import Context
from backend.errors import StateError
from backend.services.shop.customers import get_customer
from backend.sync import outbox


def _contact(ctx: Context, customer_id: int) -> dict[str, Any]:
    row = get_customer(ctx, int(customer_id))
    params: dict[str, Any] = {
        "name": row["name"],
        "metadata": {"autoos_customer_id": str(row["id"])},
    }
    if row["email"]:
        params["email"] = row["email"]
    if row["phone"]:
        params["phone"] = row["phone"]
    return params


def _build_create(ctx: Context, payload: dict[str, Any]) -> dict[str, Any]:
    return {"op": "customers.create", "args": [], "params": _contact(ctx, payload["customer_id"])}


def _apply_create(ctx: Context, payload: dict[str, Any], result: dict[str, Any]) -> None:
    ctx.store.execute(
        "UPDATE customers SET stripe_customer_id=? WHERE id=? AND stripe_customer_id IS NULL",
        (result["id"], payload["customer_id"]),
    )


def _build_update(ctx: Context, payload: dict[str, Any]) -> dict[str, Any]:
    return {
        "op": "customers.update",
        "args": [stripe_customer_id(ctx, payload["customer_id"])],
        "params": _contact(ctx, payload["customer_id"]),
    }


def _apply_update(ctx: Context, payload: dict[str, Any], result: dict[str, Any]) -> None:
    """Nothing to mirror: the local record is the master copy."""


outbox.operation("customer.create", outbox.Operation(_build_create, _apply_create))
outbox.operation("customer.update", outbox.Operation(_build_update, _apply_update))


def stripe_customer_id(ctx: Context, customer_id: int) -> str:
    """The linked Stripe id, or a clear error when the customer has not reached Stripe."""
    row = get_customer(ctx, int(customer_id))
    if not row["stripe_customer_id"]:
        raise StateError(
            f"{row['name']} is not in Stripe yet; the request waits until the customer is."
        )
    return str(row["stripe_customer_id"])


def ensure_in_stripe(ctx: Context, customer_id: int, *, actor: str) -> int | None:
    """Queue the customer's creation in Stripe unless linked or already queued.

    Returns the outbox row id to wait for, or None when the customer is linked.
    """
    with ctx.store.transaction():
        row = get_customer(ctx, int(customer_id))
        if row["stripe_customer_id"]:
            return None
        queued = outbox.pending(ctx, "customer", customer_id, "customer.create")
        if queued:
            return int(queued["id"])
        ctx.store.execute(
            "INSERT INTO stripe_customer_pushes (customer_id, dirty) VALUES (?, 0) "
            "ON CONFLICT(customer_id) DO UPDATE SET dirty=0",
            (customer_id,),
        )
        payload = {"customer_id": int(customer_id)}
        # the body is known now: frozen at once, so sending needs no extra commit
        return outbox.enqueue(
            ctx,
            "customer.create",
            "customer",
            customer_id,
            payload,
            actor=actor,
            request=_build_create(ctx, payload),
        )


def push_customers(ctx: Context, *, actor: str) -> int:
    """Queue creates for customers not yet in Stripe and updates for edited ones.

    A trigger marks a pushed customer ``dirty`` when its name, email or phone changes.
    """
    queued = 0
    rows = ctx.store.query(
        "SELECT c.id, p.dirty FROM customers c "
        "LEFT JOIN stripe_customer_pushes p ON p.customer_id = c.id "
        "WHERE p.customer_id IS NULL OR p.dirty = 1"
    )
    for row in rows:
        with ctx.store.transaction():
            if row["dirty"] is None:
                ensure_in_stripe(ctx, row["id"], actor=actor)
            else:
                outbox.enqueue(
                    ctx,
                    "customer.update",
                    "customer",
                    row["id"],
                    {"customer_id": row["id"]},
                    actor=actor,
                )
                ctx.store.execute(
                    "UPDATE stripe_customer_pushes SET dirty=0 WHERE customer_id=?", (row["id"],)
                )
            queued += 1
    return queued
