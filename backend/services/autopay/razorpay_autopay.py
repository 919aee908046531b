"""UPI AutoPay through Razorpay Subscriptions (``[upi] autopay_provider = "razorpay"``).

A sale is a Razorpay plan (one per price, remembered in ``psp_plans``) and a
subscription on it; the subscription's ``short_url`` is the authorisation link the
customer scans to approve the mandate in their UPI app. Razorpay then debits each period
by itself and tells us by signed webhooks (``X-Razorpay-Signature``), each applied once
(``psp_events``, in the transaction of its effect):

- ``subscription.charged`` — money: the sale's payment the first time, then one
  ``upi_autopay`` payment (``collected``, with a receipt) per renewal;
- ``subscription.pending`` — a debit failed and Razorpay retries: the plan is past due;
- ``subscription.halted`` — the retries are exhausted: past due, one failed payment and
  a dunning notice (the payments needing attention);
- ``subscription.cancelled`` / ``completed`` — the plan and its mandate end;
- ``subscription.paused`` / ``resumed`` — the customer paused the mandate in their app.

Razorpay has no idempotency keys: a request whose answer is lost may leave a
subscription nobody approves, which expires at its ``expire_by``.
"""

from __future__ import annotations

import contextlib
import json
import uuid
from datetime import timedelta
from typing import Any

from backend.adapters.psp.base import PspPayment, PspSubscription, PspSubscriptionEvent
from backend.clock import to_iso
from backend.context import Context
from backend.domain import autopay
from backend.domain.money import Money
from backend.domain.payment_machine import Event
from backend.domain.payments import is_paid
from backend.domain.periods import period_bought
from backend.errors import (
    CheckoutError,
    ExternalError,
    NotConfigured,
    NotFound,
    StateError,
    TransientError,
)
from backend.services.autopay import dunning, mandates
from backend.services.billing.numbering import next_number
from backend.services.payments import payment_events
from backend.services.trials import trials
from backend.store import audit

PROVIDER = "razorpay"
METHOD = autopay.METHOD
ACTOR = "razorpay_webhook"
OFFLINE_MESSAGE = (
    "UPI AutoPay needs the internet and Razorpay cannot be reached right now. "
    "Take a one-time UPI QR payment, or try AutoPay again in a moment."
)
#: Razorpay's subscription status → the shop's
STATUS = {
    "created": "incomplete",
    "authenticated": "active",
    "active": "active",
    "pending": "past_due",
    "halted": "past_due",
    "paused": "past_due",
    "cancelled": "canceled",
    "completed": "canceled",
    "expired": "canceled",
}


def adapter(ctx: Context) -> Any:
    """The Razorpay client AutoPay uses (built by bootstrap from the settings)."""
    found = ctx.adapters.get("autopay_psp")
    if found is None:
        raise NotConfigured(
            "UPI AutoPay through Razorpay is not set up: set [upi] autopay_provider = "
            '"razorpay" and RAZORPAY_KEY_ID with its secrets.'
        )
    return found


def problem(ctx: Context) -> str | None:
    found = ctx.adapters.get("autopay_psp")
    if found is None:
        return (
            "UPI AutoPay through Razorpay is not set up: set RAZORPAY_KEY_ID and the "
            "RAZORPAY_KEY_SECRET secret."
        )
    checker = getattr(found, "problem", None)
    return checker() if checker else None


