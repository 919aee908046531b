"""Usage in batches: answers in order, the rules of one event at a time, idempotency by
event id (across batches and within one), a malformed event refused alone, and a batch
refused as a whole writing nothing."""

from __future__ import annotations

import pytest

from backend.errors import PermissionDenied, ValidationError
from backend.interface import AUTOOS, Caller, CheckoutApi
from backend.services.shop import customers
from backend.services.trials import credits, trials, usage, usage_events
from backend.services.trials.usage_events import BATCH_MAX, record_batch
from tests.integration.ledger_checks import check_invariants, dump, subscribe


def new_customer(ctx, name: str) -> int:
    return customers.add_customer(ctx, name=name, email=f"{name}@example.com", actor="t")["id"]


@pytest.fixture
def trialist(ctx) -> int:
    cid = new_customer(ctx, "asha")
    trials.start_trial(ctx, cid, actor="t")
    return cid


def batch(ctx, events):
    return record_batch(ctx, events, actor="api:autoos")


def ev(cid: int, kind: str, event_id: str) -> dict:
    return {"customer_id": cid, "kind": kind, "event_id": event_id}


def answer_only(result: dict) -> tuple:
    return (result["allowed"], result["reason"], result["credits_left"])


def usage_rows(ctx) -> int:
    return ctx.store.scalar("SELECT count(*) FROM usage_events")


#: credits run out mid-batch (3 left), the trial's 2 agents fill up, a stop frees one
SCRIPT = [
    "workflow",
    "agent_start",
    "workflow",
    "agent_start",
    "agent_start",
    "workflow",
    "workflow",
    "agent_stop",
    "agent_start",
    "workflow",
]


def test_answers_follow_the_rules_of_one_at_a_time_in_order(ctx):
    one, many = new_customer(ctx, "one"), new_customer(ctx, "many")
    for cid in (one, many):
        trials.start_trial(ctx, cid, actor="t")
        credits.debit(ctx, cid, 7, "used before", idempotency_key=f"pre{cid}", actor="t")
    singly = [
        usage_events.record_usage(ctx, customer_id=one, kind=kind, event_id=f"s{i}", actor="t")
        for i, kind in enumerate(SCRIPT)
    ]
    batched = batch(ctx, [ev(many, kind, f"b{i}") for i, kind in enumerate(SCRIPT)])

    assert [r["event_id"] for r in batched] == [f"b{i}" for i in range(len(SCRIPT))]
    assert [answer_only(r) for r in batched] == [answer_only(a) for a in singly]
    # the script really crosses both limits: 3 workflows allowed, then no credits left
    reasons = [r["reason"] for r in batched]
    assert reasons.count("no_credits") == 2
    assert reasons.count("agent_limit") == 1
    assert credits.balance(ctx, many) == 0 == credits.balance(ctx, one)
    assert usage.agents_running(ctx, many) == usage.agents_running(ctx, one) == 2
    check_invariants(ctx.store)


def test_a_paid_plan_batch_spends_no_credits_and_counts_the_month(ctx):
    cid = new_customer(ctx, "paid")
    subscribe(ctx, cid, "student")
    results = batch(ctx, [ev(cid, "workflow", f"w{i}") for i in range(101)])
    assert [r["allowed"] for r in results] == [True] * 100 + [False]
    assert results[-1]["reason"] == "monthly_limit"
    assert {r["credits_left"] for r in results} == {None}


def test_a_resent_batch_gets_the_first_answers_and_counts_nothing(ctx, trialist):
    events = [ev(trialist, "workflow", f"w{i}") for i in range(12)]
    first = batch(ctx, events)
    before = dump(ctx.store.path)
    assert batch(ctx, events) == first
    assert dump(ctx.store.path) == before
    assert credits.balance(ctx, trialist) == 0
    assert check_invariants(ctx.store) == {"debits": 10, "events": 12}


def test_events_recorded_one_at_a_time_are_answered_as_first_recorded(ctx, trialist):
    single = usage_events.record_usage(
        ctx, customer_id=trialist, kind="workflow", event_id="w0", actor="t"
    )
    results = batch(ctx, [ev(trialist, "workflow", "w0"), ev(trialist, "workflow", "w1")])
    assert results == [
        {"event_id": "w0", **single},
        {"event_id": "w1", "allowed": True, "reason": None, "credits_left": 8},
    ]
    assert usage_rows(ctx) == 2
    # and the other way round: a batch's event sent again on its own
    again = usage_events.record_usage(
        ctx, customer_id=trialist, kind="workflow", event_id="w1", actor="t"
    )
    assert again["credits_left"] == 8
    assert check_invariants(ctx.store) == {"debits": 2, "events": 2}


