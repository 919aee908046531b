"""Group commit: single usage events reported at the same moment share one commit, and
each caller still gets its own answer, decided in arrival order by the same rules."""

from __future__ import annotations

import dataclasses
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from backend.errors import IdempotencyConflict, NotFound, StoreError
from backend.services.shop import customers
from backend.services.trials import credits, trials, usage_events
from backend.store import open_store
from tests.integration.ledger_checks import check_invariants

CALLERS = 20


def new_trialist(ctx, name: str) -> int:
    cid = customers.add_customer(ctx, name=name, email=f"{name}@example.com", actor="t")["id"]
    trials.start_trial(ctx, cid, actor="t")  # 10 credits
    return cid


def report(ctx, cid: int, event_id: str, kind: str = "workflow"):
    try:
        return usage_events.record_usage(
            ctx, customer_id=cid, kind=kind, event_id=event_id, actor="api:autoos"
        )
    except (NotFound, IdempotencyConflict) as exc:
        return exc


class HeldStore:
    """Another change holds the store's write transaction until released, so callers
    arriving meanwhile queue behind the first one (as they do behind a slow commit)."""

    def __init__(self, ctx) -> None:
        self.ctx = ctx
        self.holding = threading.Event()
        self.release = threading.Event()
        self.thread = threading.Thread(target=self._hold, daemon=True)

    def _hold(self) -> None:
        with self.ctx.store.transaction():
            self.holding.set()
            self.release.wait(30)

    def __enter__(self) -> HeldStore:
        self.thread.start()
        assert self.holding.wait(30)
        return self

    def __exit__(self, *exc: object) -> None:
        self.release.set()
        self.thread.join(30)


def queue_behind_a_held_store(ctx, pool, calls):
    """Submit ``calls`` in this order: the first leads its group (and waits for the held
    store), each of the rest queues behind it; their futures, in order."""
    futures = [pool.submit(*calls[0])]
    # it took its group, and nobody else is queued
    wait_until(lambda: usage_events.group_state(ctx.store) == (True, 0))
    for n, call in enumerate(calls[1:], 1):
        futures.append(pool.submit(*call))
        wait_until(lambda n=n: usage_events.group_state(ctx.store) == (True, n))
    return futures


def commits_during(ctx, work):
    count = [0]

    def counted() -> None:
        count[0] += 1

    stop = ctx.store.on_commit(counted)
    try:
        result = work()
    finally:
        stop()
    return result, count[0]


