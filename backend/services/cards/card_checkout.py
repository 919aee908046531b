"""Card payment at the counter: a Stripe Checkout Session shown as a QR.

The contract the GUI and API use: :func:`start_checkout`, :func:`refresh`,
:func:`cancel_checkout`. A card payment needs the network (the customer pays on Stripe's
page), so when Stripe does not answer :func:`start_checkout` says so at once and the sale
is withdrawn here. The request to create the session stays queued with its idempotency
key, because it may have reached Stripe: when it goes through, the session it made (the
same one, replayed) is expired at once, so no payable page is left without a sale
behind it. Stripe answering with an error is said as such, not as "unreachable".

A declined card does not end the sale: in Checkout the customer may try another card, so
the payment stays pending with a ``card_declined`` event until the session completes,
expires or is withdrawn. Expiry is computed from the clock; a paid session whose local
payment was already cancelled or expired is kept as succeeded with ``late=1`` for staff,
never lost.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from backend.adapters.stripe_gateway import gateway, require_card
from backend.clock import parse_iso, to_iso
from backend.context import Context
from backend.domain.money import Money, format_money
from backend.domain.payment_machine import Event
from backend.errors import (
    CheckoutError,
    NotConfigured,
    NotFound,
    ProviderBusy,
    RejectedError,
    StateError,
    TransientError,
)
from backend.services.billing.numbering import next_number
from backend.services.cards.stripe_catalog import price_id, push_catalog
from backend.services.cards.stripe_customers import ensure_in_stripe, stripe_customer_id
from backend.services.cards.stripe_mirror import (
    from_unix,
    mirror_invoice,
    mirror_subscription,
    payment_intent_of_invoice,
)
from backend.services.payments import payment_events
from backend.services.trials import trials
from backend.sync import outbox

METHOD = "stripe_checkout"
#: a UPI AutoPay sale through Stripe is the same Checkout Session in subscription mode,
#: paid with UPI: the customer approves the mandate on the page (see
#: backend/services/autopay/stripe_autopay.py); its lifecycle here is a card checkout's
AUTOPAY_METHOD = "upi_autopay"
SESSION_METHODS = (METHOD, AUTOPAY_METHOD)
#: Stripe takes a session's expires_at 30 minutes to 24 hours after it creates the session
STRIPE_MIN_EXPIRY = timedelta(minutes=30)
STRIPE_MAX_EXPIRY = timedelta(hours=24)
#: room for the request (and the SDK's own retries of it) to reach Stripe
SEND_MARGIN = timedelta(minutes=1)
OFFLINE_MESSAGE = (
    "Card payment needs the internet and Stripe cannot be reached right now. "
    "Take the payment by UPI, or try the card again in a moment."
)
AUTOPAY_OFFLINE_MESSAGE = (
    "UPI AutoPay needs the internet and Stripe cannot be reached right now. "
    "Take a one-time UPI QR payment, or try AutoPay again in a moment."
)


def _payment(ctx: Context, payment_id: str) -> dict[str, Any]:
    row = ctx.store.one("SELECT * FROM payments WHERE id=?", (payment_id,))
    if (
        row is None
        or row["method"] not in SESSION_METHODS
        or (row["method"] == AUTOPAY_METHOD and row["psp"] not in (None, "stripe"))
    ):
        raise NotFound(f"There is no card payment {payment_id}.")
    return row


def view(ctx: Context, payment_id: str) -> dict[str, Any]:
    """The payment as the staff screen and customer display show it."""
    row = _payment(ctx, payment_id)
    money = Money(row["amount"], row["currency"])
    tier = ctx.catalog.get(row["tier"]) if row["tier"] else None
    return {
        "id": row["id"],
        "method": row["method"],
        "customer_id": row["customer_id"],
        "url": row["stripe_url"],
        "status": row["status"],
        "expires_at": row["expires_at"],
        "session_id": row["stripe_session_id"],
        "amount": money.amount,
        "currency": money.currency,
        "amount_text": format_money(money),
        "tier": row["tier"],
        "tier_name": tier.name if tier else None,
        "interval": row["interval"],
        "receipt_no": row["receipt_no"],
        "subscription_id": row["subscription_id"],
        "refunded_amount": row["refunded_amount"],
        "terminal": row["terminal"],
        "declined": _last_decline(ctx, row) if row["status"] == "pending" else None,
        "paid_at": row["paid_at"],
    }


def _last_decline(ctx: Context, row: dict[str, Any]) -> str | None:
    """Why the last card was declined, while the customer may still try another."""
    detail = ctx.store.scalar(
        "SELECT detail FROM payment_events WHERE payment_id=? AND kind='card_declined' "
        "ORDER BY id DESC LIMIT 1",
        (row["id"],),
    )
    if detail is None:
        return None
    import json

    message = json.loads(detail).get("message") or "The card was declined."
    return f"Card declined: {message} The customer may try another card."


def _session_expiry(ctx: Context, row: dict[str, Any]) -> int:
    """The payment's expiry, moved to within Stripe's window as seen when the request is
    built: catalog and customer requests sent first take time, so the expiry taken when
    the payment was created may already be under Stripe's 30-minute minimum."""
    now = ctx.clock.now()
    wanted = parse_iso(row["expires_at"])
    earliest = now + STRIPE_MIN_EXPIRY + SEND_MARGIN
    latest = now + STRIPE_MAX_EXPIRY - SEND_MARGIN
    return int(min(max(wanted, earliest), latest).timestamp())


