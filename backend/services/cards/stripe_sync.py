"""One pass of the Stripe sync worker: push catalog and customers, drain, pull events,
and email the customers of UPI AutoPay renewals that failed.

The GUI runs :func:`sync_once` on its network pool every few seconds and the CLI runs
it on demand; it never raises for being offline, it reports.
"""

from __future__ import annotations

from typing import Any

from backend.adapters.stripe_gateway import gateway
from backend.context import Context
from backend.services.cards import stripe_events
from backend.services.cards.stripe_catalog import push_catalog
from backend.services.cards.stripe_customers import push_customers
from backend.sync import outbox


def sync_once(ctx: Context, *, actor: str = outbox.SYNC_ACTOR, pull: bool = True) -> dict[str, Any]:
    problem = gateway(ctx).problem()
    if problem:
        return {"configured": False, "reason": problem, **outbox.sync_state(ctx)}
    queued = push_catalog(ctx, actor=actor) + push_customers(ctx, actor=actor)
    sent = outbox.drain(ctx)
    result: dict[str, Any] = {"configured": True, "queued": queued, "outbox": sent}
    if pull and not sent["unreachable"]:  # a row in backoff does not hold events back
        result["events"] = stripe_events.poll(ctx)
        if result["events"].get("applied"):
            # what the events did may have queued writes (a mandate to revoke): send them
            result["outbox_after"] = outbox.drain(ctx)
        if "stopped" not in result["events"]:
            result["paid_twice"] = _paid_twice(ctx)
    result["dunning"] = _dunning_emails(ctx, actor)
    result["state"] = outbox.sync_state(ctx)
    return result


def _dunning_emails(ctx: Context, actor: str) -> dict[str, Any]:
    """Email the customers of AutoPay renewals that failed (once each), when mail is set
    up; a mail server that cannot be reached is reported, never raised."""
    from backend.errors import CheckoutError
    from backend.services.autopay import dunning

    try:
        return dunning.send_pending(ctx, actor=actor)
    except CheckoutError as err:
        return {"enabled": True, "stopped": err.message}


def _paid_twice(ctx: Context) -> dict[str, Any]:
    """Record Stripe's charges for overdue invoices paid at the till that the events did
    not bring (:func:`backend.services.autopay.stripe_autopay.collect_refused`); Stripe
    failing us is reported, never raised."""
    from backend.errors import CheckoutError
    from backend.services.autopay import stripe_autopay

    try:
        return {"recorded": stripe_autopay.collect_refused(ctx)}
    except CheckoutError as err:
        return {"recorded": 0, "stopped": err.message}


def drain(ctx: Context) -> dict[str, Any]:
    """Send the queued Stripe requests only (no catalog push, no events)."""
    return outbox.drain(ctx)


def status(ctx: Context) -> dict[str, Any]:
    """Is Stripe configured, does it answer (one cheap call), and how the queue stands."""
    from backend.adapters.stripe_gateway import card_status
    from backend.errors import NotConfigured, TransientError

    state = card_status(ctx)
    reachable: bool | None = None
    if state["configured"]:
        try:
            gateway(ctx).call("events.list", params={"limit": 1})
            reachable = True
        except TransientError:
            reachable = False
        except NotConfigured as err:  # Stripe answered, and refused the key
            reachable = False
            state["reason"] = err.message
    return {
        **state,
        "reachable": reachable,
        "queue": outbox.sync_state(ctx),
        "failed_requests": outbox.failed_rows(ctx, 10),
        "last_event": stripe_events.last_applied(ctx),
    }
