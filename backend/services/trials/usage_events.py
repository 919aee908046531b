"""Usage events in batches: up to :data:`BATCH_MAX` events, one transaction, answered in order.

Each event goes through exactly the rules of one event at a time
(:func:`backend.services.trials.usage.apply_event`), in the order given, so an event
sees what the events before it in the batch did (the last credit taken, an agent
started). Each event runs in its own savepoint: an event refused (malformed, no such
customer, its id reused for another customer or kind) is answered in its own slot with
the error, writes nothing, and the others go on. A repeated id — sent before, or twice in
this batch — gets the first answer and counts nothing again.

The batch as a whole is refused (nothing written) when it is not a list or holds more
than :data:`BATCH_MAX` events; any other failure (the database) rolls the whole batch
back, so a retry of the same batch is safe. Why one transaction: docs/decisions.md
("Usage in batches").
"""

from __future__ import annotations

from typing import Any

from backend.context import Context
from backend.errors import CheckoutError, Conflict, NotFound, ValidationError
from backend.services.trials import usage

BATCH_MAX = 1000
FIELDS = ("customer_id", "kind", "event_id")
#: customer numbers as the interface bounds them (larger are not safe in JSON)
CUSTOMER_ID_MAX = 2**53


def record_batch(ctx: Context, events: Any, *, actor: str) -> list[dict[str, Any]]:
    """Check and record each event; one answer per event, in order.

    An answer is ``{"event_id", "allowed", "reason", "credits_left"}`` as for one event,
    or ``{"event_id", "error": {"code", "message", "field"}}`` for an event refused
    (``event_id`` is None when the event did not carry a usable one).
    """
    if not isinstance(events, list):
        raise ValidationError(
            "A usage batch is a list of events, each with customer_id, kind and event_id.",
            field="events",
        )
    if len(events) > BATCH_MAX:
        raise ValidationError(
            f"A usage batch holds at most {BATCH_MAX:,} events; this one has "
            f"{len(events):,}. Send it in smaller batches; nothing was recorded.",
            field="events",
        )
    if not events:
        return []
    with ctx.store.transaction(scope=("customer", _customers(events))):
        return [_one(ctx, event, actor) for event in events]


def _customers(events: list[Any]) -> tuple[int, ...]:
    """The customers a batch may touch (locked together; malformed events skipped here
    and refused one by one later)."""
    found = set()
    for event in events:
        try:
            found.add(parse_event(event)[0])
        except ValidationError:
            continue
    return tuple(sorted(found))


def _one(ctx: Context, event: Any, actor: str) -> dict[str, Any]:
    try:
        customer_id, kind, event_id = parse_event(event)
        with ctx.store.savepoint():
            answer = usage.apply_event(
                ctx, customer_id=customer_id, kind=kind, event_id=event_id, actor=actor
            )
    except (ValidationError, NotFound, Conflict) as exc:
        return refusal(event, exc)
    return {"event_id": event_id, **answer}


def parse_event(event: Any) -> tuple[int, str, str]:
    """``(customer_id, kind, event_id)`` of one event as sent, or ValidationError naming
    what is wrong (the same fields and bounds as one event of ``POST /payments/usage``)."""
    if not isinstance(event, dict):
        raise ValidationError(
            "A usage event is an object with customer_id, kind and event_id.", field="event"
        )
    unknown = sorted(str(name) for name in event if name not in FIELDS)
    if unknown:
        raise ValidationError(
            f"Unknown field {unknown[0]!r} in a usage event: send customer_id, kind and "
            "event_id only.",
            field=unknown[0],
        )
    for name in FIELDS:
        if name not in event:
            raise ValidationError(f"A usage event needs its {name}.", field=name)
    customer_id, kind, event_id = (event[name] for name in FIELDS)
    if (
        isinstance(customer_id, bool)
        or not isinstance(customer_id, int)
        or not 0 < customer_id < CUSTOMER_ID_MAX
    ):
        raise ValidationError(
            "customer_id must be a customer number (a whole number above 0).",
            field="customer_id",
        )
    usage.check_event(kind, event_id, ascii_only=True)
    return customer_id, kind, event_id


def refusal(event: Any, exc: CheckoutError) -> dict[str, Any]:
    """The answer slot of an event that was refused: its id (when usable) and the error."""
    error: dict[str, Any] = {"code": exc.code, "message": exc.message}
    if exc.field:
        error["field"] = exc.field
    return {"event_id": _usable_id(event), "error": error}


def _usable_id(event: Any) -> str | None:
    event_id = event.get("event_id") if isinstance(event, dict) else None
    if isinstance(event_id, str) and 0 < len(event_id) <= usage.EVENT_ID_MAX:
        return event_id
    return None