def _plan_id(ctx: Context, tier: str, interval: str, price: Money) -> str:
    """The Razorpay plan for this price (made once; a price change makes a new one)."""
    found = ctx.store.scalar(
        "SELECT plan_id FROM psp_plans WHERE psp=? AND tier=? AND interval=? AND amount=?",
        (PROVIDER, tier, interval, price.amount),
    )
    if found:
        return str(found)
    name = ctx.catalog.name_of(tier)
    plan_id = adapter(ctx).create_plan(
        interval=interval,
        amount=price,
        name=f"AUTOOS {name} ({interval}ly)",
        description=f"AUTOOS {name} plan, billed {interval}ly by UPI AutoPay",
    )
    with ctx.store.transaction():
        ctx.store.execute(
            "INSERT INTO psp_plans (psp, tier, interval, amount, plan_id, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            (PROVIDER, tier, interval, price.amount, plan_id, ctx.now_iso()),
        )
        return str(
            ctx.store.scalar(
                "SELECT plan_id FROM psp_plans WHERE psp=? AND tier=? AND interval=? AND amount=?",
                (PROVIDER, tier, interval, price.amount),
            )
        )


def _sale(ctx: Context, payment_id: str) -> dict[str, Any]:
    row = ctx.store.one(
        "SELECT * FROM payments WHERE id=? AND method=? AND psp=?", (payment_id, METHOD, PROVIDER)
    )
    if row is None:
        raise NotFound(f"There is no Razorpay AutoPay payment {payment_id}.")
    return row


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
) -> str:
    """A Razorpay subscription waiting for the mandate (its link is the customer's QR);
    the sale's payment id."""
    reason = problem(ctx)
    if reason:
        raise NotConfigured(reason)
    plan = ctx.catalog.get(tier)
    price = autopay.check_sellable(plan, "INR", interval)
    now = ctx.clock.now()
    terms = mandates.new_terms(ctx, plan.id, interval, now)
    try:
        plan_id = _plan_id(ctx, plan.id, interval, price)
    except TransientError:
        raise TransientError(OFFLINE_MESSAGE) from None
    payment_id = f"pay_{uuid.uuid4().hex[:20]}"
    expires = now + autopay.APPROVE_WITHIN
    evidence: dict[str, Any] = {"provider": PROVIDER, "mandate": terms.to_json()}
    if replaces is not None:
        evidence.update(replaces_subscription=replaces, dunning_notice=notice_id)
    with ctx.store.transaction():
        replaced = ctx.store.query(
            "SELECT id, psp_ref FROM payments WHERE customer_id=? AND method=? AND psp=? "
            "AND status='pending'",
            (customer_id, METHOD, PROVIDER),
        )
        for old in replaced:
            payment_events.transition(
                ctx, old["id"], Event.CANCELED, actor, reason=f"replaced by {payment_id}"
            )
        payment_events.create(
            ctx,
            {
                "id": payment_id,
                "customer_id": customer_id,
                "method": METHOD,
                "amount": price.amount,
                "currency": "INR",
                "tier": plan.id,
                "interval": interval,
                "created_at": to_iso(now),
                "expires_at": to_iso(expires),
                "updated_at": to_iso(now),
                "created_by": actor,
                "terminal": terminal,
                "psp": PROVIDER,
                "evidence": json.dumps(evidence, sort_keys=True),
            },
            actor,
            method=METHOD,
            amount=price.amount,
            currency="INR",
            tier=plan.id,
            psp=PROVIDER,
            terminal=terminal,
        )
    try:
        sub = adapter(ctx).create_subscription(
            plan_id=plan_id,
            total_count=autopay.total_count(interval),
            expire_by=expires + timedelta(minutes=1),
            notes={"autoos_payment_id": payment_id, "autoos_customer_id": str(customer_id)},
        )
    except TransientError:
        _end_sale(ctx, payment_id, Event.CANCELED, OFFLINE_MESSAGE, actor)
        raise TransientError(OFFLINE_MESSAGE) from None
    except ExternalError as err:
        _end_sale(ctx, payment_id, Event.FAILED, err.message, actor)
        raise
    with ctx.store.transaction():
        evidence["url"] = sub.short_url
        ctx.store.execute(
            "UPDATE payments SET psp_ref=?, evidence=?, updated_at=? WHERE id=?",
            (sub.id, json.dumps(evidence, sort_keys=True), ctx.now_iso(), payment_id),
        )
    for old in replaced:
        if old["psp_ref"]:
            _cancel_quietly(ctx, old["psp_ref"], old["id"])
    return payment_id


