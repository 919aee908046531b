"""UPI AutoPay through Stripe.

A sale is a Checkout Session in ``subscription`` mode that accepts UPI only
(``allowed_payment_method_types=["upi"]``: API 2026-10-28 has no ``payment_method_types``
parameter on session creation) with ``payment_method_options.upi.mandate_options`` —
the mandate's ``amount``, ``amount_type``, ``description`` and ``end_date``. The session's
``url`` is what the customer scans; they approve the mandate in their UPI app, Stripe
takes the first period and creates the subscription, which then renews by itself. The
session's whole lifecycle (sent through the outbox, expired, withdrawn, completed, paid
late) is a card checkout's (:mod:`backend.services.cards.card_checkout`).

Renewals, upgrade prorations and failed debits arrive as Stripe's invoice events and are
recorded by :mod:`backend.services.billing.card_invoices` as ``upi_autopay`` payments.
``mandate.updated`` (the customer revoked or paused the mandate in their UPI app: status
``inactive``) and ``customer.subscription.updated`` (``past_due``) are mirrored by
:mod:`backend.services.cards.stripe_mirror`.

Writes that are ours, all through the outbox with their idempotency keys:
``payment_methods.detach`` revokes the mandate once the plan is cancelled (Stripe's
Mandates API only reads; a detached payment method can never be debited again);
``invoices.pay`` with ``paid_out_of_band=true`` tells Stripe an overdue invoice was paid
by a one-time UPI QR here (refused when Stripe collected it meanwhile: the customer paid
twice, Stripe's charge is recorded as its own payment to refund, and the refused request
is closed once it is); ``invoices.void_invoice`` drops an overdue invoice when the
customer set up a new mandate instead.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from backend.adapters.stripe_gateway import require_card
from backend.clock import parse_iso
from backend.context import Context
from backend.domain import autopay
from backend.domain.payment_machine import Event
from backend.errors import CheckoutError, RejectedError
from backend.services.autopay import mandates
from backend.services.billing import card_subscriptions
from backend.services.cards import card_checkout
from backend.services.cards.stripe_mirror import mirror_invoice, mirror_mandate
from backend.services.payments import payment_events
from backend.store import audit
from backend.sync import outbox

METHOD = autopay.METHOD
PROVIDER = "stripe"
PAY_OUT_OF_BAND = "autopay.invoice_paid_out_of_band"


# -- the sale ----------------------------------------------------------------------------
def session_params(ctx: Context, row: dict[str, Any], params: dict[str, Any]) -> None:
    """What makes a Checkout Session an AutoPay sign-up: UPI only, with the mandate."""
    terms = json.loads(row["evidence"] or "{}").get("mandate") or {}
    params["allowed_payment_method_types"] = ["upi"]
    params["payment_method_options"] = {
        "upi": {
            "mandate_options": {
                "amount": int(terms["amount"]),
                "amount_type": terms["amount_type"],
                "description": terms["description"],
                "end_date": int(parse_iso(terms["end_date"]).timestamp()),
            }
        }
    }
    params["metadata"] = {**params["metadata"], "autoos_method": METHOD}
    sub_meta = params["subscription_data"]["metadata"]
    params["subscription_data"]["metadata"] = {**sub_meta, "autoos_method": METHOD}


def start(
    ctx: Context,
    *,
    customer_id: int,
    tier: str,
    interval: str,
    actor: str,
    terminal: str | None,
    replaces: int | None = None,
    notice_id: int | None = None,
) -> dict[str, Any]:
    """A Checkout Session for the plan's mandate; its ``url`` is the customer's QR."""
    require_card(ctx)
    plan = ctx.catalog.get(tier)
    money = autopay.check_sellable(plan, "INR", interval)
    terms = mandates.new_terms(ctx, plan.id, interval, ctx.clock.now())
    evidence: dict[str, Any] = {"provider": PROVIDER, "mandate": terms.to_json()}
    if replaces is not None:
        evidence.update(replaces_subscription=replaces, dunning_notice=notice_id)
    payment = card_checkout.start_session(
        ctx,
        customer_id=customer_id,
        tier=plan.id,
        interval=interval,
        money=money,
        actor=actor,
        terminal=terminal,
        method=METHOD,
        evidence=evidence,
        before=_withdraw_pending(customer_id, actor),
    )
    return payment


def _withdraw_pending(customer_id: int, actor: str) -> Callable[[Context, str], None]:
    """One AutoPay sign-up waits per customer: a new one withdraws the one before (its
    page is expired at Stripe), as a new UPI request replaces its checkout's old one."""

    def withdraw(ctx: Context, payment_id: str) -> None:
        rows = ctx.store.query(
            "SELECT id, stripe_session_id FROM payments WHERE customer_id=? AND method=? "
            "AND status='pending' AND (psp IS NULL OR psp=?)",
            (customer_id, METHOD, PROVIDER),
        )
        for row in rows:
            payment_events.transition(
                ctx, row["id"], Event.CANCELED, actor, reason=f"replaced by {payment_id}"
            )
            if row["stripe_session_id"]:
                outbox.enqueue(
                    ctx,
                    "checkout.expire",
                    "payment",
                    row["id"],
                    {"payment_id": row["id"], "session_id": row["stripe_session_id"]},
                    actor=actor,
                )

    return withdraw


