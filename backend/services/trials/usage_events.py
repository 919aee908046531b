"""Recording usage events, set-wise: a batch sent as one, or single events grouped.

However events arrive — a batch of up to :data:`BATCH_MAX` (``POST /usage/events``,
``usage import``) or one at a time from many callers at once — they are recorded the same
way, in one transaction: the events' earlier answers and their customers' standings are
read in a handful of queries, each event is decided in order by
:func:`backend.services.trials.usage_rules.decide` (so an event sees what the events
before it did: the last credit taken, an agent started), and the rows are written
together. Single events arriving while a commit is in flight wait and go into the next
one (group commit, :class:`_Group`): one commit for many callers, no added wait for a
caller on its own.

An event refused (malformed, no such customer, its id reused for another customer or
kind) is answered in its own slot and writes nothing; the others go on. A repeated id —
sent before, or twice in one batch — gets the first answer and counts nothing again. Any
other failure (the database) rolls the whole transaction back, so a retry is safe. Why:
docs/decisions.md ("Usage in batches", "Group commit").
"""

from __future__ import annotations

import threading
import weakref
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from backend.clock import to_iso
from backend.context import Context
from backend.errors import (
    CheckoutError,
    ConstraintViolation,
    IdempotencyConflict,
    NotFound,
    StoreError,
    ValidationError,
)
from backend.services.trials import trials, usage_rules
from backend.services.trials.usage_rules import TRIAL_EXPIRED, marks
from backend.store import Store

BATCH_MAX = 1000
FIELDS = ("customer_id", "kind", "event_id")
#: customer numbers as the interface bounds them (larger are not safe in JSON)
CUSTOMER_ID_MAX = 2**53
#: how often a batch is tried again when another store's transaction took one of its
#: event ids at the same moment (PostgreSQL; the retry then sees that id and refuses it)
RACE_RETRIES = 3

#: one event as the engine takes it: customer, kind, event id, who reported it
Item = tuple[int, str, str, str]
#: an event's answer, or the error refusing it
Outcome = dict[str, Any] | CheckoutError


def record_usage(
    ctx: Context, *, customer_id: int, kind: str, event_id: str, actor: str
) -> dict[str, Any]:
    """Check one usage event against the customer's plan, record it, and answer.

    Returns ``{"allowed", "reason", "credits_left"}``; ``credits_left`` is None when the
    plan does not run on credits. A repeated ``event_id`` returns the first answer (same
    customer and kind) or raises :class:`IdempotencyConflict`; no such customer is
    :class:`NotFound`. Events reported at the same moment share one commit.
    """
    usage_rules.check_event(kind, event_id)
    item = (customer_id, kind, event_id, actor)
    if ctx.store.in_transaction:  # part of the caller's change: no group to join
        outcome = _apply(ctx, [item])[0]
    else:
        outcome = _group(ctx.store).submit(ctx, item)
    if isinstance(outcome, CheckoutError):
        raise outcome
    return outcome


