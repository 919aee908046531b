"""A customer's card side: saved payment methods, Stripe invoices, billing history.

Lists are read from Stripe when it answers (and copied into the local mirror), and from
the mirror when it does not, flagged ``offline`` so the screen can say so.
"""

from __future__ import annotations

from typing import Any

from backend.adapters.stripe_gateway import gateway
from backend.context import Context
from backend.errors import TransientError
from backend.services.cards.stripe_mirror import mirror_invoice, mirror_payment_method
from backend.services.shop.customers import get_customer


def _linked(ctx: Context, customer_id: int) -> str | None:
    return get_customer(ctx, customer_id)["stripe_customer_id"]


def payment_methods(ctx: Context, customer_id: int) -> dict[str, Any]:
    stripe_id = _linked(ctx, customer_id)
    offline = False
    if stripe_id and gateway(ctx).configured:
        try:
            found = gateway(ctx).call("customers.payment_methods.list", [stripe_id])
            with ctx.store.transaction():
                ctx.store.execute(
                    "DELETE FROM stripe_payment_methods WHERE stripe_customer_id=?", (stripe_id,)
                )
                for pm in found.get("data", []):
                    mirror_payment_method(ctx, pm, attached=True)
        except TransientError:
            offline = True
    rows = ctx.store.query(
        "SELECT payment_method_id, brand, last4, exp_month, exp_year FROM stripe_payment_methods "
        "WHERE stripe_customer_id=? ORDER BY payment_method_id",
        (stripe_id,),
    )
    return {"payment_methods": rows, "offline": offline}


def invoices(ctx: Context, customer_id: int) -> dict[str, Any]:
    stripe_id = _linked(ctx, customer_id)
    offline = False
    if stripe_id and gateway(ctx).configured:
        try:
            found = gateway(ctx).call("invoices.list", params={"customer": stripe_id, "limit": 100})
            with ctx.store.transaction():
                for inv in found.get("data", []):
                    mirror_invoice(ctx, inv)
        except TransientError:
            offline = True
    rows = ctx.store.query(
        "SELECT invoice_id, number, total, currency, status, hosted_invoice_url, invoice_pdf, "
        "created FROM stripe_invoices WHERE stripe_customer_id=? ORDER BY created DESC",
        (stripe_id,),
    )
    return {"invoices": rows, "offline": offline}


def billing_history(ctx: Context, customer_id: int) -> dict[str, Any]:
    """Payments (any method), their refunds and the Stripe invoices, newest first."""
    get_customer(ctx, customer_id)
    payments = ctx.store.query(
        "SELECT id, method, status, amount, currency, tier, interval, created_at, paid_at, "
        "receipt_no, refunded_amount FROM payments WHERE customer_id=? ORDER BY created_at DESC",
        (customer_id,),
    )
    refunds = ctx.store.query(
        "SELECT r.id, r.payment_id, r.amount, r.currency, r.status, r.created_at FROM refunds r "
        "JOIN payments p ON p.id = r.payment_id WHERE p.customer_id=? ORDER BY r.id DESC",
        (customer_id,),
    )
    return {
        "payments": payments,
        "refunds": refunds,
        "invoices": invoices(ctx, customer_id)["invoices"],
    }