def _end_sale(ctx: Context, payment_id: str, event: Event, reason: str, actor: str) -> bool:
    """End a sign-up still waiting (False: it was no longer waiting)."""
    with ctx.store.transaction():
        if _sale(ctx, payment_id)["status"] != "pending":
            return False
        payment_events.transition(ctx, payment_id, event, actor, reason=reason)
    return True


def _cancel_quietly(ctx: Context, psp_subscription_id: str, payment_id: str | None) -> None:
    try:
        adapter(ctx).cancel_subscription(psp_subscription_id)
    except ExternalError as exc:
        if payment_id:
            with ctx.store.transaction():
                payment_events.note(ctx, payment_id, "psp_cancel_failed", "system", error=str(exc))


def refresh(ctx: Context, payment_id: str, *, actor: str) -> None:
    """Ask Razorpay how the sign-up stands: an unapproved link past its time expires
    (and is cancelled there); money is applied by the webhook."""
    row = _sale(ctx, payment_id)
    if row["status"] != "pending" or not row["psp_ref"]:
        return
    from backend.clock import parse_iso

    overdue = parse_iso(row["expires_at"]) <= ctx.clock.now()
    try:
        sub = adapter(ctx).fetch_subscription(row["psp_ref"])
    except TransientError:
        if overdue:
            _end_sale(ctx, payment_id, Event.EXPIRED, "not approved in time", actor)
        return
    if sub.status in ("cancelled", "expired", "completed"):
        _end_sale(ctx, payment_id, Event.EXPIRED, f"Razorpay: {sub.status}", actor)
    elif overdue and sub.status == "created":
        _end_sale(ctx, payment_id, Event.EXPIRED, "not approved in time", actor)
        _cancel_quietly(ctx, sub.id, payment_id)


def withdraw(ctx: Context, payment_id: str, *, actor: str) -> None:
    """Withdraw a sign-up still waiting, and its subscription at Razorpay (again, for
    one already ended: a cancel there may have failed). One the customer approved
    meanwhile is refused: cancelling its subscription would end the plan they just paid
    for (the mandate with it)."""
    _end_sale(ctx, payment_id, Event.CANCELED, "cancelled by staff", actor)
    row = _sale(ctx, payment_id)
    if is_paid(row):
        raise StateError(f"This payment is already {row['status']}.")
    if row["psp_ref"]:
        _cancel_quietly(ctx, row["psp_ref"], payment_id)


def cancel(ctx: Context, sub: dict[str, Any], *, actor: str) -> dict[str, Any]:
    """Cancel now at Razorpay (which revokes the mandate), then here."""
    if sub["psp_subscription_id"]:
        adapter(ctx).cancel_subscription(sub["psp_subscription_id"])
    with ctx.store.transaction():
        _ended(ctx, int(sub["id"]), actor)
        audit.record(
            ctx, actor, "subscription.cancel", "subscription", sub["id"], at_period_end=False
        )
    row = ctx.store.one("SELECT * FROM subscriptions WHERE id=?", (sub["id"],))
    return row or sub


def _ended(ctx: Context, sub_id: int, actor: str) -> None:
    now = ctx.now_iso()
    ctx.store.execute(
        "UPDATE subscriptions SET status='canceled', canceled_at=COALESCE(canceled_at, ?), "
        "mandate_status='revoked', past_due_since=NULL, updated_at=? WHERE id=?",
        (now, now, sub_id),
    )
    dunning.subscription_canceled(ctx, sub_id, actor=actor)