def _build_session(ctx: Context, payload: dict[str, Any]) -> dict[str, Any]:
    row = _payment(ctx, payload["payment_id"])
    request: dict[str, Any] = {
        "op": "checkout.sessions.create",
        "args": [],
        "params": {
            "mode": "subscription",
            "customer": stripe_customer_id(ctx, row["customer_id"]),
            "line_items": [
                {
                    "price": price_id(ctx, row["tier"], row["currency"], row["interval"]),
                    "quantity": 1,
                }
            ],
            "client_reference_id": row["id"],
            "metadata": {"autoos_payment_id": row["id"]},
            # the subscription's first invoice carries this, so its event is known to be
            # this checkout's money (card_invoices does not record it a second time)
            "subscription_data": {
                "metadata": {
                    "autoos_customer_id": str(row["customer_id"]),
                    "autoos_payment_id": row["id"],
                }
            },
            "success_url": ctx.settings.stripe.checkout_success_url,
            "cancel_url": ctx.settings.stripe.checkout_cancel_url,
            "expires_at": _session_expiry(ctx, row),
        },
    }
    if row["method"] == AUTOPAY_METHOD:
        from backend.services.autopay import stripe_autopay

        stripe_autopay.session_params(ctx, row, request["params"])
    return request


def _apply_session(ctx: Context, payload: dict[str, Any], result: dict[str, Any]) -> None:
    ctx.store.execute(
        "UPDATE payments SET stripe_session_id=?, stripe_url=?, expires_at=?, updated_at=? "
        "WHERE id=?",
        (
            result["id"],
            result.get("url"),
            from_unix(result.get("expires_at")),
            ctx.now_iso(),
            payload["payment_id"],
        ),
    )
    row = _payment(ctx, payload["payment_id"])
    if row["status"] == "pending":
        # a screen showing this sale learns from the feed that its card page can be shown
        payment_events.note(ctx, row["id"], "page_ready", outbox.SYNC_ACTOR)
    elif result.get("status", "open") == "open":
        # the sale was withdrawn while this request was on its way: a payable page with
        # no sale behind it must not stay open at Stripe
        payment_events.note(ctx, row["id"], "orphan_session", outbox.SYNC_ACTOR)
        _tell_stripe_to_expire(ctx, row["id"], result["id"], outbox.SYNC_ACTOR)


def _build_expire(ctx: Context, payload: dict[str, Any]) -> dict[str, Any]:
    return {"op": "checkout.sessions.expire", "args": [payload["session_id"]], "params": {}}


def _apply_expire(ctx: Context, payload: dict[str, Any], result: dict[str, Any]) -> None:
    payment_events.note(ctx, payload["payment_id"], "stripe_session_expired", outbox.SYNC_ACTOR)


