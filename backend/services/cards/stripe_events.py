"""Learning what happened at Stripe: ``GET /v1/events`` from a stored cursor.

Each event is applied at most once (its id goes into ``stripe_events`` in the same
transaction as its effect), whether it arrives by polling or by webhook. Events are
treated as notifications: for subscriptions and checkout sessions the current object is
fetched, so an old snapshot arriving late can never roll the mirror back. A paid or
failed invoice that no checkout here accounts for (renewals, upgrade prorations) becomes a
``card_on_file`` payment, or a ``upi_autopay`` one for a UPI AutoPay plan
(:mod:`backend.services.billing.card_invoices`); ``mandate.updated`` mirrors a mandate the
customer revoked or paused.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from backend.adapters.stripe_gateway import gateway
from backend.context import Context
from backend.errors import NotConfigured, RejectedError, TransientError
from backend.services.billing import card_invoices
from backend.services.cards import card_checkout
from backend.services.cards.stripe_mirror import (
    mirror_invoice,
    mirror_payment_method,
    mirror_subscription,
    subscription_of_invoice,
)
from backend.sync import outbox

CURSOR_KEY = "stripe.events_cursor"
PAGE = 100
ACTOR = "stripe-events"

#: fetch(ctx, object) runs before the transaction (it may call Stripe) and returns a
#: write(ctx) to run inside it.
Write = Callable[[Context], None]


def _nothing(ctx: Context) -> None:
    """An event we record as seen but that changes nothing here."""


def _customer(ctx: Context, obj: dict[str, Any]) -> Write:
    local = (obj.get("metadata") or {}).get("autoos_customer_id")

    def write(ctx: Context) -> None:
        if local:
            ctx.store.execute(
                "UPDATE customers SET stripe_customer_id=? "
                "WHERE id=? AND stripe_customer_id IS NULL",
                (obj["id"], int(local)),
            )

    return write


def _subscription(ctx: Context, obj: dict[str, Any]) -> Write:
    current = obj
    if obj.get("status") != "canceled":
        current = gateway(ctx).call("subscriptions.retrieve", [obj["id"]])
    return lambda ctx: _mirror(ctx, current)


def _mirror(ctx: Context, sub: dict[str, Any]) -> None:
    mirror_subscription(ctx, sub)


def _session(ctx: Context, obj: dict[str, Any]) -> Write:
    payment_id = card_checkout.find_by_session(ctx, obj)
    if payment_id is None:
        return _nothing
    session = gateway(ctx).call("checkout.sessions.retrieve", [obj["id"]])
    if session.get("status") == "complete":
        card_checkout.complete(ctx, payment_id, session, actor=ACTOR)
        return _nothing
    if session.get("status") == "expired":
        card_checkout.refresh(ctx, payment_id, actor=ACTOR)
    return _nothing


def _current_subscription(ctx: Context, inv: dict[str, Any]) -> dict[str, Any] | None:
    """The invoice's subscription as Stripe holds it now (None if it has none, or is gone)."""
    sub_id = subscription_of_invoice(inv)
    if not sub_id:
        return None
    try:
        return gateway(ctx).call("subscriptions.retrieve", [sub_id])
    except RejectedError as err:
        if getattr(err, "stripe_code", None) != "resource_missing":
            raise
        return None


def _invoice_paid(ctx: Context, obj: dict[str, Any]) -> Write:
    """A paid invoice: mirrored, and — unless a checkout here already holds its money —
    recorded as a card payment with a receipt (renewals, upgrade prorations); Stripe's
    charge for an overdue AutoPay invoice already paid at the till by UPI QR is recorded
    too, as its own payment (the customer paid twice)."""
    inv, sub = obj, None
    if card_invoices.wanted(ctx, obj, paid=True) or card_invoices.collected_twice(ctx, obj):
        # the PaymentIntent (for refunds) is only in the expanded invoice; the mirror
        # brought up to date gives the tier and interval the money paid for
        inv = gateway(ctx).call("invoices.retrieve", [obj["id"]], {"expand": ["payments"]})
        sub = _current_subscription(ctx, inv)

    def write(ctx: Context) -> None:
        mirror_invoice(ctx, inv)
        if sub:
            mirror_subscription(ctx, sub)
        card_invoices.record_paid(ctx, inv, actor=ACTOR)

    return write


def _invoice_failed(ctx: Context, obj: dict[str, Any]) -> Write:
    sub = _current_subscription(ctx, obj)

    def write(ctx: Context) -> None:
        mirror_invoice(ctx, obj)
        if sub:
            mirror_subscription(ctx, sub)
        card_invoices.record_failed(ctx, obj, actor=ACTOR)

    return write


def _card_declined(ctx: Context, obj: dict[str, Any]) -> Write:
    """A card was declined. In Checkout the customer may try another card on the same
    page, so the sale goes on: a ``card_declined`` event (staff see "card declined,
    customer may retry"); the payment ends only when its session completes or expires."""

    def write(ctx: Context) -> None:
        payment_id = card_checkout.find_by_payment_intent(ctx, obj)
        if payment_id is None:
            return
        error = obj.get("last_payment_error") or {}
        card_checkout.declined(
            ctx,
            payment_id,
            message=error.get("message") or "The card was declined.",
            code=error.get("decline_code") or error.get("code"),
            actor=ACTOR,
        )

    return write


