"""The outbox: every Stripe write is a row, with its idempotency key, before it is sent.

A change (new customer, upgrade, refund …) commits its outbox row in the same SQLite
transaction as the local change. The sync worker sends rows oldest first. The request
body is frozen in the row before the first attempt, so every retry sends the same key
with the same body and Stripe replays its first answer instead of repeating the work —
which is what makes a crash, a timeout or a dropped connection harmless.

Outcomes: success → the operation's ``apply`` updates the local mirror and the row is
``done`` (one transaction); offline, timeout, 409, 429, 5xx → the row waits, with
``next_attempt_at`` pushed back exponentially from the clock; any other 4xx → ``failed``
with Stripe's message for staff, never retried on its own. An answer that cannot be
recorded locally (a bug, a malformed object) fails only its own row (a savepoint inside
the batch), with a message for staff; the rest of the batch is applied.

Order: each row belongs to a *lane* — ``catalog``, or one customer (its record,
subscriptions, checkouts, refunds). Within a lane rows leave strictly in order (a
subscription needs its customer; a row in backoff holds the ones behind it); customer
lanes also wait for earlier catalog rows (they need the prices). Different lanes run
side by side, a few requests in flight at once (``stripe.sync_concurrency``), and the
answers are applied in batches of one transaction each: HTTP calls never run inside a
transaction, and a crash before a batch commits only means those rows are sent again
with the same keys and Stripe replays its answers.
"""

from __future__ import annotations

import contextlib
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from itertools import chain
from typing import TYPE_CHECKING, Any

from backend.adapters.stripe_gateway import gateway
from backend.clock import parse_iso, to_iso
from backend.context import Context
from backend.errors import (
    CheckoutError,
    ConfigError,
    NotConfigured,
    NotFound,
    ProviderBusy,
    RejectedError,
    StateError,
    TransientError,
)
from backend.store import audit

if TYPE_CHECKING:  # imported by drain(): a till's start-up does not load thread pools
    from concurrent.futures import Future, ThreadPoolExecutor

BACKOFF_BASE_SECONDS = 5
BACKOFF_MAX_SECONDS = 600
FLUSH_EVERY = 64  # answers applied per transaction
CATALOG_LANE = "catalog"
SYNC_ACTOR = "stripe-sync"


@dataclass(frozen=True)
class Operation:
    """How to turn a row's payload into a Stripe call, and its answer into local state.

    ``build(ctx, payload) -> {"op", "args", "params"}`` runs once, before the first send.
    ``apply(ctx, payload, result)`` runs inside the transaction that marks the row done.
    ``rejected(ctx, payload, error)`` (optional) runs inside the one that marks it failed
    (Stripe refused it, or it could not be built: either way it will not be sent).
    """

    build: Callable[[Context, dict[str, Any]], dict[str, Any]]
    apply: Callable[[Context, dict[str, Any], dict[str, Any]], None]
    rejected: Callable[[Context, dict[str, Any], CheckoutError], None] | None = None
    #: for objects created with our own fixed id: the answer to apply when Stripe says it
    #: already exists (another till, or an earlier install, created it)
    exists: Callable[[dict[str, Any]], dict[str, Any]] | None = None


OPERATIONS: dict[str, Operation] = {}


def operation(kind: str, op: Operation) -> None:
    OPERATIONS[kind] = op


#: imports every module that registers an operation (set by ``backend.services``, which
#: knows its own modules; this layer never imports the services above it)
_loader: Callable[[], None] | None = None


def set_loader(load: Callable[[], None]) -> None:
    global _loader
    _loader = load


def _load_operations() -> None:
    if _loader is not None:
        _loader()


def _operation(kind: str) -> Operation:
    try:
        return OPERATIONS[kind]
    except KeyError:
        raise ConfigError(
            f"No service sends Stripe requests of kind {kind!r}: import backend.services "
            "before draining the outbox."
        ) from None


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
    new_id = ctx.store.insert(
        "INSERT INTO stripe_outbox (idempotency_key, kind, entity, entity_id, lane, payload, "
        "request, status, next_attempt_at, actor, created_at, updated_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, 'waiting', ?, ?, ?, ?) RETURNING id",
        (
            key,
            kind,
            entity,
            str(entity_id),
            _lane(ctx, entity, entity_id),
            json.dumps(payload, sort_keys=True),
            json.dumps(request, sort_keys=True) if request is not None else None,
            now,
            actor,
            now,
            now,
        ),
    )
    audit.record(ctx, actor, "stripe.queue", entity, entity_id, kind=kind, outbox_id=new_id)
    return new_id