def record_batch(ctx: Context, events: Any, *, actor: str) -> list[dict[str, Any]]:
    """Check and record each event; one answer per event, in order.

    An answer is ``{"event_id", "allowed", "reason", "credits_left"}`` as for one event,
    or ``{"event_id", "error": {"code", "message", "field"}}`` for an event refused
    (``event_id`` is None when the event did not carry a usable one). The batch as a whole
    is refused (nothing written) when it is not a list or holds more than
    :data:`BATCH_MAX` events.
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
    parsed: list[Item | ValidationError] = []
    for event in events:
        try:
            parsed.append((*parse_event(event), actor))
        except ValidationError as exc:
            parsed.append(exc)
    items = [p for p in parsed if not isinstance(p, ValidationError)]
    outcomes = iter(_commit(ctx, items) if items else [])
    results = []
    for event, entry in zip(events, parsed, strict=True):
        outcome = entry if isinstance(entry, ValidationError) else next(outcomes)
        if isinstance(outcome, CheckoutError):
            results.append(refusal(event, outcome))
        else:
            results.append({"event_id": event["event_id"], **outcome})
    return results


def _commit(ctx: Context, items: list[Item]) -> list[Outcome]:
    """Record checked events in one transaction of their own (tried again when another
    store's transaction took one of their ids at the same moment)."""
    scope = ("customer", tuple(sorted({item[0] for item in items})))
    for attempt in range(RACE_RETRIES):
        try:
            with ctx.store.transaction(scope=scope):
                return _apply(ctx, items)
        except ConstraintViolation as exc:
            if exc.kind != "unique" or ctx.store.in_transaction or attempt + 1 == RACE_RETRIES:
                raise
    raise AssertionError("unreachable")


def _apply(ctx: Context, items: list[Item]) -> list[Outcome]:
    """Decide each event in order and write the lot, inside the caller's transaction."""
    if not ctx.store.in_transaction:
        raise RuntimeError("usage events are applied inside a write transaction")
    now = ctx.clock.now()
    at = to_iso(now)
    month = at[:7]
    event_ids = sorted({item[2] for item in items})
    first: dict[str, tuple[int, str, dict[str, Any]]] = {
        row[0]: (row[1], row[2], _answer(row[3], row[4], row[5]))
        for row in ctx.store.fetchall(
            "SELECT event_id, customer_id, kind, allowed, reason, credits_left "
            f"FROM usage_events WHERE event_id IN ({marks(len(event_ids))})",
            event_ids,
        )
    }
    fresh = {item[0] for item in items if item[2] not in first}
    standings = usage_rules.standings(ctx, fresh, now)
    outcomes: list[Outcome] = []
    events: list[tuple[Any, ...]] = []
    debits: list[tuple[Any, ...]] = []
    agents: dict[int, int] = defaultdict(int)
    expiring: dict[int, str] = {}
    for customer_id, kind, event_id, actor in items:
        if event_id in first:
            was_customer, was_kind, answer = first[event_id]
            if (was_customer, was_kind) == (customer_id, kind):
                outcomes.append(answer)
            else:
                outcomes.append(
                    IdempotencyConflict(
                        f"The usage event id {event_id!r} was already used for another "
                        "customer or kind; send a new id."
                    )
                )
            continue
        standing = standings.get(customer_id)
        if standing is None:
            outcomes.append(NotFound(f"There is no customer number {customer_id}."))
            continue
        if standing.plan.trial_due:
            expiring.setdefault(customer_id, actor)
            standing.plan = TRIAL_EXPIRED
        decision = usage_rules.decide(standing, kind)
        allowed = decision.refusal is None
        answer = _answer(allowed, decision.refusal, decision.credits_left)
        first[event_id] = (customer_id, kind, answer)
        outcomes.append(answer)
        refused, left, delta = decision.refusal, decision.credits_left, decision.agents_delta
        events.append(
            (event_id, customer_id, kind, at, month, allowed, refused, left, actor, delta)
        )
        if decision.debit_bucket is not None:
            debits.append((customer_id, at, decision.debit_bucket, f"usage:{event_id}", actor))
        agents[customer_id] += decision.agents_delta
    for customer_id, actor in expiring.items():
        trials.expire_trial(ctx, customer_id, actor=actor)
    _write(ctx, events, debits, [(cid, delta) for cid, delta in agents.items() if delta])
    return outcomes


def _write(
    ctx: Context,
    events: list[tuple[Any, ...]],
    debits: list[tuple[Any, ...]],
    agents: list[tuple[int, int]],
) -> None:
    """The decided events, their debits (the ledger's guard still checks each one) and
    the net change to each customer's agents running: a few statements, many rows."""
    if events:
        ctx.store.executemany(
            "INSERT INTO usage_events (event_id, customer_id, kind, at, month, allowed, "
            "reason, credits_left, actor, agents_delta) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            events,
        )
    if debits:
        ctx.store.executemany(
            "INSERT INTO credit_ledger (customer_id, at, kind, bucket, amount, reason, "
            "idempotency_key, actor) VALUES (?, ?, 'debit', ?, -1, 'workflow', ?, ?)",
            debits,
        )
    if agents:
        # a new row starts at the increase; a decrease only ever meets an existing row
        # (an agent is stopped only while one runs), so its inserted 0 is never used
        ctx.store.executemany(
            "INSERT INTO usage_agents (customer_id, running) VALUES (?, ?) "
            "ON CONFLICT(customer_id) DO UPDATE SET running = usage_agents.running + ?",
            [(cid, max(delta, 0), delta) for cid, delta in agents],
        )


def _answer(allowed: Any, reason: str | None, credits_left: int | None) -> dict[str, Any]:
    return {"allowed": bool(allowed), "reason": reason, "credits_left": credits_left}


# group commit ------------------------------------------------------------------------
@dataclass(eq=False)
class _Slot:
    """One caller's event waiting in a group: its answer, once the group has committed,
    or its turn to lead the next group."""

    ctx: Context
    item: Item
    turn: threading.Event = field(default_factory=threading.Event)
    outcome: Outcome | None = None


class _Group:
    """Group commit for one store: the first caller leads, recording every event waiting
    (up to :data:`BATCH_MAX`, of its own context) in one transaction; callers arriving
    meanwhile wait, and the first of them leads the next group. A caller alone commits at
    once, as it would without a group."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._waiting: list[_Slot] = []
        self._busy = False

    def state(self) -> tuple[bool, int]:
        """(a group is being recorded, callers queued for the next)."""
        with self._lock:
            return self._busy, len(self._waiting)

    def submit(self, ctx: Context, item: Item) -> Outcome:
        slot = _Slot(ctx, item)
        with self._lock:
            self._waiting.append(slot)
            leads = not self._busy
            self._busy = True
        if not leads:
            slot.turn.wait()
        if slot.outcome is None:  # no answer yet: this caller's turn to lead
            self._lead(slot)
        assert slot.outcome is not None
        return slot.outcome

    def _lead(self, leader: _Slot) -> None:
        with self._lock:
            group = [s for s in self._waiting if s.ctx is leader.ctx][:BATCH_MAX]
            self._waiting = [s for s in self._waiting if s not in group]
        try:
            outcomes = _commit(leader.ctx, [s.item for s in group])
        except CheckoutError as exc:  # nothing was written: every caller hears why
            outcomes = [exc] * len(group)
        except BaseException:
            outcomes = [StoreError("The usage event was not recorded; send it again.")] * len(group)
            raise
        finally:
            for slot, outcome in zip(group, outcomes, strict=True):
                slot.outcome = outcome
            with self._lock:
                if self._waiting:
                    self._waiting[0].turn.set()  # the next group's leader
                else:
                    self._busy = False
            for slot in group:
                slot.turn.set()


_groups: weakref.WeakKeyDictionary[Store, _Group] = weakref.WeakKeyDictionary()
_groups_lock = threading.Lock()


def _group(store: Store) -> _Group:
    with _groups_lock:
        group = _groups.get(store)
        if group is None:
            group = _groups[store] = _Group()
        return group


def group_state(store: Store) -> tuple[bool, int]:
    """Whether a group of single events is being recorded on ``store`` by this process,
    and how many callers are queued for the next one (for tests and diagnostics)."""
    return _group(store).state()


# parsing -----------------------------------------------------------------------------
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
    usage_rules.check_event(kind, event_id, ascii_only=True)
    return customer_id, kind, event_id


def refusal(event: Any, exc: CheckoutError) -> dict[str, Any]:
    """The answer slot of an event that was refused: its id (when usable) and the error."""
    error: dict[str, Any] = {"code": exc.code, "message": exc.message}
    if exc.field:
        error["field"] = exc.field
    return {"event_id": _usable_id(event), "error": error}


def _usable_id(event: Any) -> str | None:
    event_id = event.get("event_id") if isinstance(event, dict) else None
    if isinstance(event_id, str) and 0 < len(event_id) <= usage_rules.EVENT_ID_MAX:
        return event_id
    return None