def sale_completed(ctx: Context, row: dict[str, Any], sub_id: int, *, actor: str) -> None:
    """The customer approved the mandate and Stripe took the first period (inside the
    session's transaction): the subscription gets the terms they saw and an active
    mandate (its id came with the first invoice, mirrored just before); a sale that
    replaces a lapsed plan (a new mandate) ends that plan."""
    evidence = json.loads(row["evidence"] or "{}")
    terms = evidence.get("mandate") or {}
    ctx.store.execute(
        "UPDATE subscriptions SET autopay_provider=?, "
        "mandate_status=COALESCE(mandate_status, 'active'), "
        "mandate_amount=COALESCE(mandate_amount, ?), "
        "mandate_amount_type=COALESCE(mandate_amount_type, ?), "
        "mandate_end=COALESCE(mandate_end, ?) WHERE id=?",
        (
            PROVIDER,
            terms.get("amount"),
            terms.get("amount_type"),
            terms.get("end_date"),
            sub_id,
        ),
    )
    audit.record(
        ctx, actor, "autopay.mandate_approved", "subscription", sub_id, payment_id=row["id"]
    )
    old = evidence.get("replaces_subscription")
    if old and int(old) != sub_id:
        from backend.services.autopay import dunning

        dunning.replaced_by_new_mandate(
            ctx, int(old), evidence.get("dunning_notice"), row["id"], actor=actor
        )


# -- ending a plan -----------------------------------------------------------------------
def cancel(ctx: Context, sub: dict[str, Any], *, at_period_end: bool, actor: str) -> dict[str, Any]:
    """Cancel as a card plan is cancelled; the mandate is revoked once Stripe says the
    subscription has ended (:func:`subscription_ended`)."""
    return card_subscriptions.cancel(ctx, sub["id"], at_period_end=at_period_end, actor=actor)


def cancel_now(ctx: Context, sub_id: int, *, actor: str) -> None:
    """Queue the end of a Stripe AutoPay subscription now (inside a transaction)."""
    outbox.enqueue(
        ctx,
        "subscription.cancel",
        "subscription",
        sub_id,
        {"subscription_id": sub_id, "at_period_end": False},
        actor=actor,
    )


def subscription_ended(ctx: Context, sub_id: int) -> None:
    """Stripe says the AutoPay subscription is cancelled (inside the mirror's
    transaction): revoke its mandate once, and close what was waiting on it."""
    row = ctx.store.one("SELECT * FROM subscriptions WHERE id=?", (sub_id,))
    if row is None:
        return
    from backend.services.autopay import dunning

    dunning.subscription_canceled(ctx, sub_id, actor=outbox.SYNC_ACTOR)
    if row["mandate_status"] in ("revoking", "revoked") or not row["mandate_payment_method"]:
        return
    ctx.store.execute("UPDATE subscriptions SET mandate_status='revoking' WHERE id=?", (sub_id,))
    outbox.enqueue(
        ctx,
        "autopay.revoke",
        "subscription",
        sub_id,
        {"subscription_id": sub_id, "payment_method": row["mandate_payment_method"]},
        actor=outbox.SYNC_ACTOR,
    )


def _build_revoke(ctx: Context, payload: dict[str, Any]) -> dict[str, Any]:
    return {"op": "payment_methods.detach", "args": [payload["payment_method"]], "params": {}}


def _apply_revoke(ctx: Context, payload: dict[str, Any], result: dict[str, Any]) -> None:
    ctx.store.execute(
        "UPDATE subscriptions SET mandate_status='revoked', updated_at=? WHERE id=?",
        (ctx.now_iso(), payload["subscription_id"]),
    )
    audit.record(
        ctx,
        outbox.SYNC_ACTOR,
        "autopay.mandate_revoked",
        "subscription",
        payload["subscription_id"],
        payment_method=payload["payment_method"],
    )