# -- webhooks ----------------------------------------------------------------------------
def handle_webhook(ctx: Context, raw_body: bytes, signature: str) -> dict[str, Any] | None:
    """A ``subscription.*`` webhook, verified and applied once; None for other events."""
    found = ctx.adapters.get("autopay_psp")
    if found is None:
        return None
    event = found.parse_subscription_webhook(raw_body, signature)
    if event is None:
        return None
    applied = apply_event(ctx, event)
    replaced = _replaced_waiting(ctx)
    for old in replaced:
        _cancel_quietly(ctx, old["psp_subscription_id"], None)
        with ctx.store.transaction():
            _ended(ctx, int(old["id"]), ACTOR)
    if applied:
        # the email is the sync's too: a mail server problem must not fail the webhook
        with contextlib.suppress(CheckoutError):
            dunning.send_pending(ctx, actor=ACTOR)
    return {"handled": True, "event": event.event, "applied": applied}


def _replaced_waiting(ctx: Context) -> list[dict[str, Any]]:
    return ctx.store.query(
        "SELECT id, psp_subscription_id FROM subscriptions WHERE autopay_provider=? "
        "AND mandate_status='revoking' AND status <> 'canceled' AND psp_subscription_id "
        "IS NOT NULL",
        (PROVIDER,),
    )


def _event_key(event: PspSubscriptionEvent) -> str:
    sub = event.subscription
    if event.event == "subscription.charged" and event.payment is not None:
        return f"charged:{event.payment.id}"
    period = int(sub.current_end.timestamp()) if sub.current_end else ""
    charge = int(sub.charge_at.timestamp()) if sub.charge_at else ""
    return f"{event.event}:{sub.id}:{period}:{charge}:{sub.paid_count}"


def apply_event(ctx: Context, event: PspSubscriptionEvent) -> bool:
    """Apply one subscription event unless it was applied before; True when now."""
    with ctx.store.transaction():
        inserted = ctx.store.execute(
            "INSERT INTO psp_events (psp, event_key, type, applied_at) "
            "VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
            (PROVIDER, _event_key(event), event.event, ctx.now_iso()),
        ).rowcount
        if not inserted:
            return False
        sub = event.subscription
        local = ctx.store.one(
            "SELECT * FROM subscriptions WHERE autopay_provider=? AND psp_subscription_id=?",
            (PROVIDER, sub.id),
        )
        sale = _sale_of(ctx, sub)
        name = event.event
        if name == "subscription.charged":
            _charged(ctx, sub, event.payment, sale, local)
        elif name == "subscription.activated" and local is None and sale is not None:
            _create_local(ctx, sub, sale)
        elif name == "subscription.authenticated" and sale is not None:
            payment_events.note(ctx, sale["id"], "mandate_authenticated", ACTOR, psp_ref=sub.id)
        elif name in ("subscription.pending", "subscription.halted") and local is not None:
            _past_due(ctx, local, sub, halted=name == "subscription.halted", at=event.created_at)
        elif name in ("subscription.cancelled", "subscription.completed"):
            if local is not None:
                _ended(ctx, int(local["id"]), ACTOR)
            if sale is not None and sale["status"] == "pending":
                payment_events.transition(
                    ctx, sale["id"], Event.CANCELED, ACTOR, reason=f"Razorpay: {sub.status}"
                )
        elif name in ("subscription.paused", "subscription.resumed") and local is not None:
            ctx.store.execute(
                "UPDATE subscriptions SET mandate_status=?, updated_at=? WHERE id=?",
                ("paused" if name.endswith("paused") else "active", ctx.now_iso(), local["id"]),
            )
        audit.record(ctx, ACTOR, f"razorpay.{name}", "psp_subscription", sub.id)
    return True


def _sale_of(ctx: Context, sub: PspSubscription) -> dict[str, Any] | None:
    ref = sub.notes.get("autoos_payment_id")
    if ref:
        row = ctx.store.one(
            "SELECT * FROM payments WHERE id=? AND method=? AND psp=?", (ref, METHOD, PROVIDER)
        )
        if row is not None:
            return row
    return ctx.store.one(
        "SELECT * FROM payments WHERE psp=? AND psp_ref=? AND method=?", (PROVIDER, sub.id, METHOD)
    )