def test_events_reported_together_share_commits_and_each_gets_its_answer(ctx):
    people = [new_trialist(ctx, f"p{i}") for i in range(4)]

    def run():
        with ThreadPoolExecutor(CALLERS) as pool, HeldStore(ctx):
            calls = [(report, ctx, people[i % 4], f"e{i}") for i in range(CALLERS)]
            futures = queue_behind_a_held_store(ctx, pool, calls)
        return [f.result() for f in futures]

    answers, commits = commits_during(ctx, run)
    # the held change, the first caller alone, then the 19 who queued behind it as one
    assert commits == 3
    assert all(a["allowed"] for a in answers)
    left = {cid: credits.balance(ctx, cid) for cid in people}
    assert left == dict.fromkeys(people, 10 - CALLERS // 4)
    assert ctx.store.scalar("SELECT count(*) FROM usage_events") == CALLERS
    check_invariants(ctx.store)


def test_a_group_decides_in_arrival_order_and_refuses_only_the_bad_events(ctx):
    cid = new_trialist(ctx, "asha")
    other = new_trialist(ctx, "ravi")
    for i in range(8):  # 2 credits left
        usage_events.record_usage(
            ctx, customer_id=cid, kind="workflow", event_id=f"pre{i}", actor="t"
        )

    calls = [(cid, "w0"), (cid, "w1"), (999_999, "ghost"), (other, "w1"), (cid, "w2")]
    calls.append((cid, "w1"))
    with ThreadPoolExecutor(6) as pool, HeldStore(ctx):
        futures = queue_behind_a_held_store(ctx, pool, [(report, ctx, *c) for c in calls])
    w0, w1, ghost, stolen, w2, again = [f.result() for f in futures]
    assert (w0["allowed"], w0["credits_left"]) == (True, 1)
    assert (w1["allowed"], w1["credits_left"]) == (True, 0)
    assert isinstance(ghost, NotFound)
    assert isinstance(stolen, IdempotencyConflict)  # w1 went to asha just before
    assert (w2["allowed"], w2["reason"]) == (False, "monthly_limit")  # 10 a month
    assert again == w1  # the same id again: the first answer
    assert credits.balance(ctx, cid) == 0
    assert credits.balance(ctx, other) == 10
    check_invariants(ctx.store)


def test_a_caller_alone_commits_at_once(ctx):
    cid = new_trialist(ctx, "asha")
    answer, commits = commits_during(ctx, lambda: report(ctx, cid, "solo"))
    assert (answer["allowed"], commits) == (True, 1)


def test_a_failed_group_tells_every_caller_and_the_next_group_goes_on(ctx, monkeypatch):
    cid = new_trialist(ctx, "asha")
    real_write = usage_events._write
    broken = threading.Event()

    def failing_write(*args):
        if not broken.is_set():
            broken.set()
            raise StoreError("The database went away.")
        return real_write(*args)

    monkeypatch.setattr(usage_events, "_write", failing_write)
    with ThreadPoolExecutor(3) as pool, HeldStore(ctx):
        calls = [(record, ctx, cid, f"f{i}") for i in range(3)]
        futures = queue_behind_a_held_store(ctx, pool, calls)
    outcomes = [f.exception() or f.result() for f in futures]
    # the first group (its leader alone) failed; the two queued behind it were recorded
    assert isinstance(outcomes[0], StoreError)
    assert "went away" in outcomes[0].message
    assert [o["allowed"] for o in outcomes[1:]] == [True, True]
    assert ctx.store.scalar("SELECT count(*) FROM usage_events") == 2
    assert credits.balance(ctx, cid) == 8
    # a caller told "not recorded" sends again and is counted once
    assert record(ctx, cid, "f0")["allowed"]
    assert credits.balance(ctx, cid) == 7
    check_invariants(ctx.store)


def record(ctx, cid: int, event_id: str):
    return usage_events.record_usage(
        ctx, customer_id=cid, kind="workflow", event_id=event_id, actor="api:autoos"
    )


def wait_until(condition, timeout: float = 30) -> None:
    """Wait for a condition another thread makes true (woken by polling its state)."""
    done = threading.Event()
    deadline = threading.Timer(timeout, done.set)
    deadline.start()
    try:
        while not condition():
            if done.wait(0.005):
                pytest.fail("the condition did not come true in time")
    finally:
        deadline.cancel()


def test_an_id_taken_by_another_stores_open_transaction_is_refused_after_it_commits(
    ctx, db_path, monkeypatch
):
    """Two stores (two tills, or two serve workers) report the same event id for two
    customers at once. On PostgreSQL the second store's transaction, holding only its own
    customer's lock, did not see the first one's uncommitted row: its insert waits on the
    key, fails once the first commits, and the whole transaction is tried again, which
    now finds the id taken. On SQLite the second waits for the file's write lock and
    finds it taken at once. Either way: one event, the second caller told the id is
    reused, and nothing written for its customer."""
    engine = ctx.store.engine
    first, second = new_trialist(ctx, "ravi"), new_trialist(ctx, "meera")
    other = dataclasses.replace(ctx, store=open_store(db_path))
    applied: list[int] = []
    apply = usage_events._apply
    monkeypatch.setattr(
        usage_events,
        "_apply",
        lambda c, items: applied.append(items[0][0]) or apply(c, items),
    )
    holding, release = threading.Event(), threading.Event()

    def first_store() -> None:  # the first till's change, still open
        with ctx.store.transaction(scope=("customer", (first,))):
            report(ctx, first, "same-id")
            holding.set()
            release.wait(30)

    till = threading.Thread(target=first_store)
    till.start()
    try:
        assert holding.wait(30)
        with ThreadPoolExecutor(1) as pool:
            answer = pool.submit(report, other, second, "same-id")
            if engine == "postgresql":  # the second insert waits on the first's key
                wait_until(lambda: waiting_on_a_lock(ctx) == 1)
            release.set()
            till.join(30)
            refused = answer.result(30)
    finally:
        release.set()
        till.join(30)
        other.store.close()
    assert isinstance(refused, IdempotencyConflict)
    # PostgreSQL decided the second customer's event twice: before and after the race
    assert applied == [first, second, second] if engine == "postgresql" else [first, second]
    assert ctx.store.fetchall("SELECT customer_id FROM usage_events") == [(first,)]
    assert credits.balance(ctx, second) == 10
    assert credits.balance(ctx, first) == 9
    check_invariants(ctx.store)


def waiting_on_a_lock(ctx) -> int:
    """Sessions of this database waiting for a row or key lock (PostgreSQL)."""
    return ctx.store.scalar(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
        "AND wait_event_type = 'Lock'"
    )