def _revoke_refused(ctx: Context, payload: dict[str, Any], err: CheckoutError) -> None:
    """Already detached (by the customer's bank, or an earlier request): nothing is left
    to debit, which is what revoking is for."""
    _apply_revoke(ctx, payload, {})


# -- an overdue invoice ------------------------------------------------------------------
def pay_out_of_band(ctx: Context, notice: dict[str, Any], *, actor: str) -> None:
    """Tell Stripe the overdue invoice was paid here (inside the payment's transaction)."""
    outbox.enqueue(
        ctx,
        PAY_OUT_OF_BAND,
        "subscription",
        notice["subscription_id"],
        {
            "subscription_id": notice["subscription_id"],
            "invoice_id": notice["invoice_ref"],
            "notice_id": notice["id"],
        },
        actor=actor,
    )


def _build_pay(ctx: Context, payload: dict[str, Any]) -> dict[str, Any]:
    return {
        "op": "invoices.pay",
        "args": [payload["invoice_id"]],
        "params": {"paid_out_of_band": True},
    }


def _apply_pay(ctx: Context, payload: dict[str, Any], result: dict[str, Any]) -> None:
    mirror_invoice(ctx, result)
    ctx.store.execute(
        "UPDATE dunning_notices SET out_of_band='done', out_of_band_error=NULL WHERE id=?",
        (payload["notice_id"],),
    )


def _pay_refused(ctx: Context, payload: dict[str, Any], err: CheckoutError) -> None:
    """Stripe would not mark it paid — usually because it collected the invoice itself
    meanwhile: the customer paid twice. Stripe's charge is recorded as its own payment when
    Stripe reports the invoice paid (:func:`backend.services.billing.card_invoices.
    record_paid`); once it is, this request is closed, not left failed (staff refund that
    charge from the list of payments needing attention)."""
    ctx.store.execute(
        "UPDATE dunning_notices SET out_of_band='refused', out_of_band_error=? WHERE id=?",
        (err.message, payload["notice_id"]),
    )
    audit.record(
        ctx,
        outbox.SYNC_ACTOR,
        "autopay.out_of_band_refused",
        "subscription",
        payload["subscription_id"],
        invoice_id=payload["invoice_id"],
        error=err.message,
    )
    from backend.services.autopay import dunning

    charge = dunning.stripe_charge(ctx, payload["invoice_id"])
    if charge is not None:  # Stripe's charge came first (e.g. by webhook)
        notice = {"id": payload["notice_id"], "subscription_id": payload["subscription_id"]}
        close_refused(ctx, notice, charge["id"])


def close_refused(ctx: Context, notice: dict[str, Any], stripe_payment_id: str) -> None:
    """The refused "paid out of band" of this notice is settled, not a failure for staff:
    Stripe collected the invoice itself and its charge is recorded here as
    ``stripe_payment_id``, to refund (inside the transaction that learnt it). The request
    is closed (``dropped``), so the sync state no longer counts it as failed."""
    reason = (
        "Not needed: Stripe collected this invoice itself; its charge is recorded as "
        f"payment {stripe_payment_id}, to refund from Payments needing attention."
    )
    for row in ctx.store.query(
        "SELECT id, payload FROM stripe_outbox WHERE kind=? AND entity='subscription' "
        "AND entity_id=? AND status='failed'",
        (PAY_OUT_OF_BAND, str(notice["subscription_id"])),
    ):
        if json.loads(row["payload"]).get("notice_id") != notice["id"]:
            continue
        ctx.store.execute(
            "UPDATE stripe_outbox SET status='dropped', last_error=?, updated_at=? "
            "WHERE id=? AND status='failed'",
            (reason, ctx.now_iso(), row["id"]),
        )
        audit.record(
            ctx,
            outbox.SYNC_ACTOR,
            "stripe.settled",
            "stripe_outbox",
            row["id"],
            kind=PAY_OUT_OF_BAND,
            payment_id=stripe_payment_id,
        )


