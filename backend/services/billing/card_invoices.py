"""Money Stripe collects by itself — renewals, upgrade prorations — as local payments.

A card subscription's invoices become ``card_on_file`` payments; a UPI AutoPay
subscription's become ``upi_autopay`` payments (the mandate's terms kept in the evidence,
for the receipt), and a failed AutoPay renewal also opens a dunning notice
(:mod:`backend.services.autopay.dunning`).

A counter checkout records its own payment (:mod:`backend.services.cards.card_checkout`).
Every other paid invoice of a card subscription becomes one ``payments`` row here
(method ``card_on_file``, a receipt number, a payment event, an audit entry), so the
dashboard's revenue, receipts and GST invoices see it. ``payments.stripe_invoice_id`` is
unique for money taken, so ``invoice.paid`` and ``invoice.payment_succeeded`` (by webhook
and by polling) record an invoice once. Each ``invoice.payment_failed`` event is one
``failed`` row (an attempt; no receipt). Call inside the event's transaction.

Paid twice: an overdue AutoPay renewal paid at the till by a one-time UPI QR holds its
Stripe invoice (:func:`backend.services.autopay.dunning.settle_with_upi`); if Stripe's own
retry collected that invoice too, the invoice is handed to Stripe's charge, recorded here
as its own ``upi_autopay`` payment with a receipt (:func:`record_paid`): it is money taken
(revenue until refunded), Stripe's books say that charge paid the invoice, and staff
refund it from the till. The UPI QR payment keeps its money, its receipt and, in its
evidence and the notice, the overdue invoice it paid for.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from backend.context import Context
from backend.domain.payment_machine import Event
from backend.services.billing.numbering import next_number
from backend.services.cards.stripe_mirror import (
    from_unix,
    local_customer_id,
    payment_intent_of_invoice,
    subscription_of_invoice,
)
from backend.services.payments import payment_events
from backend.services.trials import trials

METHOD = "card_on_file"
AUTOPAY_METHOD = "upi_autopay"
CHECKOUT_METHOD = "stripe_checkout"
#: payments that start a Stripe subscription at the counter (a card or AutoPay sale)
SALE_METHODS = (CHECKOUT_METHOD, AUTOPAY_METHOD)
#: Stripe's billing_reason -> the payment's purpose
PURPOSES = {
    "subscription_create": "new",
    "subscription_cycle": "renewal",
    "subscription_update": "upgrade",
}


def recorded(ctx: Context, invoice_id: str) -> bool:
    """A payment already holds the money of this invoice (a checkout or a recorded one)."""
    return (
        ctx.store.scalar(
            "SELECT 1 FROM payments WHERE stripe_invoice_id=? AND status <> 'failed'",
            (invoice_id,),
        )
        is not None
    )


def _checkout_payment(ctx: Context, inv: dict[str, Any]) -> str | None:
    """The counter checkout this invoice belongs to: the first invoice of a subscription
    started by a Checkout Session is that checkout's payment, recorded when it completes."""
    if inv.get("billing_reason") != "subscription_create":
        return None
    details = (inv.get("parent") or {}).get("subscription_details") or {}
    ref = (details.get("metadata") or {}).get("autoos_payment_id")
    if ref and ctx.store.scalar(
        "SELECT 1 FROM payments WHERE id=? AND method IN (?, ?)", (ref, *SALE_METHODS)
    ):
        return str(ref)
    found = ctx.store.scalar(
        "SELECT p.id FROM payments p JOIN subscriptions s ON s.id = p.subscription_id "
        "WHERE s.stripe_subscription_id=? AND p.method IN (?, ?) AND p.stripe_session_id "
        "IS NOT NULL",
        (subscription_of_invoice(inv), *SALE_METHODS),
    )
    return str(found) if found else None


def wanted(ctx: Context, inv: dict[str, Any], *, paid: bool) -> bool:
    """Whether this invoice's money (paid or failed) is for this module to record."""
    amount = inv.get("amount_paid") if paid else inv.get("amount_due")
    if int(amount or 0) <= 0 or local_customer_id(ctx, inv.get("customer")) is None:
        return False
    if paid and recorded(ctx, inv["id"]):
        return False
    return _checkout_payment(ctx, inv) is None


def _plan(ctx: Context, inv: dict[str, Any]) -> dict[str, Any] | None:
    return ctx.store.one(
        "SELECT * FROM subscriptions WHERE stripe_subscription_id=?",
        (subscription_of_invoice(inv),),
    )