def test_a_duplicate_id_within_a_batch_is_counted_once(ctx, trialist):
    results = batch(
        ctx,
        [
            ev(trialist, "workflow", "dup"),
            ev(trialist, "workflow", "other"),
            ev(trialist, "workflow", "dup"),
            ev(trialist, "agent_start", "dup"),  # reused for another kind: refused alone
        ],
    )
    assert results[0] == {"event_id": "dup", "allowed": True, "reason": None, "credits_left": 9}
    assert results[2] == results[0]  # the first answer, not a second debit
    assert results[1]["credits_left"] == 8
    assert results[3]["error"]["code"] == "idempotency_conflict"
    assert credits.balance(ctx, trialist) == 8
    assert check_invariants(ctx.store) == {"debits": 2, "events": 2}


@pytest.mark.parametrize(
    ("bad", "code", "field", "words"),
    [
        ("not an object", "invalid", "event", "is an object"),
        ({"customer_id": 1, "kind": "workflow"}, "invalid", "event_id", "needs its event_id"),
        ({**ev(1, "workflow", "x"), "extra": 1}, "invalid", "extra", "Unknown field 'extra'"),
        (ev(1, "coffee", "x"), "invalid", "kind", "Unknown usage kind"),
        (ev(0, "workflow", "x"), "invalid", "customer_id", "customer number"),
        (ev(True, "workflow", "x"), "invalid", "customer_id", "customer number"),
        (ev(2**63, "workflow", "x"), "invalid", "customer_id", "customer number"),
        (ev(1, "workflow", ""), "invalid", "event_id", "printable"),
        (ev(1, "workflow", "é"), "invalid", "event_id", "printable"),
        (ev(1, "workflow", 42), "invalid", "event_id", "printable"),
        (ev(4242, "workflow", "x"), "not_found", None, "no customer number 4242"),
    ],
)
def test_a_malformed_event_is_refused_alone(ctx, trialist, bad, code, field, words):
    results = batch(ctx, [ev(trialist, "workflow", "a"), bad, ev(trialist, "workflow", "b")])
    assert [r.get("allowed") for r in results] == [True, None, True]
    error = results[1]["error"]
    assert (error["code"], error.get("field")) == (code, field)
    assert words in error["message"]
    assert [r["credits_left"] for r in (results[0], results[2])] == [9, 8]
    assert usage_rows(ctx) == 2


@pytest.mark.parametrize(
    ("events", "words"),
    [
        ("not a list", "is a list of events"),
        ({"customer_id": 1}, "is a list of events"),
        ([{}] * (BATCH_MAX + 1), "at most 1,000 events; this one has 1,001"),
    ],
)
def test_a_batch_refused_as_a_whole_writes_nothing(ctx, trialist, events, words):
    if isinstance(events, list):  # otherwise valid events: the size alone refuses it
        events = [ev(trialist, "workflow", f"w{i}") for i in range(len(events))]
    before = dump(ctx.store.path)
    with pytest.raises(ValidationError, match=words):
        batch(ctx, events)
    assert dump(ctx.store.path) == before


def test_a_full_batch_is_accepted_and_an_empty_one_answers_nothing(ctx):
    cid = new_customer(ctx, "pro")
    subscribe(ctx, cid, "professional")
    results = batch(ctx, [ev(cid, "workflow", f"w{i}") for i in range(BATCH_MAX)])
    assert len(results) == BATCH_MAX
    assert all(r["allowed"] for r in results)
    assert batch(ctx, []) == []
    assert usage_rows(ctx) == BATCH_MAX


def test_only_autoos_may_report_a_batch_and_the_actor_is_recorded(ctx, trialist):
    events = [ev(trialist, "workflow", "w1")]
    with pytest.raises(PermissionDenied):
        CheckoutApi(ctx, Caller.owner()).report_usage_batch(events)
    results = CheckoutApi(ctx, Caller(AUTOOS, "api:autoos")).report_usage_batch(events)
    assert results[0]["allowed"] is True
    assert ctx.store.scalar("SELECT actor FROM usage_events") == "api:autoos"