def collect_refused(ctx: Context) -> int:
    """Overdue invoices paid at the till whose "paid out of band" Stripe refused, with no
    charge of Stripe's recorded for them: each is read from Stripe (outside any
    transaction) and, if Stripe collected it, its charge is recorded
    (:func:`backend.services.billing.card_invoices.record_paid`, once). This catches up
    what the events did not bring: a till that had read them before such charges were
    recorded. Invoices the mirror knows are open (their event is still to come), void or
    uncollectible are not asked about. How many charges were recorded."""
    from backend.adapters.stripe_gateway import gateway
    from backend.services.billing import card_invoices

    rows = ctx.store.query(
        "SELECT n.invoice_ref FROM dunning_notices n JOIN payments p "
        "ON p.stripe_invoice_id = n.invoice_ref AND p.method='upi_qr' AND p.status <> 'failed' "
        "LEFT JOIN stripe_invoices si ON si.invoice_id = n.invoice_ref "
        "WHERE n.provider=? AND n.out_of_band='refused' "
        "AND (si.status IS NULL OR si.status='paid') ORDER BY n.id",
        (PROVIDER,),
    )
    recorded = 0
    for row in rows:
        inv = gateway(ctx).call("invoices.retrieve", [row["invoice_ref"]], {"expand": ["payments"]})
        with ctx.store.transaction():
            mirror_invoice(ctx, inv)
            paid = inv.get("status") == "paid"
            if paid and card_invoices.record_paid(ctx, inv, actor=outbox.SYNC_ACTOR):
                recorded += 1
    return recorded


def void_invoice(ctx: Context, sub_id: int, invoice_id: str, *, actor: str) -> None:
    """Drop an overdue invoice the customer will not pay (a new mandate replaced it)."""
    outbox.enqueue(
        ctx,
        "autopay.invoice_void",
        "subscription",
        sub_id,
        {"subscription_id": sub_id, "invoice_id": invoice_id},
        actor=actor,
    )


def _build_void(ctx: Context, payload: dict[str, Any]) -> dict[str, Any]:
    return {"op": "invoices.void_invoice", "args": [payload["invoice_id"]], "params": {}}


def _apply_void(ctx: Context, payload: dict[str, Any], result: dict[str, Any]) -> None:
    mirror_invoice(ctx, result)


def _void_refused(ctx: Context, payload: dict[str, Any], err: CheckoutError) -> None:
    """Paid or voided already: nothing is owed on it any more."""


outbox.operation("autopay.revoke", outbox.Operation(_build_revoke, _apply_revoke, _revoke_refused))
outbox.operation(PAY_OUT_OF_BAND, outbox.Operation(_build_pay, _apply_pay, _pay_refused))
outbox.operation("autopay.invoice_void", outbox.Operation(_build_void, _apply_void, _void_refused))


# -- plan changes ------------------------------------------------------------------------
def _check_change(ctx: Context, sub: dict[str, Any], tier: str, interval: str) -> None:
    target = ctx.catalog.get(tier)
    new_price = autopay.check_sellable(target, "INR", interval)
    autopay.check_change(
        mandates.terms_on(ctx, sub), new_price=new_price, interval=interval, now=ctx.clock.now()
    )


def preview_upgrade(ctx: Context, sub: dict[str, Any], tier: str, interval: str) -> dict[str, Any]:
    """What upgrading costs now (Stripe's proration), once it fits in the mandate."""
    _check_change(ctx, sub, tier, interval)
    preview = card_subscriptions.preview_upgrade(ctx, sub["id"], tier=tier, interval=interval)
    return {**preview, "mandate": mandates.terms_of(ctx, sub)}


def upgrade(
    ctx: Context,
    sub: dict[str, Any],
    tier: str,
    interval: str,
    *,
    proration_date: int | None,
    actor: str,
) -> dict[str, Any]:
    """Upgrade now: Stripe debits the proration through the mandate."""
    _check_change(ctx, sub, tier, interval)
    return card_subscriptions.upgrade(
        ctx, sub["id"], tier=tier, interval=interval, proration_date=proration_date, actor=actor
    )


def downgrade(
    ctx: Context, sub: dict[str, Any], tier: str, interval: str, *, actor: str
) -> dict[str, Any]:
    """Move to a smaller plan at the period end (a cheaper plan fits the mandate; a
    change of interval does not)."""
    _check_change(ctx, sub, tier, interval)
    return card_subscriptions.downgrade(ctx, sub["id"], tier=tier, interval=interval, actor=actor)


# -- events ------------------------------------------------------------------------------
def mandate_event(ctx: Context, obj: dict[str, Any]) -> Callable[[Context], None]:
    """``mandate.updated``: the mandate as Stripe holds it now (a notification, fetched
    again, so a stale snapshot never rolls it back) onto its subscription."""
    from backend.adapters.stripe_gateway import gateway

    try:
        current = gateway(ctx).call("mandates.retrieve", [obj["id"]])
    except RejectedError as err:
        if getattr(err, "stripe_code", None) != "resource_missing":
            raise
        current = obj

    def write(ctx: Context) -> None:
        sub_id = mirror_mandate(ctx, current)
        if sub_id is not None and current.get("status") == "inactive":
            audit.record(
                ctx,
                "stripe-events",
                "autopay.mandate_inactive",
                "subscription",
                sub_id,
                mandate_id=current.get("id"),
            )

    return write