def _create_local(ctx: Context, sub: PspSubscription, sale: dict[str, Any]) -> int:
    evidence = json.loads(sale["evidence"] or "{}")
    terms = evidence.get("mandate") or {}
    now = ctx.clock.now()
    start, end = sub.current_start, sub.current_end
    if start is None or end is None:
        start, end = period_bought(now, sale["interval"])
    new_id = ctx.store.insert(
        "INSERT INTO subscriptions (customer_id, tier, interval, currency, amount, method, "
        "status, current_period_start, current_period_end, created_at, updated_at, "
        "autopay_provider, psp_subscription_id, mandate_status, mandate_amount, "
        "mandate_amount_type, mandate_end) "
        "VALUES (?, ?, ?, 'INR', ?, ?, 'active', ?, ?, ?, ?, ?, ?, 'active', ?, ?, ?) RETURNING id",
        (
            sale["customer_id"],
            sale["tier"],
            sale["interval"],
            sale["amount"],
            METHOD,
            to_iso(start),
            to_iso(end),
            to_iso(now),
            to_iso(now),
            PROVIDER,
            sub.id,
            terms.get("amount"),
            terms.get("amount_type"),
            terms.get("end_date"),
        ),
    )
    sub_id = new_id
    audit.record(
        ctx, ACTOR, "autopay.mandate_approved", "subscription", sub_id, payment_id=sale["id"]
    )
    old = evidence.get("replaces_subscription")
    if old and int(old) != sub_id:
        dunning.replaced_by_new_mandate(
            ctx, int(old), evidence.get("dunning_notice"), sale["id"], actor=ACTOR
        )
    return sub_id


def _charged(
    ctx: Context,
    sub: PspSubscription,
    paid: PspPayment | None,
    sale: dict[str, Any] | None,
    local: dict[str, Any] | None,
) -> None:
    if paid is None:
        return
    if ctx.store.scalar(
        "SELECT 1 FROM payments WHERE psp=? AND psp_ref=? AND method=?",
        (PROVIDER, paid.id, METHOD),
    ) or (
        sale is not None and json.loads(sale["evidence"] or "{}").get("psp_payment_id") == paid.id
    ):
        return  # this debit is recorded already
    first = sale is not None and sale["status"] in ("pending", "expired", "canceled")
    if local is None and sale is not None:
        sub_id = _create_local(ctx, sub, sale)
        local = ctx.store.one("SELECT * FROM subscriptions WHERE id=?", (sub_id,))
    if local is None:
        return  # not a subscription sold here
    utr = paid.utr if paid.utr and paid.utr.isdigit() and len(paid.utr) == 12 else None
    if first and sale is not None:
        late = sale["status"] != "pending"
        evidence = {
            **json.loads(sale["evidence"] or "{}"),
            "psp_payment_id": paid.id,
            "payer_vpa": paid.payer_vpa,
        }
        payment_events.transition(
            ctx,
            sale["id"],
            Event.LATE_ACCEPTED if late else Event.PAID,
            ACTOR,
            columns={
                "paid_at": to_iso(paid.paid_at),
                "receipt_no": next_number(ctx),
                "subscription_id": local["id"],
                "confirmed_by": f"psp:{PROVIDER}",
                "evidence": json.dumps(evidence, sort_keys=True),
                "late": int(late),
                "utr": utr,
            },
            psp_payment_id=paid.id,
            late=late,
        )
        trials.mark_converted(ctx, sale["customer_id"], actor=ACTOR)
        return
    # a renewal Razorpay debited through the mandate
    receipt = next_number(ctx)
    payment_id = f"pay_{uuid.uuid4().hex[:20]}"
    evidence = {
        "source": "razorpay_subscription",
        "psp_subscription_id": sub.id,
        "mandate": mandates.terms_of(ctx, local),
        "payer_vpa": paid.payer_vpa,
    }
    payment_events.create(
        ctx,
        {
            "id": payment_id,
            "customer_id": local["customer_id"],
            "method": METHOD,
            "amount": paid.amount.amount,
            "currency": paid.amount.currency,
            "tier": local["tier"],
            "interval": local["interval"],
            "purpose": "renewal",
            "subscription_id": local["id"],
            "created_at": ctx.now_iso(),
            "paid_at": to_iso(paid.paid_at),
            "updated_at": ctx.now_iso(),
            "confirmed_by": f"psp:{PROVIDER}",
            "evidence": json.dumps(evidence, sort_keys=True, default=str),
            "receipt_no": receipt,
            "psp": PROVIDER,
            "psp_ref": paid.id,
            "utr": utr,
            "created_by": ACTOR,
        },
        ACTOR,
        event=Event.COLLECTED,
        method=METHOD,
        amount=paid.amount.amount,
        psp_payment_id=paid.id,
        receipt_no=receipt,
    )
    ctx.store.execute(
        "UPDATE subscriptions SET status='active', past_due_since=NULL, "
        "current_period_start=COALESCE(?, current_period_start), "
        "current_period_end=COALESCE(?, current_period_end), updated_at=? WHERE id=?",
        (
            to_iso(sub.current_start) if sub.current_start else None,
            to_iso(sub.current_end) if sub.current_end else None,
            ctx.now_iso(),
            local["id"],
        ),
    )
    for notice in ctx.store.query(
        "SELECT invoice_ref FROM dunning_notices WHERE subscription_id=? AND status='open'",
        (local["id"],),
    ):
        dunning.collected(ctx, PROVIDER, notice["invoice_ref"], payment_id, actor=ACTOR)