def _rejected_expire(ctx: Context, payload: dict[str, Any], err: CheckoutError) -> None:
    """Usually: the customer paid just before we expired it. Events will mark it late."""
    payment_events.note(
        ctx, payload["payment_id"], "stripe_expire_refused", outbox.SYNC_ACTOR, error=err.message
    )


outbox.operation("checkout.create", outbox.Operation(_build_session, _apply_session))
outbox.operation(
    "checkout.expire", outbox.Operation(_build_expire, _apply_expire, _rejected_expire)
)


def start_checkout(
    ctx: Context,
    *,
    customer_id: int,
    tier: str,
    interval: str,
    currency: str,
    actor: str,
    terminal: str | None = None,
) -> dict[str, Any]:
    """Create a Checkout Session for a plan; its ``url`` becomes the customer's QR."""
    require_card(ctx)
    plan = ctx.catalog.get(tier)
    money = plan.price(currency, interval)
    return start_session(
        ctx,
        customer_id=customer_id,
        tier=plan.id,
        interval=interval,
        money=money,
        actor=actor,
        terminal=terminal,
    )


def start_session(
    ctx: Context,
    *,
    customer_id: int,
    tier: str,
    interval: str,
    money: Money,
    actor: str,
    terminal: str | None = None,
    method: str = METHOD,
    evidence: dict[str, Any] | None = None,
    before: Callable[[Context, str], None] | None = None,
) -> dict[str, Any]:
    """Record the payment, queue its session and send it now (a person is waiting).
    ``before(ctx, payment_id)`` runs first inside the payment's transaction (an AutoPay
    sale withdraws the customer's earlier pending one there)."""
    push_catalog(ctx, actor=actor)
    ensure_in_stripe(ctx, customer_id, actor=actor)
    payment_id = f"pay_{uuid.uuid4().hex[:20]}"
    now = ctx.clock.now()
    expires = now + timedelta(minutes=ctx.settings.stripe.checkout_expiry_minutes)
    with ctx.store.transaction():
        if before is not None:
            before(ctx, payment_id)
        payment_events.create(
            ctx,
            {
                "id": payment_id,
                "customer_id": customer_id,
                "method": method,
                "amount": money.amount,
                "currency": money.currency,
                "tier": tier,
                "interval": interval,
                "created_at": to_iso(now),
                "expires_at": to_iso(expires),
                "updated_at": to_iso(now),
                "created_by": actor,
                "terminal": terminal,
                "evidence": json.dumps(evidence or {}, sort_keys=True),
            },
            actor,
            method=method,
            amount=money.amount,
            currency=money.currency,
            tier=tier,
            terminal=terminal,
        )
        row_id = outbox.enqueue(
            ctx, "checkout.create", "payment", payment_id, {"payment_id": payment_id}, actor=actor
        )
    try:
        outbox.drain(ctx, until_id=row_id, ignore_backoff=True)
    except ProviderBusy as err:
        # Stripe answered, with an error: the page may exist; its request stays queued
        what, retry = (
            ("card payment page", "Try the card again in a moment, or take the payment by UPI.")
            if method == METHOD
            else ("UPI AutoPay page", "Try again in a moment, or take a one-time UPI QR payment.")
        )
        message = (
            f"{err.message.split(';')[0]} while making the {what}, so the sale "
            f"was not started. {retry}"
        )
        _withdraw(ctx, payment_id, message, actor)
        raise ProviderBusy(message) from None
    except TransientError:
        offline = OFFLINE_MESSAGE if method == METHOD else AUTOPAY_OFFLINE_MESSAGE
        _withdraw(ctx, payment_id, offline, actor)
        raise TransientError(offline) from None
    except NotConfigured as err:  # Stripe refused the key: nothing was made
        _give_up(ctx, payment_id, row_id, err.message, actor)
        raise
    sent = ctx.store.one("SELECT status, last_error FROM stripe_outbox WHERE id=?", (row_id,))
    if sent is None or sent["status"] != "done":
        message = (sent or {}).get("last_error") or "Stripe did not create the payment page."
        _give_up(ctx, payment_id, row_id, message, actor)
        raise RejectedError(message)
    return view(ctx, payment_id)


