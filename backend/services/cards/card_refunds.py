"""Refunds of card payments, full or partial, sent through the outbox.

A refund is a local row first (``pending``) so two clicks, a retry or a crash cannot
refund twice: the amount still refundable counts pending refunds, and the Stripe request
carries the row's idempotency key. ``payments.refunded_amount`` grows when Stripe
confirms; the payment becomes ``refunded`` when all of it is back.
"""

from __future__ import annotations

from typing import Any

from backend.adapters.stripe_gateway import require_card
from backend.context import Context
from backend.domain.money import Money, format_money
from backend.domain.payment_machine import Event
from backend.domain.payments import taken_by_stripe
from backend.errors import CheckoutError, NotFound, RejectedError, StateError, ValidationError
from backend.services.payments import payment_events
from backend.store import audit
from backend.sync import outbox


def _build(ctx: Context, payload: dict[str, Any]) -> dict[str, Any]:
    refund = ctx.store.one("SELECT * FROM refunds WHERE id=?", (payload["refund_id"],))
    if refund is None:
        raise NotFound(f"There is no refund number {payload['refund_id']}.")
    payment = ctx.store.one("SELECT * FROM payments WHERE id=?", (refund["payment_id"],))
    if not payment or not payment["stripe_payment_intent_id"]:
        raise RejectedError("This payment has no card charge in Stripe to refund.")
    return {
        "op": "refunds.create",
        "args": [],
        "params": {
            "payment_intent": payment["stripe_payment_intent_id"],
            "amount": refund["amount"],
            "metadata": {"autoos_refund_id": str(refund["id"]), "autoos_payment_id": payment["id"]},
        },
    }


def _apply(ctx: Context, payload: dict[str, Any], result: dict[str, Any]) -> None:
    refund = ctx.store.one("SELECT * FROM refunds WHERE id=?", (payload["refund_id"],))
    if refund is None or refund["status"] == "succeeded":
        return
    ctx.store.execute(
        "UPDATE refunds SET status='succeeded', stripe_refund_id=?, updated_at=? WHERE id=?",
        (result["id"], ctx.now_iso(), refund["id"]),
    )
    payment = ctx.store.one(
        "SELECT amount, refunded_amount FROM payments WHERE id=?", (refund["payment_id"],)
    )
    if payment is None:
        raise NotFound(f"There is no payment {refund['payment_id']}.")
    refunded = payment["refunded_amount"] + refund["amount"]
    payment_events.transition(
        ctx,
        refund["payment_id"],
        Event.REFUNDED if refunded >= payment["amount"] else Event.PARTLY_REFUNDED,
        outbox.SYNC_ACTOR,
        columns={"refunded_amount": refunded},
        refund_id=refund["id"],
        amount=refund["amount"],
        currency=refund["currency"],
    )


def _rejected(ctx: Context, payload: dict[str, Any], err: CheckoutError) -> None:
    ctx.store.execute(
        "UPDATE refunds SET status='failed', reason=?, updated_at=? WHERE id=?",
        (err.message, ctx.now_iso(), payload["refund_id"]),
    )
    refund = ctx.store.one("SELECT * FROM refunds WHERE id=?", (payload["refund_id"],))
    if refund is not None:
        _refund_event(ctx, refund, "refund_failed", outbox.SYNC_ACTOR, error=err.message)


def _refund_event(
    ctx: Context, refund: dict[str, Any], kind: str, actor: str, **extra: Any
) -> None:
    payment_events.note(
        ctx,
        refund["payment_id"],
        kind,
        actor,
        refund_id=refund["id"],
        amount=refund["amount"],
        currency=refund["currency"],
        **extra,
    )


outbox.operation("refund.create", outbox.Operation(_build, _apply, _rejected))


def refundable(ctx: Context, payment_id: str) -> Money:
    """What is left to refund: paid, minus refunded, minus refunds still being sent."""
    payment = ctx.store.one("SELECT * FROM payments WHERE id=?", (payment_id,))
    if payment is None:
        raise NotFound(f"There is no payment {payment_id}.")
    waiting = ctx.store.scalar(
        "SELECT COALESCE(SUM(amount), 0) FROM refunds WHERE payment_id=? AND status='pending'",
        (payment_id,),
    )
    return Money(payment["amount"] - payment["refunded_amount"] - int(waiting), payment["currency"])


def refund(
    ctx: Context,
    payment_id: str,
    *,
    amount: Money | None = None,
    reason: str | None = None,
    actor: str,
) -> dict[str, Any]:
    """Refund all (``amount=None``) or part of a card payment; queued, sent when online."""
    require_card(ctx)
    with ctx.store.transaction():
        payment = ctx.store.one("SELECT * FROM payments WHERE id=?", (payment_id,))
        if payment is None:
            raise NotFound(f"There is no payment {payment_id}.")
        if not taken_by_stripe(payment):
            raise StateError(
                "Only money Stripe took (a card, or UPI AutoPay through Stripe) is refunded "
                "here; a UPI QR payment is refunded from the bank or the PSP."
            )
        if payment["status"] not in ("succeeded", "late"):
            raise StateError(f"A {payment['status']} payment cannot be refunded.")
        left = refundable(ctx, payment_id)
        money = amount or left
        if money.currency != left.currency:
            raise ValidationError(f"This payment was in {left.currency}.", field="amount")
        if money.amount <= 0:
            raise ValidationError("Enter an amount above zero.", field="amount")
        if money.amount > left.amount:
            raise ValidationError(
                f"At most {format_money(left)} of this payment can still be refunded.",
                field="amount",
            )
        now = ctx.now_iso()
        new_id = ctx.store.insert(
            "INSERT INTO refunds (payment_id, amount, currency, status, reason, created_at, "
            "updated_at, actor) VALUES (?, ?, ?, 'pending', ?, ?, ?, ?) RETURNING id",
            (payment_id, money.amount, money.currency, reason, now, now, actor),
        )
        refund_id = new_id
        _refund_event(ctx, get_refund(ctx, refund_id), "refund_requested", actor)
        row_id = outbox.enqueue(
            ctx, "refund.create", "refund", refund_id, {"refund_id": refund_id}, actor=actor
        )
        audit.record(
            ctx,
            actor,
            "refund.create",
            "payment",
            payment_id,
            amount=money.amount,
            currency=money.currency,
        )
    outbox.send_now(ctx, row_id)
    return get_refund(ctx, refund_id)


def get_refund(ctx: Context, refund_id: int) -> dict[str, Any]:
    row = ctx.store.one("SELECT * FROM refunds WHERE id=?", (refund_id,))
    if row is None:
        raise NotFound(f"There is no refund number {refund_id}.")
    row["amount_text"] = format_money(Money(row["amount"], row["currency"]))
    return row