def _past_due(
    ctx: Context, local: dict[str, Any], sub: PspSubscription, *, halted: bool, at: Any
) -> None:
    since = local["past_due_since"] or to_iso(at)
    ctx.store.execute(
        "UPDATE subscriptions SET status='past_due', past_due_since=?, updated_at=? WHERE id=?",
        (since, ctx.now_iso(), local["id"]),
    )
    if not halted:
        return
    due = sub.charge_at or sub.current_end
    invoice_ref = f"{sub.id}:{int(due.timestamp()) if due else 'halted'}"
    payment_id = f"pay_{uuid.uuid4().hex[:20]}"
    payment_events.create(
        ctx,
        {
            "id": payment_id,
            "customer_id": local["customer_id"],
            "method": METHOD,
            "amount": local["amount"],
            "currency": local["currency"],
            "tier": local["tier"],
            "interval": local["interval"],
            "purpose": "renewal",
            "subscription_id": local["id"],
            "created_at": ctx.now_iso(),
            "updated_at": ctx.now_iso(),
            "evidence": json.dumps({"source": "razorpay_subscription", "halted": sub.id}),
            "psp": PROVIDER,
            "psp_ref": invoice_ref,
            "created_by": ACTOR,
        },
        ACTOR,
        event=Event.NOT_COLLECTED,
        method=METHOD,
        amount=local["amount"],
        psp_subscription_id=sub.id,
    )
    fresh = ctx.store.one("SELECT * FROM subscriptions WHERE id=?", (local["id"],)) or local
    dunning.renewal_failed(
        ctx,
        fresh,
        provider=PROVIDER,
        invoice_ref=invoice_ref,
        amount=local["amount"],
        currency=local["currency"],
        failed_payment_id=payment_id,
        failed_at=since,
        hosted_url=None,
        actor=ACTOR,
    )


def dispatch_webhook(ctx: Context, raw_body: bytes, signature: str) -> dict[str, Any]:
    """Razorpay's one webhook URL: subscription events for AutoPay, the rest (a QR
    credited) for UPI requests."""
    from backend.services.upi import upi_requests

    if ctx.adapters.get("autopay_psp") is not None:
        handled = handle_webhook(ctx, raw_body, signature)
        if handled is not None:
            return handled
    return upi_requests.handle_razorpay_webhook(ctx, raw_body, signature)