def _give_up(ctx: Context, payment_id: str, row_id: int, reason: str, actor: str) -> None:
    """Stripe refused to make the page: nothing exists there, the payment failed."""
    with ctx.store.transaction():
        outbox.drop(ctx, row_id, reason)
        if _payment(ctx, payment_id)["status"] == "pending":
            payment_events.transition(ctx, payment_id, Event.FAILED, actor, reason=reason)


def _withdraw(ctx: Context, payment_id: str, reason: str, actor: str) -> None:
    """No answer in time: the sale is withdrawn here; the request to make its page stays
    queued (it may have reached Stripe), and its session is expired once it is known."""
    with ctx.store.transaction():
        if _payment(ctx, payment_id)["status"] == "pending":
            payment_events.transition(ctx, payment_id, Event.CANCELED, actor, reason=reason)


def _tell_stripe_to_expire(ctx: Context, payment_id: str, session_id: str, actor: str) -> int:
    return outbox.enqueue(
        ctx,
        "checkout.expire",
        "payment",
        payment_id,
        {"payment_id": payment_id, "session_id": session_id},
        actor=actor,
    )


def complete(ctx: Context, payment_id: str, session: dict[str, Any], *, actor: str) -> None:
    """The session is paid: mirror its subscription, mark the payment, number it, and
    close the customer's free trial as converted."""
    client = gateway(ctx)
    sub = None
    if session.get("subscription"):
        sub_ref = session["subscription"]
        sub = (
            sub_ref
            if isinstance(sub_ref, dict)
            else client.call("subscriptions.retrieve", [sub_ref])
        )
    invoice = None
    if session.get("invoice"):
        # ``payments`` (which PaymentIntent paid it: what a refund needs) is not in the
        # default invoice object of this API version; it must be expanded
        invoice = client.call(
            "invoices.retrieve", [str(_ref(session["invoice"]))], {"expand": ["payments"]}
        )
    with ctx.store.transaction():
        row = _payment(ctx, payment_id)
        if row["status"] in ("succeeded", "refunded", "late"):
            return
        sub_id = mirror_subscription(ctx, sub) if sub else None
        if invoice:
            mirror_invoice(ctx, invoice)
        # Paid after we gave up on it: Stripe has taken the money and started the plan,
        # so it is an accepted late payment (succeeded, receipt, late=1 for staff), as a
        # late UPI payment becomes once accepted; not a 'late' status nobody can settle.
        late = row["status"] in ("expired", "canceled", "failed")
        invoice_id = invoice["id"] if invoice else None
        if invoice_id and ctx.store.scalar(
            "SELECT 1 FROM payments WHERE stripe_invoice_id=? AND status <> 'failed' AND id<>?",
            (invoice_id, payment_id),
        ):
            invoice_id = None  # already recorded from its invoice event (an older session)
        payment_events.transition(
            ctx,
            payment_id,
            Event.LATE_ACCEPTED if late else Event.PAID,
            actor,
            columns={
                "late": int(late),
                "paid_at": ctx.now_iso(),
                "receipt_no": next_number(ctx),
                "subscription_id": sub_id,
                "stripe_invoice_id": invoice_id,
                "stripe_payment_intent_id": (
                    payment_intent_of_invoice(invoice) if invoice else None
                )
                or _ref(session.get("payment_intent")),
            },
            session_id=session.get("id"),
            late=late,
        )
        if row["method"] == AUTOPAY_METHOD and sub_id is not None:
            from backend.services.autopay import stripe_autopay

            stripe_autopay.sale_completed(ctx, row, sub_id, actor=actor)
        trials.mark_converted(ctx, row["customer_id"], actor=actor)


def _ref(value: Any) -> str | None:
    return value.get("id") if isinstance(value, dict) else value