def _insert(
    ctx: Context,
    inv: dict[str, Any],
    *,
    status: str,
    amount: int,
    actor: str,
    extra_evidence: dict[str, Any] | None = None,
) -> str | None:
    customer_id = local_customer_id(ctx, inv.get("customer"))
    if customer_id is None:
        return None
    plan = _plan(ctx, inv) or {"id": None, "tier": None, "interval": None, "method": None}
    autopay = plan["method"] == AUTOPAY_METHOD
    method = AUTOPAY_METHOD if autopay else METHOD
    succeeded = status == "succeeded"
    payment_id = f"pay_{uuid.uuid4().hex[:20]}"
    now = ctx.now_iso()
    paid_at = None
    if succeeded:
        paid_at = (
            from_unix((inv.get("status_transitions") or {}).get("paid_at"))
            or from_unix(inv.get("created"))
            or now
        )
    receipt = next_number(ctx) if succeeded else None
    evidence = {
        "source": "stripe_invoice",
        "invoice_number": inv.get("number"),
        "billing_reason": inv.get("billing_reason"),
        "hosted_invoice_url": inv.get("hosted_invoice_url"),
        **(extra_evidence or {}),
    }
    if autopay:
        from backend.services.autopay import mandates

        evidence["mandate"] = mandates.terms_of(ctx, plan)
        evidence["mandate_id"] = plan["mandate_id"]
    currency = (inv.get("currency") or "").upper()
    payment_events.create(
        ctx,
        {
            "id": payment_id,
            "customer_id": customer_id,
            "method": method,
            "amount": amount,
            "currency": currency,
            "tier": plan["tier"],
            "interval": plan["interval"],
            "purpose": PURPOSES.get(inv.get("billing_reason") or "", "renewal"),
            "subscription_id": plan["id"],
            "created_at": now,
            "paid_at": paid_at,
            "updated_at": now,
            "confirmed_by": "stripe" if succeeded else None,
            "psp": "stripe" if autopay else None,
            "evidence": json.dumps(evidence, sort_keys=True),
            "receipt_no": receipt,
            "stripe_invoice_id": inv["id"],
            "stripe_payment_intent_id": payment_intent_of_invoice(inv),
            "created_by": actor,
        },
        actor,
        event=Event.COLLECTED if succeeded else Event.NOT_COLLECTED,
        method=method,
        invoice_id=inv["id"],
        billing_reason=inv.get("billing_reason"),
        amount=amount,
        currency=currency,
        receipt_no=receipt,
    )
    if succeeded:
        trials.mark_converted(ctx, customer_id, actor=actor)
    if autopay:
        from backend.services.autopay import dunning

        if succeeded:  # Stripe collected it after all (a retry): nothing is overdue
            dunning.collected(ctx, "stripe", inv["id"], payment_id, actor=actor)
        else:
            dunning.renewal_failed(
                ctx,
                plan,
                provider="stripe",
                invoice_ref=inv["id"],
                amount=amount,
                currency=currency,
                failed_payment_id=payment_id,
                failed_at=from_unix(inv.get("created")) or now,
                hosted_url=inv.get("hosted_invoice_url"),
                actor=actor,
            )
    return payment_id


def record_paid(ctx: Context, inv: dict[str, Any], *, actor: str) -> str | None:
    """One succeeded payment with a receipt for a paid invoice not recorded yet (or
    Stripe's charge for one a UPI QR payment here already paid: :func:`collected_twice`);
    its id."""
    till = _held_by_till(ctx, inv)  # decided again inside the event's transaction
    if till is not None:
        return _record_second_charge(ctx, inv, till, actor=actor)
    if not wanted(ctx, inv, paid=True):
        return None
    return _insert(ctx, inv, status="succeeded", amount=int(inv["amount_paid"]), actor=actor)


def _held_by_till(ctx: Context, inv: dict[str, Any]) -> dict[str, Any] | None:
    """The UPI QR payment that holds this paid invoice (its overdue period was paid at the
    till), if one still does."""
    if int(inv.get("amount_paid") or 0) <= 0:
        return None
    return ctx.store.one(
        "SELECT id, customer_id FROM payments WHERE stripe_invoice_id=? AND status <> 'failed' "
        "AND method='upi_qr'",
        (inv["id"],),
    )


def collected_twice(ctx: Context, inv: dict[str, Any]) -> bool:
    """Stripe says it was paid, and a UPI QR payment here holds it: Stripe may have
    collected an invoice the customer had already paid at the till (an out-of-band payment,
    the till's own, says paid too: the invoice fetched with its payments tells which)."""
    return _held_by_till(ctx, inv) is not None


def _record_second_charge(
    ctx: Context, inv: dict[str, Any], till: dict[str, Any], *, actor: str
) -> str | None:
    """Stripe collected an invoice a UPI QR payment here had already paid: the customer
    paid twice. Stripe's charge becomes its own ``upi_autopay`` payment, with its
    PaymentIntent (so it can be refunded) and a receipt, and takes the invoice over from the
    UPI payment — one payment holds an invoice, and it is the one Stripe's books name.
    Nothing when the invoice has no PaymentIntent (paid out of band: the till's own payment).
    Once only: after the first, the UPI payment no longer holds the invoice."""
    intent = payment_intent_of_invoice(inv)
    if intent is None or local_customer_id(ctx, inv.get("customer")) is None:
        return None
    handed = ctx.store.execute(
        "UPDATE payments SET stripe_invoice_id=NULL, updated_at=? WHERE id=? "
        "AND stripe_invoice_id=?",
        (ctx.now_iso(), till["id"], inv["id"]),
    ).rowcount
    if handed != 1:
        return None
    payment_id = _insert(
        ctx,
        inv,
        status="succeeded",
        amount=int(inv["amount_paid"]),
        actor=actor,
        extra_evidence={"paid_twice_with": till["id"]},
    )
    if payment_id is None:
        return None
    payment_events.note(
        ctx,
        till["id"],
        "paid_twice",
        actor,
        invoice_id=inv["id"],
        stripe_payment_id=payment_id,
        amount=int(inv["amount_paid"]),
    )
    from backend.services.autopay import dunning

    dunning.charged_twice(ctx, inv["id"], till["id"], payment_id, actor=actor)
    return payment_id


def record_failed(ctx: Context, inv: dict[str, Any], *, actor: str) -> str | None:
    """One failed payment (an attempt, no receipt) for an invoice Stripe could not charge."""
    if not wanted(ctx, inv, paid=False):
        return None
    return _insert(ctx, inv, status="failed", amount=int(inv["amount_due"]), actor=actor)
