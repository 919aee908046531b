"""The outbox: every Stripe write is a row, with its idempotency key, before it is sent.

A change (new customer, upgrade, refund …) commits its outbox row in the same SQLite
transaction as the local change. The sync worker sends rows oldest first. The request
body is frozen in the row before the first attempt, so every retry sends the same key
with the same body and Stripe replays its first answer instead of repeating the work —
which is what makes a crash, a timeout or a dropped connection harmless.

Outcomes: success → the operation's ``apply`` updates the local mirror and the row is
``done`` (one transaction); offline, timeout, 409, 429, 5xx → the row waits, with
``next_attempt_at`` pushed back exponentially from the clock; any other 4xx → ``failed``
with Stripe's message for staff, never retried on its own. Rows leave in order: a row in
backoff holds the ones behind it, because later writes often depend on earlier ones
(a subscription needs its customer).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from backend.adapters.stripe_gateway import gateway
from backend.clock import parse_iso, to_iso
from backend.errors import CheckoutError, NotFound, RejectedError, StateError, TransientError
from backend.services import audit
from backend.services.context import Context

BACKOFF_BASE_SECONDS = 5
BACKOFF_MAX_SECONDS = 600
SYNC_ACTOR = "stripe-sync"

#: modules that register operations; imported before the first send
OPERATION_MODULES = (
    "backend.services.stripe_customers",
    "backend.services.stripe_catalog",
    "backend.services.card_payments",
    "backend.services.card_subscriptions",
    "backend.services.card_refunds",
)


@dataclass(frozen=True)
class Operation:
    """How to turn a row's payload into a Stripe call, and its answer into local state.

    ``build(ctx, payload) -> {"op", "args", "params"}`` runs once, before the first send.
    ``apply(ctx, payload, result)`` runs inside the transaction that marks the row done.
    ``rejected(ctx, payload, error)`` (optional) runs inside the one that marks it failed.
    """

    build: Callable[[Context, dict[str, Any]], dict[str, Any]]
    apply: Callable[[Context, dict[str, Any], dict[str, Any]], None]
    rejected: Callable[[Context, dict[str, Any], RejectedError], None] | None = None


OPERATIONS: dict[str, Operation] = {}


def operation(kind: str, op: Operation) -> None:
    OPERATIONS[kind] = op


def _load_operations() -> None:
    import importlib

    for name in OPERATION_MODULES:
        importlib.import_module(name)


def enqueue(
    ctx: Context,
    kind: str,
    entity: str,
    entity_id: object,
    payload: dict[str, Any],
    *,
    actor: str,
    request: dict[str, Any] | None = None,
) -> int:
    """Store one Stripe write (inside the caller's transaction); returns the row id."""
    if not ctx.store.in_transaction:
        raise RuntimeError("outbox rows are written in the transaction of their change")
    now = ctx.now_iso()
    key = f"autoos-{kind}-{uuid.uuid4().hex}"
    cur = ctx.store.execute(
        "INSERT INTO stripe_outbox (idempotency_key, kind, entity, entity_id, payload, request, "
        "status, next_attempt_at, actor, created_at, updated_at) "
        "VALUES (?, ?, ?, ?, ?, ?, 'waiting', ?, ?, ?, ?)",
        (
            key,
            kind,
            entity,
            str(entity_id),
            json.dumps(payload, sort_keys=True),
            json.dumps(request, sort_keys=True) if request is not None else None,
            now,
            actor,
            now,
            now,
        ),
    )
    audit.record(ctx, actor, "stripe.queue", entity, entity_id, kind=kind, outbox_id=cur.lastrowid)
    return int(cur.lastrowid)  # type: ignore[arg-type]


def pending(ctx: Context, entity: str, entity_id: object, kind: str) -> dict[str, Any] | None:
    """The newest row of that kind for that record that is waiting or done, if any."""
    return ctx.store.one(
        "SELECT * FROM stripe_outbox WHERE entity=? AND entity_id=? AND kind=? "
        "AND status IN ('waiting', 'done') ORDER BY id DESC LIMIT 1",
        (entity, str(entity_id), kind),
    )


def _backoff(attempts: int) -> timedelta:
    seconds = min(BACKOFF_BASE_SECONDS * 2 ** max(attempts - 1, 0), BACKOFF_MAX_SECONDS)
    return timedelta(seconds=seconds)


def _set_meta(ctx: Context, **values: str | None) -> None:
    for key, value in values.items():
        ctx.store.execute(
            "INSERT INTO meta (key, value) VALUES (?, ?) "
            "ON CONFLICT(key) DO UPDATE SET value=excluded.value",
            (f"stripe.{key}", value),
        )


def mark_online(ctx: Context, online: bool, error: str | None = None) -> None:
    """Remember whether the last contact with Stripe worked (for the GUI indicator)."""
    with ctx.store.transaction():
        values: dict[str, str | None] = {"online": "1" if online else "0"}
        if online:
            values["last_sync_at"] = ctx.now_iso()
        else:
            values["last_error"] = error
        _set_meta(ctx, **values)


def _freeze(ctx: Context, row: dict[str, Any]) -> dict[str, Any]:
    """Build the request once and store it with the row, before anything is sent."""
    if row["request"]:
        return json.loads(row["request"])
    request = OPERATIONS[row["kind"]].build(ctx, json.loads(row["payload"]))
    with ctx.store.transaction():
        ctx.store.execute(
            "UPDATE stripe_outbox SET request=?, updated_at=? WHERE id=? AND request IS NULL",
            (json.dumps(request, sort_keys=True), ctx.now_iso(), row["id"]),
        )
        stored = ctx.store.scalar("SELECT request FROM stripe_outbox WHERE id=?", (row["id"],))
    return json.loads(stored)


def _fail(ctx: Context, row: dict[str, Any], err: CheckoutError) -> None:
    op = OPERATIONS[row["kind"]]
    with ctx.store.transaction():
        changed = ctx.store.execute(
            "UPDATE stripe_outbox SET status='failed', attempts=attempts+1, last_error=?, "
            "updated_at=? WHERE id=? AND status='waiting'",
            (err.message, ctx.now_iso(), row["id"]),
        ).rowcount
        if changed and op.rejected and isinstance(err, RejectedError):
            op.rejected(ctx, json.loads(row["payload"]), err)
        if changed:
            audit.record(
                ctx,
                SYNC_ACTOR,
                "stripe.failed",
                row["entity"],
                row["entity_id"],
                kind=row["kind"],
                error=err.message,
            )


def _postpone(ctx: Context, row: dict[str, Any], err: TransientError) -> None:
    with ctx.store.transaction():
        attempts = row["attempts"] + 1
        ctx.store.execute(
            "UPDATE stripe_outbox SET attempts=?, next_attempt_at=?, last_error=?, updated_at=? "
            "WHERE id=? AND status='waiting'",
            (
                attempts,
                to_iso(ctx.clock.now() + _backoff(attempts)),
                err.message,
                ctx.now_iso(),
                row["id"],
            ),
        )
        _set_meta(ctx, online="0", last_error=err.message)


def send(ctx: Context, row: dict[str, Any]) -> str:
    """Send one row; ``"done"`` or ``"failed"``; raises TransientError (row postponed)."""
    _load_operations()
    try:
        request = _freeze(ctx, row)
    except (RejectedError, NotFound, StateError) as err:
        _fail(ctx, row, err)
        return "failed"
    try:
        result = gateway(ctx).call(
            request["op"],
            request.get("args", []),
            request.get("params"),
            idempotency_key=row["idempotency_key"],
        )
    except TransientError as err:
        _postpone(ctx, row, err)
        raise
    except RejectedError as err:
        _fail(ctx, row, err)
        return "failed"
    with ctx.store.transaction():
        changed = ctx.store.execute(
            "UPDATE stripe_outbox SET status='done', attempts=attempts+1, result_id=?, "
            "last_error=NULL, updated_at=? WHERE id=? AND status='waiting'",
            (result.get("id"), ctx.now_iso(), row["id"]),
        ).rowcount
        if changed:
            OPERATIONS[row["kind"]].apply(ctx, json.loads(row["payload"]), result)
            audit.record(
                ctx,
                SYNC_ACTOR,
                "stripe.sent",
                row["entity"],
                row["entity_id"],
                kind=row["kind"],
                stripe_id=result.get("id"),
            )
        _set_meta(ctx, online="1", last_sync_at=ctx.now_iso())
    return "done"


def drain(
    ctx: Context,
    *,
    until_id: int | None = None,
    ignore_backoff: bool = False,
    max_ops: int | None = None,
) -> dict[str, Any]:
    """Send waiting rows oldest first until the queue is empty, or one must wait.

    ``until_id`` stops after that row and re-raises a TransientError (a person is waiting
    for that very request); otherwise a transient failure just ends this pass.
    """
    counts: dict[str, Any] = {"sent": 0, "failed": 0, "stopped": None}
    if not gateway(ctx).configured:
        counts["stopped"] = gateway(ctx).problem()
        counts["waiting"] = _count(ctx, "waiting")
        return counts
    while max_ops is None or counts["sent"] + counts["failed"] < max_ops:
        row = ctx.store.one(
            "SELECT * FROM stripe_outbox WHERE status='waiting' ORDER BY id LIMIT 1"
        )
        if row is None or (until_id is not None and row["id"] > until_id):
            break
        if not ignore_backoff and parse_iso(row["next_attempt_at"]) > ctx.clock.now():
            counts["stopped"] = row["last_error"] or "waiting to retry"
            break
        try:
            outcome = send(ctx, row)
        except TransientError as err:
            counts["stopped"] = err.message
            if until_id is not None:
                raise
            break
        counts["sent" if outcome == "done" else "failed"] += 1
    counts["waiting"] = _count(ctx, "waiting")
    return counts


def drop(ctx: Context, outbox_id: int, reason: str) -> None:
    """Withdraw a waiting row that no longer makes sense (inside the caller's transaction)."""
    ctx.store.execute(
        "UPDATE stripe_outbox SET status='dropped', last_error=?, updated_at=? "
        "WHERE id=? AND status='waiting'",
        (reason, ctx.now_iso(), outbox_id),
    )


def retry_failed(ctx: Context, outbox_id: int, *, actor: str) -> None:
    """Staff fixed the cause (e.g. the key's permissions): send a failed row again."""
    with ctx.store.transaction():
        row = ctx.store.one("SELECT status FROM stripe_outbox WHERE id=?", (outbox_id,))
        if row is None:
            raise NotFound(f"There is no Stripe request number {outbox_id}.")
        if row["status"] != "failed":
            raise StateError("Only a failed Stripe request can be sent again.")
        ctx.store.execute(
            "UPDATE stripe_outbox SET status='waiting', next_attempt_at=?, updated_at=? WHERE id=?",
            (ctx.now_iso(), ctx.now_iso(), outbox_id),
        )
        audit.record(ctx, actor, "stripe.retry", "stripe_outbox", outbox_id)


def _count(ctx: Context, status: str) -> int:
    return int(ctx.store.scalar("SELECT count(*) FROM stripe_outbox WHERE status=?", (status,)))


def _meta(ctx: Context, key: str) -> str | None:
    return ctx.store.scalar("SELECT value FROM meta WHERE key=?", (f"stripe.{key}",))


def sync_state(ctx: Context) -> dict[str, Any]:
    """What the always-visible indicator shows: online / offline / N waiting / failed."""
    online = _meta(ctx, "online")
    return {
        "online": None if online is None else online == "1",
        "waiting": _count(ctx, "waiting"),
        "failed": _count(ctx, "failed"),
        "last_error": _meta(ctx, "last_error"),
        "last_sync_at": _meta(ctx, "last_sync_at"),
    }


def failed_rows(ctx: Context, limit: int = 50) -> list[dict[str, Any]]:
    """Requests Stripe refused, with its message, for staff to act on."""
    return ctx.store.query(
        "SELECT id, kind, entity, entity_id, last_error, updated_at FROM stripe_outbox "
        "WHERE status='failed' ORDER BY id DESC LIMIT ?",
        (limit,),
    )
