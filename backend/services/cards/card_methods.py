"""Changing the card a customer's Stripe subscription is charged to.

Stripe's hosted billing portal does it: the shop asks for a one-off portal session in
the ``payment_method_update`` flow and shows its ``url`` (as a QR at the counter or a
link in AUTOOS). The customer enters the new card on Stripe's page; Stripe makes it the
default and reports ``payment_method.attached`` / ``customer.updated``, which the
Stripe sync mirrors like any other event. No card data ever passes through the shop.
"""

from __future__ import annotations

import uuid
from typing import Any

from backend.adapters.stripe_gateway import gateway
from backend.context import Context
from backend.errors import NotConfigured
from backend.services.cards.stripe_customers import stripe_customer_id
from backend.store import audit


def payment_method_update_link(ctx: Context, customer_id: int, *, actor: str) -> dict[str, Any]:
    """A Stripe page where the customer replaces their card; needs Stripe online."""
    problem = gateway(ctx).problem()
    if problem:
        raise NotConfigured(problem)
    stripe_id = stripe_customer_id(ctx, customer_id)
    session = gateway(ctx).call(
        "billing_portal.sessions.create",
        params={
            "customer": stripe_id,
            "return_url": ctx.settings.stripe.checkout_success_url,
            "flow_data": {"type": "payment_method_update"},
        },
        idempotency_key=f"portal-{uuid.uuid4().hex}",
    )
    with ctx.store.transaction():
        audit.record(
            ctx, actor, "card.update_link", "customer", customer_id, session=session.get("id")
        )
    return {
        "customer_id": customer_id,
        "url": session["url"],
        "session_id": session.get("id"),
        "return_url": session.get("return_url"),
    }