def _expire_locally(
    ctx: Context, payment_id: str, *, status: str, actor: str, tell_stripe: bool
) -> int | None:
    """Mark a pending payment expired/canceled; the outbox row telling Stripe, if any."""
    with ctx.store.transaction():
        row = _payment(ctx, payment_id)
        if row["status"] != "pending":
            return None
        payment_events.transition(ctx, payment_id, Event(status), actor)
        if tell_stripe and row["stripe_session_id"]:
            return _tell_stripe_to_expire(ctx, payment_id, row["stripe_session_id"], actor)
    return None


def refresh(ctx: Context, payment_id: str, *, actor: str = outbox.SYNC_ACTOR) -> dict[str, Any]:
    """Ask Stripe how the session stands; ``complete`` → paid, ``expired`` → expired."""
    row = _payment(ctx, payment_id)
    if row["status"] != "pending" or not row["stripe_session_id"]:
        return view(ctx, payment_id)
    overdue = row["expires_at"] and parse_iso(row["expires_at"]) <= ctx.clock.now()
    try:
        session = gateway(ctx).call("checkout.sessions.retrieve", [row["stripe_session_id"]])
    except TransientError:
        if overdue:
            _expire_locally(ctx, payment_id, status="expired", actor=actor, tell_stripe=True)
        return {**view(ctx, payment_id), "offline": True}
    if session.get("status") == "complete":
        complete(ctx, payment_id, session, actor=actor)
    elif session.get("status") == "expired":
        _expire_locally(ctx, payment_id, status="expired", actor=actor, tell_stripe=False)
    elif overdue:
        outbox.send_now(
            ctx,
            _expire_locally(ctx, payment_id, status="expired", actor=actor, tell_stripe=True),
        )
    return view(ctx, payment_id)


def cancel_checkout(ctx: Context, payment_id: str, *, actor: str) -> dict[str, Any]:
    """Staff abandon the payment: it is cancelled here and its session expired at Stripe."""
    row = _payment(ctx, payment_id)
    if row["status"] != "pending":
        raise StateError(f"This payment is already {row['status']}.")
    outbox.send_now(
        ctx, _expire_locally(ctx, payment_id, status="canceled", actor=actor, tell_stripe=True)
    )
    return view(ctx, payment_id)


def declined(ctx: Context, payment_id: str, *, message: str, code: str | None, actor: str) -> None:
    """Record a declined card on an open checkout (inside the caller's transaction)."""
    if _payment(ctx, payment_id)["status"] == "pending":
        payment_events.transition(
            ctx, payment_id, Event.CARD_DECLINED, actor, message=message, code=code
        )


def find_by_payment_intent(ctx: Context, intent: dict[str, Any]) -> str | None:
    """The card payment a PaymentIntent belongs to: by its id once a checkout completed,
    else the customer's open checkout (a declined attempt on its page)."""
    found = ctx.store.scalar(
        "SELECT id FROM payments WHERE stripe_payment_intent_id=?", (intent.get("id"),)
    )
    if found:
        return str(found)
    ref = (intent.get("metadata") or {}).get("autoos_payment_id")
    if ref and ctx.store.scalar(
        "SELECT 1 FROM payments WHERE id=? AND method IN (?, ?)", (ref, *SESSION_METHODS)
    ):
        return str(ref)
    customer = _ref(intent.get("customer"))
    if not customer:
        return None
    found = ctx.store.scalar(
        "SELECT p.id FROM payments p JOIN customers c ON c.id = p.customer_id "
        "WHERE c.stripe_customer_id=? AND p.method IN (?, ?) AND p.status='pending' "
        "AND p.stripe_session_id IS NOT NULL ORDER BY p.created_at DESC LIMIT 1",
        (customer, *SESSION_METHODS),
    )
    return str(found) if found else None


def find_by_session(ctx: Context, session: dict[str, Any]) -> str | None:
    found = ctx.store.scalar(
        "SELECT id FROM payments WHERE stripe_session_id=?", (session.get("id"),)
    )
    if found:
        return str(found)
    ref = session.get("client_reference_id") or (session.get("metadata") or {}).get(
        "autoos_payment_id"
    )
    if ref and ctx.store.scalar(
        "SELECT 1 FROM payments WHERE id=? AND method IN (?, ?)", (ref, *SESSION_METHODS)
    ):
        return str(ref)
    return None