#: how to find the local customer a record belongs to, by entity
_CUSTOMER_OF = {
    "subscription": "SELECT customer_id FROM subscriptions WHERE id=?",
    "payment": "SELECT customer_id FROM payments WHERE id=?",
    "refund": "SELECT p.customer_id FROM refunds r JOIN payments p ON p.id = r.payment_id "
    "WHERE r.id=?",
}


def _lane(ctx: Context, entity: str, entity_id: object) -> str:
    if entity in ("stripe_product", "stripe_price"):
        return CATALOG_LANE
    if entity == "customer":
        return f"customer:{entity_id}"
    if entity in _CUSTOMER_OF:
        return f"customer:{ctx.store.scalar(_CUSTOMER_OF[entity], (entity_id,))}"
    return f"{entity}:{entity_id}"


def pending(
    ctx: Context,
    entity: str,
    entity_id: object,
    kind: str,
    statuses: tuple[str, ...] = ("waiting", "done"),
) -> dict[str, Any] | None:
    """The newest row of that kind for that record in one of ``statuses``, if any."""
    marks = ", ".join("?" for _ in statuses)
    return ctx.store.one(
        "SELECT * FROM stripe_outbox WHERE entity=? AND entity_id=? AND kind=? "
        f"AND status IN ({marks}) ORDER BY id DESC LIMIT 1",
        (entity, str(entity_id), kind, *statuses),
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
        if online:
            _set_online(ctx)
        else:
            _set_meta(ctx, online="0", last_error=error)


def _set_online(ctx: Context) -> None:
    """Stripe answered: online, and the error that made us offline is no longer true."""
    _set_meta(ctx, online="1", last_sync_at=ctx.now_iso(), last_error=None)


def _freeze(ctx: Context, row: dict[str, Any]) -> dict[str, Any]:
    """Build the request once and store it with the row, before anything is sent."""
    if row["request"]:
        return json.loads(row["request"])
    # read again: an earlier answer may have completed the payload since the row was read
    fresh = ctx.store.one("SELECT payload, request FROM stripe_outbox WHERE id=?", (row["id"],))
    if fresh and fresh["request"]:
        return json.loads(fresh["request"])
    payload = fresh["payload"] if fresh else row["payload"]
    request = _operation(row["kind"]).build(ctx, json.loads(payload))
    with ctx.store.transaction():
        ctx.store.execute(
            "UPDATE stripe_outbox SET request=?, updated_at=? WHERE id=? AND request IS NULL",
            (json.dumps(request, sort_keys=True), ctx.now_iso(), row["id"]),
        )
        stored = ctx.store.scalar("SELECT request FROM stripe_outbox WHERE id=?", (row["id"],))
    return json.loads(stored)


def _fail(ctx: Context, row: dict[str, Any], err: CheckoutError) -> None:
    op = _operation(row["kind"])
    with ctx.store.transaction():
        changed = ctx.store.execute(
            "UPDATE stripe_outbox SET status='failed', attempts=attempts+1, last_error=?, "
            "updated_at=? WHERE id=? AND status='waiting'",
            (err.message, ctx.now_iso(), row["id"]),
        ).rowcount
        if changed and op.rejected:  # refused by Stripe, or impossible to build: for good
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
        # Stripe answering with an error is online (the row backs off); no answer is not
        online = "1" if isinstance(err, ProviderBusy) else "0"
        _set_meta(ctx, online=online, last_error=err.message)


def _call(ctx: Context, row: dict[str, Any], request: dict[str, Any]) -> dict[str, Any]:
    """The HTTP part, run on a worker thread: no database access here."""
    return gateway(ctx).call(
        request["op"],
        request.get("args", []),
        request.get("params"),
        idempotency_key=row["idempotency_key"],
    )


@dataclass
class _Drain:
    """One pass over the queue: schedule per lane, call in parallel, apply in batches."""

    ctx: Context
    until_id: int | None
    ignore_backoff: bool
    max_ops: int | None
    pool: ThreadPoolExecutor
    window: int
    in_flight: dict[Future[dict[str, Any]], dict[str, Any]] = field(default_factory=dict)
    answered: list[tuple[dict[str, Any], dict[str, Any]]] = field(default_factory=list)
    busy: set[str] = field(default_factory=set)
    taken: set[int] = field(default_factory=set)
    queue: list[dict[str, Any]] = field(default_factory=list)
    lanes: set[str] | None = None  # only these lanes (a person waits for one request)
    last_id: int = 0
    stopped: str | None = None
    halted_by: TransientError | NotConfigured | None = None  # why this pass stopped sending
    sent: int = 0
    failed: int = 0

    def run(self) -> None:
        from concurrent.futures import FIRST_COMPLETED, wait

        try:
            while True:
                handled = self._schedule()
                if self.in_flight:
                    done, _ = wait(self.in_flight, return_when=FIRST_COMPLETED)
                    for future in done:
                        self._finish(future)
                    if len(self.answered) >= FLUSH_EVERY:
                        self._flush()
                elif self.answered:
                    self._flush()
                elif not handled:
                    break
        finally:
            for future in list(self.in_flight):
                self._finish(future)
            self._flush()

    def _budget(self) -> bool:
        return self.max_ops is None or self.sent + self.failed + len(self.in_flight) < self.max_ops

    def _mine(self, lane: str) -> bool:
        return self.lanes is None or lane in self.lanes

    def _refill(self) -> None:
        """Read this worker's waiting rows queued after those already seen (answers and
        other processes may add rows), until there is enough to schedule from."""
        while len(self.queue) < self.window * 4:
            rows = self.ctx.store.query(
                "SELECT * FROM stripe_outbox WHERE status='waiting' AND id>? ORDER BY id LIMIT 500",
                (self.last_id,),
            )
            if not rows:
                return
            self.last_id = rows[-1]["id"]
            self.queue.extend(row for row in rows if self._mine(row["lane"]))

    def _candidates(self) -> list[dict[str, Any]]:
        """The first untaken row of each lane that may leave now."""
        self.queue = [row for row in self.queue if row["id"] not in self.taken]
        self._refill()
        heads: list[dict[str, Any]] = []
        seen: set[str] = set()
        # the oldest catalog row not yet done: sent and not yet applied, or else the first
        # one met below (the queue holds every waiting row up to last_id, oldest first)
        first_catalog = min(
            (
                row["id"]
                for row in chain(self.in_flight.values(), (pair[0] for pair in self.answered))
                if row["lane"] == CATALOG_LANE
            ),
            default=None,
        )
        now = self.ctx.clock.now()
        for row in self.queue:
            lane = row["lane"]
            if lane == CATALOG_LANE and first_catalog is None:
                first_catalog = row["id"]
            if lane in seen:
                continue
            seen.add(lane)
            if lane in self.busy:
                continue
            if self.until_id is not None and row["id"] > self.until_id:
                continue
            if lane != CATALOG_LANE and first_catalog is not None and first_catalog < row["id"]:
                continue
            if not self.ignore_backoff and parse_iso(row["next_attempt_at"]) > now:
                self.stopped = self.stopped or row["last_error"] or "waiting to retry"
                continue
            heads.append(row)
            if len(heads) >= self.window:
                break
        return heads

    def _schedule(self) -> int:
        """Start requests for lane heads while there is room; returns rows handled."""
        handled = 0
        if self.stopped is not None and self.stopped.startswith("!"):
            return 0
        for row in self._candidates():
            if len(self.in_flight) >= self.window or not self._budget():
                break
            if not row["request"]:
                self._flush()  # its build may read what earlier answers changed
            try:
                request = _freeze(self.ctx, row)
            except (RejectedError, NotFound, StateError) as err:
                _fail(self.ctx, row, err)
                self.taken.add(row["id"])
                self.failed += 1
                handled += 1
                continue
            self.busy.add(row["lane"])
            self.taken.add(row["id"])
            self.in_flight[self.pool.submit(_call, self.ctx, row, request)] = row
            handled += 1
        return handled

    def _finish(self, future: Future[dict[str, Any]]) -> None:
        row = self.in_flight.pop(future)
        try:
            result = future.result()
        except TransientError as err:
            _postpone(self.ctx, row, err)
            self.busy.discard(row["lane"])
            self._halt(err)  # offline or overloaded: start nothing new
            return
        except NotConfigured as err:
            # the key was refused: the shop's setup, not this request, is wrong; the row
            # keeps its place and tries again once the key is fixed
            with self.ctx.store.transaction():
                _set_meta(self.ctx, online="0", last_error=err.message)
            self.busy.discard(row["lane"])
            self._halt(err)
            return
        except RejectedError as err:
            op = _operation(row["kind"])
            if op.exists and getattr(err, "stripe_code", None) == "resource_already_exists":
                self.answered.append((row, op.exists(json.loads(row["payload"]))))
                return
            self._flush()
            _fail(self.ctx, row, err)
            self.failed += 1
            self.busy.discard(row["lane"])
            return
        self.answered.append((row, result))

    def _halt(self, err: TransientError | NotConfigured) -> None:
        self.halted_by = self.halted_by or err
        self.stopped = "!" + err.message

    def _flush(self) -> None:
        """Apply the collected answers in one transaction, in the order they were queued."""
        if not self.answered:
            return
        batch = sorted(self.answered, key=lambda pair: pair[0]["id"])
        self.answered = []
        broken = 0
        with self.ctx.store.transaction():
            for row, result in batch:
                try:  # one answer that cannot be applied must not hold the others back
                    with self.ctx.store.savepoint():
                        _apply(self.ctx, row, result)
                except Exception as exc:  # any bug in an apply: isolate the row
                    _unappliable(self.ctx, row, result, exc)
                    broken += 1
            _set_online(self.ctx)
        self.sent += len(batch) - broken
        self.failed += broken
        for row, _ in batch:
            self.busy.discard(row["lane"])


def _apply(ctx: Context, row: dict[str, Any], result: dict[str, Any]) -> None:
    changed = ctx.store.execute(
        "UPDATE stripe_outbox SET status='done', attempts=attempts+1, result_id=?, "
        "last_error=NULL, updated_at=? WHERE id=? AND status='waiting'",
        (result.get("id"), ctx.now_iso(), row["id"]),
    ).rowcount
    if changed:
        _operation(row["kind"]).apply(ctx, json.loads(row["payload"]), result)
        audit.record(
            ctx,
            SYNC_ACTOR,
            "stripe.sent",
            row["entity"],
            row["entity_id"],
            kind=row["kind"],
            stripe_id=result.get("id"),
        )


def _unappliable(ctx: Context, row: dict[str, Any], result: dict[str, Any], exc: Exception) -> None:
    """Stripe did the work but its answer could not be recorded here (inside the batch's
    transaction, after the row's own savepoint was undone): the row is ``failed`` with a
    message for staff, who can look the object up in Stripe and send the row again."""
    detail = exc.message if isinstance(exc, CheckoutError) else f"{type(exc).__name__}: {exc}"
    detail = detail[:200]
    message = (
        f"Stripe accepted this request ({result.get('id') or 'no id'}), but its answer "
        f"could not be recorded here ({detail}). Check it in Stripe, then send it again."
    )
    ctx.store.execute(
        "UPDATE stripe_outbox SET status='failed', attempts=attempts+1, last_error=?, "
        "result_id=?, updated_at=? WHERE id=? AND status='waiting'",
        (message, result.get("id"), ctx.now_iso(), row["id"]),
    )
    audit.record(
        ctx,
        SYNC_ACTOR,
        "stripe.unappliable",
        row["entity"],
        row["entity_id"],
        kind=row["kind"],
        stripe_id=result.get("id"),
        error=message,
    )


def drain(
    ctx: Context,
    *,
    until_id: int | None = None,
    ignore_backoff: bool = False,
    max_ops: int | None = None,
) -> dict[str, Any]:
    """Send waiting rows until the queue is empty, or what is left must wait.

    ``until_id`` only sends that row and what must precede it (earlier rows of its lane
    and the catalog) and raises TransientError if Stripe could not be reached (or
    NotConfigured if it refused the key): a person
    is waiting for that very request. Otherwise a transient failure just ends this
    pass, reported in ``stopped``.
    """
    counts: dict[str, Any] = {"sent": 0, "failed": 0, "stopped": None, "unreachable": False}
    problem = gateway(ctx).problem()
    if problem:
        counts.update(stopped=problem, waiting=_count(ctx, "waiting"))
        return counts
    _load_operations()
    window = max(1, ctx.settings.stripe.sync_concurrency)
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=window, thread_name_prefix="stripe-sync") as pool:
        run = _Drain(ctx, until_id, ignore_backoff, max_ops, pool, window)
        if until_id is not None:
            lane = ctx.store.scalar("SELECT lane FROM stripe_outbox WHERE id=?", (until_id,))
            run.lanes = {lane, CATALOG_LANE}
        run.run()
    unreachable = bool(run.stopped and run.stopped.startswith("!"))
    stopped = run.stopped[1:] if unreachable and run.stopped else run.stopped
    # ``unreachable``: Stripe failed us in this pass; otherwise ``stopped`` may only mean
    # that some rows wait out their backoff
    counts.update(sent=run.sent, failed=run.failed, stopped=stopped, unreachable=unreachable)
    counts["waiting"] = _count(ctx, "waiting")
    if until_id is not None and unreachable:
        still = ctx.store.scalar("SELECT status FROM stripe_outbox WHERE id=?", (until_id,))
        if still == "waiting":
            raise run.halted_by or TransientError("Stripe cannot be reached.")
    return counts


def send_now(ctx: Context, outbox_id: int | None) -> None:
    """Send one row (and what must precede it) for a person waiting on it; the rest of the
    queue is the sync worker's. Offline or a refused key: the row waits, nothing raised."""
    if outbox_id is None:
        return
    with contextlib.suppress(TransientError, NotConfigured):  # it waits; sync_state says why
        drain(ctx, until_id=outbox_id)


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
    """What the always-visible indicator shows: online / offline / N waiting / failed.

    ``last_error`` is why Stripe could not be reached, cleared when it answers again;
    requests it refused for good are counted in ``failed`` (see :func:`failed_rows`)."""
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