def _mandate(ctx: Context, obj: dict[str, Any]) -> Write:
    """A UPI AutoPay mandate changed (the customer revoked or paused it in their UPI app:
    ``inactive``): mirrored onto its subscription, which staff then see."""
    from backend.services.autopay import stripe_autopay

    return stripe_autopay.mandate_event(ctx, obj)


def _payment_method(attached: bool) -> Callable[[Context, dict[str, Any]], Write]:
    def fetch(ctx: Context, obj: dict[str, Any]) -> Write:
        return lambda ctx: mirror_payment_method(ctx, obj, attached=attached)

    return fetch


HANDLERS: dict[str, Callable[[Context, dict[str, Any]], Write]] = {
    "customer.created": _customer,
    "customer.updated": _customer,
    "customer.subscription.created": _subscription,
    "customer.subscription.updated": _subscription,
    "customer.subscription.deleted": _subscription,
    "checkout.session.completed": _session,
    "checkout.session.expired": _session,
    "invoice.payment_succeeded": _invoice_paid,
    "invoice.paid": _invoice_paid,
    "invoice.payment_failed": _invoice_failed,
    "payment_intent.succeeded": lambda ctx, obj: _nothing,  # the session or invoice says it
    "payment_intent.payment_failed": _card_declined,
    "payment_method.attached": _payment_method(True),
    "payment_method.detached": _payment_method(False),
    "mandate.updated": _mandate,
}


def already_applied(ctx: Context, event_id: str) -> bool:
    return ctx.store.scalar("SELECT 1 FROM stripe_events WHERE event_id=?", (event_id,)) is not None


def apply_event(ctx: Context, event: dict[str, Any], *, source: str) -> bool:
    """Apply one event unless it was applied before; True when it was applied now."""
    if already_applied(ctx, event["id"]):
        return False
    handler = HANDLERS.get(event.get("type", ""))
    try:
        write = handler(ctx, event["data"]["object"]) if handler else _nothing
    except RejectedError as err:
        if getattr(err, "stripe_code", None) != "resource_missing":
            raise
        write = _nothing  # the object is gone at Stripe: nothing left to mirror
    with ctx.store.transaction():
        inserted = ctx.store.execute(
            "INSERT INTO stripe_events (event_id, type, created, source, applied_at) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            (
                event["id"],
                event.get("type", ""),
                int(event.get("created") or 0),
                source,
                ctx.now_iso(),
            ),
        ).rowcount
        if inserted:
            write(ctx)
    return bool(inserted)


def _cursor(ctx: Context) -> str | None:
    return ctx.store.scalar("SELECT value FROM meta WHERE key=?", (CURSOR_KEY,))


def _store_cursor(ctx: Context, event_id: str) -> None:
    with ctx.store.transaction():
        ctx.store.execute(
            "INSERT INTO meta (key, value) VALUES (?, ?) "
            "ON CONFLICT(key) DO UPDATE SET value=excluded.value",
            (CURSOR_KEY, event_id),
        )


def _first_run(ctx: Context) -> list[dict[str, Any]]:
    """No cursor yet: every event Stripe still keeps (30 days), oldest first."""
    events: list[dict[str, Any]] = []
    params: dict[str, Any] = {"limit": PAGE}
    while True:
        page = gateway(ctx).call("events.list", params=params)
        events.extend(page.get("data", []))
        if not page.get("has_more") or not page.get("data"):
            break
        params = {"limit": PAGE, "starting_after": page["data"][-1]["id"]}
    return list(reversed(events))


def _newer_pages(ctx: Context, cursor: str):
    """Pages of events after ``cursor``, each oldest first (Stripe lists newest first).

    Stripe keeps events 30 days: when the stored cursor is gone (a long time offline),
    every event it still keeps is read instead; those applied before are skipped."""
    first = True
    while True:
        try:
            page = gateway(ctx).call("events.list", params={"limit": PAGE, "ending_before": cursor})
        except RejectedError as err:
            if not first or getattr(err, "stripe_code", None) != "resource_missing":
                raise
            yield _first_run(ctx)
            return
        first = False
        events = list(reversed(page.get("data", [])))
        if not events:
            return
        yield events
        if not page.get("has_more"):
            return
        cursor = events[-1]["id"]


def poll(ctx: Context) -> dict[str, Any]:
    """Fetch events newer than the cursor and apply them in order."""
    counts: dict[str, Any] = {"applied": 0, "seen": 0}
    try:
        cursor = _cursor(ctx)
        pages = [_first_run(ctx)] if cursor is None else _newer_pages(ctx, cursor)
        for events in pages:
            for event in events:
                counts["seen"] += 1
                counts["applied"] += apply_event(ctx, event, source="poll")
                _store_cursor(ctx, event["id"])
    except (TransientError, NotConfigured) as err:  # offline, or the key was refused
        outbox.mark_online(ctx, False, err.message)
        counts["stopped"] = err.message
    except RejectedError as err:  # e.g. a restricted key may not read subscriptions
        counts["stopped"] = err.message  # reported; this event is tried again next time
    else:
        outbox.mark_online(ctx, True)
    counts["cursor"] = _cursor(ctx)
    return counts


def last_applied(ctx: Context) -> dict[str, Any] | None:
    return ctx.store.one(
        "SELECT event_id, type, applied_at, source FROM stripe_events "
        "ORDER BY applied_at DESC, created DESC, event_id DESC LIMIT 1"
    )
