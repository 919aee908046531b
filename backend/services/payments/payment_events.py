"""The one writer of a payment's status, and its history ledger.

Every change of a payment is an :class:`~backend.domain.payment_machine.Event` applied
here, inside the caller's transaction: the machine says where the event takes the
payment (or refuses it), the new status is stored with the columns the event brings
(paid_at, UTR, receipt number...), one append-only ``payment_events`` row records it,
and one audit row names who did it. No other module writes ``payments.status``
(``tests/unit/test_payment_machine.py`` checks the source for it).

Things that happen to a payment without moving it (a refund requested, a PSP that could
not close its QR) are recorded with :func:`note`.
"""

from __future__ import annotations

import json
from typing import Any

from backend.context import Context
from backend.domain.payment_machine import Event, initial_status, next_status
from backend.errors import NotFound, StateError
from backend.store import audit


def create(
    ctx: Context,
    values: dict[str, Any],
    actor: str,
    *,
    event: Event = Event.CREATED,
    **detail: Any,
) -> str:
    """Insert a payment row born by ``event`` (pending, or already paid or failed)."""
    _need_transaction(ctx)
    row = {**values, "status": initial_status(event)}
    names = ", ".join(row)
    marks = ", ".join("?" * len(row))
    ctx.store.execute(f"INSERT INTO payments ({names}) VALUES ({marks})", tuple(row.values()))
    payment_id = str(row["id"])
    note(ctx, payment_id, event.value, actor, **detail)
    audit.record(ctx, actor, f"payment.{event.value}", "payment", payment_id, **_brief(detail))
    return row["status"]


def transition(
    ctx: Context,
    payment_id: str,
    event: Event,
    actor: str,
    *,
    columns: dict[str, Any] | None = None,
    **detail: Any,
) -> str:
    """Apply ``event`` to the payment: its new status (and ``columns``), an event row
    and an audit row, all in the caller's transaction. StateError if it may not happen."""
    _need_transaction(ctx)
    status = ctx.store.scalar("SELECT status FROM payments WHERE id=?", (payment_id,))
    if status is None:
        raise NotFound(f"There is no payment {payment_id}.")
    new = next_status(status, event)
    sets = {"status": new, "updated_at": ctx.now_iso(), **(columns or {})}
    assignments = ", ".join(f"{name}=?" for name in sets)
    changed = ctx.store.execute(
        f"UPDATE payments SET {assignments} WHERE id=? AND status=?",
        (*sets.values(), payment_id, status),
    ).rowcount
    if not changed:  # cannot happen inside one write transaction; refuse rather than guess
        raise StateError("This payment changed while it was being updated; try again.")
    note(ctx, payment_id, event.value, actor, **detail)
    audit.record(ctx, actor, f"payment.{event.value}", "payment", payment_id, **_brief(detail))
    return new


def note(ctx: Context, payment_id: str, kind: str, actor: str, **detail: Any) -> None:
    """Append one history row (inside the caller's transaction, with what it records)."""
    ctx.store.execute(
        "INSERT INTO payment_events (payment_id, at, kind, actor, detail) VALUES (?, ?, ?, ?, ?)",
        (payment_id, ctx.now_iso(), kind, actor, json.dumps(detail, sort_keys=True, default=str)),
    )


def history(ctx: Context, payment_id: str) -> list[dict[str, Any]]:
    """A payment's events, oldest first, details decoded."""
    rows = ctx.store.query(
        "SELECT at, kind, actor, detail FROM payment_events WHERE payment_id=? ORDER BY id",
        (payment_id,),
    )
    return [{**row, "detail": json.loads(row["detail"])} for row in rows]


def _brief(detail: dict[str, Any]) -> dict[str, Any]:
    """What the audit log keeps of an event's detail (never a provider's raw payload)."""
    return {k: v for k, v in detail.items() if k != "raw"}


def _need_transaction(ctx: Context) -> None:
    if not ctx.store.in_transaction:
        raise RuntimeError("a payment changes inside a transaction")
