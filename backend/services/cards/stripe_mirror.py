"""Copying Stripe objects into the local mirror (subscriptions, invoices, payment methods).

Used by the outbox (a write's answer), by the events poller and by the webhook, so the
three paths leave the same rows. Every function is an upsert: applying it twice is the
same as once. Call inside the transaction of the change.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from backend.clock import to_iso
from backend.context import Context
from backend.services.cards.stripe_catalog import parse_lookup_key

#: Stripe subscription status → the five the shop knows
STATUS = {
    "trialing": "trialing",
    "active": "active",
    "past_due": "past_due",
    "unpaid": "past_due",
    "paused": "past_due",
    "canceled": "canceled",
    "incomplete": "incomplete",
    "incomplete_expired": "canceled",
}


def from_unix(ts: int | None) -> str | None:
    return None if ts is None else to_iso(datetime.fromtimestamp(int(ts), UTC))


def _id(value: Any) -> str | None:
    if isinstance(value, dict):
        return value.get("id")
    return value


def _plan(ctx: Context, price: Any) -> tuple[str, str, str, int] | None:
    """(tier, currency, interval, amount) of a Stripe price (object or id)."""
    if isinstance(price, dict):
        parsed = parse_lookup_key(price.get("lookup_key"))
        if parsed:
            return (*parsed, int(price.get("unit_amount") or 0))
    row = ctx.store.one(
        "SELECT tier, currency, interval, amount FROM stripe_prices WHERE price_id=?",
        (_id(price),),
    )
    return (row["tier"], row["currency"], row["interval"], row["amount"]) if row else None


def local_customer_id(ctx: Context, stripe_customer: Any) -> int | None:
    return ctx.store.scalar(
        "SELECT id FROM customers WHERE stripe_customer_id=?", (_id(stripe_customer),)
    )


def mirror_subscription(ctx: Context, sub: dict[str, Any]) -> int | None:
    """Upsert the local card subscription from a Stripe subscription; its local id."""
    items = (sub.get("items") or {}).get("data") or []
    if not items:
        return None
    item = items[0]
    plan = _plan(ctx, item.get("price"))
    customer_id = local_customer_id(ctx, sub.get("customer"))
    if plan is None or customer_id is None:
        return None
    tier, currency, interval, amount = plan
    now = ctx.now_iso()
    local_id = (sub.get("metadata") or {}).get("autoos_subscription_id")
    row = ctx.store.one(
        "SELECT id, stripe_subscription_id FROM subscriptions WHERE stripe_subscription_id=?",
        (sub["id"],),
    )
    if row is None and local_id:
        row = ctx.store.one(
            "SELECT id, stripe_subscription_id FROM subscriptions WHERE id=?", (int(local_id),)
        )
    values = (
        tier,
        interval,
        currency,
        amount,
        STATUS.get(sub.get("status") or "", "incomplete"),
        from_unix(item.get("current_period_start")),
        from_unix(item.get("current_period_end")),
        1 if sub.get("cancel_at_period_end") else 0,
        sub["id"],
        item.get("id"),
        from_unix(sub.get("canceled_at")),
        now,
    )
    if row is None:
        # an AutoPay sale's subscription says so in its metadata (card_checkout puts it)
        method = "upi_autopay" if _meta_method(sub) == AUTOPAY else "card"
        new_id = ctx.store.insert(
            "INSERT INTO subscriptions (tier, interval, currency, amount, status, "
            "current_period_start, current_period_end, cancel_at_period_end, "
            "stripe_subscription_id, stripe_item_id, canceled_at, updated_at, customer_id, "
            "method, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            (*values, customer_id, method, now),
        )
        sub_id = new_id
    else:
        sub_id = int(row["id"])
        ctx.store.execute(
            "UPDATE subscriptions SET tier=?, interval=?, currency=?, amount=?, status=?, "
            "current_period_start=?, current_period_end=?, cancel_at_period_end=?, "
            "stripe_subscription_id=?, stripe_item_id=?, canceled_at=?, updated_at=? WHERE id=?",
            (*values, sub_id),
        )
    schedule = _id(sub.get("schedule"))
    pending = ctx.store.one(
        "SELECT pending_tier, pending_interval, stripe_schedule_id FROM subscriptions WHERE id=?",
        (sub_id,),
    )
    if (
        pending
        and pending["pending_tier"]
        and (
            (pending["pending_tier"], pending["pending_interval"]) == (tier, interval)
            or (schedule is None and pending["stripe_schedule_id"])
        )
    ):
        # the scheduled downgrade has happened (or the schedule is gone)
        ctx.store.execute(
            "UPDATE subscriptions SET pending_tier=NULL, pending_interval=NULL, "
            "stripe_schedule_id=NULL WHERE id=?",
            (sub_id,),
        )
    _mirror_autopay(ctx, sub_id, sub)
    return sub_id


AUTOPAY = "upi_autopay"


def _meta_method(sub: dict[str, Any]) -> str | None:
    return (sub.get("metadata") or {}).get("autoos_method")


def _mirror_autopay(ctx: Context, sub_id: int, sub: dict[str, Any]) -> None:
    """The mandate side of a UPI AutoPay subscription (nothing for a card one): the
    payment method it debits, the mandate's terms as Stripe holds them, since when it is
    past due (the grace period counts from there), and — once it is cancelled — a request
    to revoke the mandate (its payment method is detached)."""
    row = ctx.store.one("SELECT * FROM subscriptions WHERE id=?", (sub_id,))
    if row is None or row["method"] != AUTOPAY:
        return
    upi = ((sub.get("payment_settings") or {}).get("payment_method_options") or {}).get("upi")
    terms = (upi or {}).get("mandate_options") or {}
    pm = _id(sub.get("default_payment_method")) or row["mandate_payment_method"]
    now = ctx.now_iso()
    past_due_since = row["past_due_since"]
    status = row["status"]
    if status == "past_due" and _settling(ctx, sub_id):
        # our own "paid out of band" is still on its way to Stripe: the overdue period
        # was paid here, so Stripe's past-due snapshot is already out of date
        status, past_due_since = "active", None
    elif status == "past_due":
        past_due_since = past_due_since or now
    else:
        past_due_since = None
    ctx.store.execute(
        "UPDATE subscriptions SET autopay_provider='stripe', status=?, past_due_since=?, "
        "mandate_payment_method=?, mandate_amount=COALESCE(?, mandate_amount), "
        "mandate_amount_type=COALESCE(?, mandate_amount_type), "
        "mandate_end=COALESCE(?, mandate_end) WHERE id=?",
        (
            status,
            past_due_since,
            pm,
            terms.get("amount"),
            terms.get("amount_type"),
            from_unix(terms.get("end_date")),
            sub_id,
        ),
    )
    if status == "canceled":
        from backend.services.autopay import stripe_autopay

        stripe_autopay.subscription_ended(ctx, sub_id)


def _settling(ctx: Context, sub_id: int) -> bool:
    return (
        ctx.store.scalar(
            "SELECT 1 FROM stripe_outbox WHERE kind='autopay.invoice_paid_out_of_band' "
            "AND entity='subscription' AND entity_id=? AND status='waiting'",
            (str(sub_id),),
        )
        is not None
    )


def mirror_mandate(ctx: Context, mandate: dict[str, Any]) -> int | None:
    """A Stripe mandate's status onto the AutoPay subscription it debits (found by the
    mandate's id, else by its payment method); that subscription's local id."""
    pm = _id(mandate.get("payment_method"))
    row = ctx.store.one(
        "SELECT id, mandate_status FROM subscriptions WHERE method=? AND "
        "autopay_provider='stripe' AND (mandate_id=? OR (mandate_id IS NULL AND "
        "mandate_payment_method=?)) ORDER BY id DESC LIMIT 1",
        (AUTOPAY, mandate.get("id"), pm),
    )
    if row is None:
        return None
    status = str(mandate.get("status") or "")
    if row["mandate_status"] in ("revoking", "revoked") and status == "inactive":
        status = "revoked"  # we asked for it (the plan was cancelled here)
    details = (mandate.get("payment_method_details") or {}).get("upi") or {}
    ctx.store.execute(
        "UPDATE subscriptions SET mandate_id=?, mandate_status=?, "
        "mandate_amount=COALESCE(?, mandate_amount), "
        "mandate_amount_type=COALESCE(?, mandate_amount_type), "
        "mandate_end=COALESCE(?, mandate_end), updated_at=? WHERE id=?",
        (
            mandate.get("id"),
            status,
            details.get("amount"),
            details.get("amount_type"),
            from_unix(details.get("end_date")),
            ctx.now_iso(),
            row["id"],
        ),
    )
    return int(row["id"])


def mirror_invoice(ctx: Context, inv: dict[str, Any]) -> None:
    mandate = (inv.get("payment_settings") or {}).get("default_mandate")
    if mandate and subscription_of_invoice(inv):
        # the mandate that debits an AutoPay subscription's invoices: its id, known here
        ctx.store.execute(
            "UPDATE subscriptions SET mandate_id=? WHERE stripe_subscription_id=? "
            "AND method=? AND mandate_id IS NULL",
            (mandate, subscription_of_invoice(inv), AUTOPAY),
        )
    ctx.store.execute(
        "INSERT INTO stripe_invoices (invoice_id, stripe_customer_id, stripe_subscription_id, "
        "number, total, currency, status, hosted_invoice_url, invoice_pdf, created, updated_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(invoice_id) DO UPDATE SET "
        "number=excluded.number, total=excluded.total, status=excluded.status, "
        "hosted_invoice_url=excluded.hosted_invoice_url, invoice_pdf=excluded.invoice_pdf, "
        "updated_at=excluded.updated_at",
        (
            inv["id"],
            _id(inv.get("customer")),
            subscription_of_invoice(inv),
            inv.get("number"),
            int(inv.get("total") or 0),
            (inv.get("currency") or "").upper(),
            inv.get("status"),
            inv.get("hosted_invoice_url"),
            inv.get("invoice_pdf"),
            from_unix(inv.get("created")) or ctx.now_iso(),
            ctx.now_iso(),
        ),
    )


def subscription_of_invoice(inv: dict[str, Any]) -> str | None:
    """In this API version the subscription sits under ``parent.subscription_details``."""
    parent = inv.get("parent") or {}
    details = parent.get("subscription_details") or {}
    return _id(details.get("subscription")) or _id(inv.get("subscription"))


def mirror_payment_method(ctx: Context, pm: dict[str, Any], *, attached: bool) -> None:
    if pm.get("type") not in (None, "card"):
        return  # a UPI AutoPay method is the mandate's (on its subscription), not a card
    if not attached or not pm.get("customer"):
        ctx.store.execute(
            "DELETE FROM stripe_payment_methods WHERE payment_method_id=?", (pm["id"],)
        )
        return
    card = pm.get("card") or {}
    ctx.store.execute(
        "INSERT INTO stripe_payment_methods (payment_method_id, stripe_customer_id, brand, "
        "last4, exp_month, exp_year, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT(payment_method_id) DO UPDATE SET "
        "stripe_customer_id=excluded.stripe_customer_id, "
        "updated_at=excluded.updated_at",
        (
            pm["id"],
            _id(pm.get("customer")),
            card.get("brand"),
            card.get("last4"),
            card.get("exp_month"),
            card.get("exp_year"),
            ctx.now_iso(),
        ),
    )


def payment_intent_of_invoice(inv: dict[str, Any]) -> str | None:
    """The PaymentIntent that paid an invoice (``invoice.payments`` in this API version)."""
    for entry in ((inv.get("payments") or {}).get("data")) or []:
        payment = entry.get("payment") or {}
        if payment.get("type") == "payment_intent" and payment.get("payment_intent"):
            return _id(payment["payment_intent"])
    return None
