"""Usage limits: each refusal reason, debits on trials only, repeats change nothing."""

import pytest

from backend.errors import IdempotencyConflict, NotFound, ValidationError
from backend.services.shop import customers
from backend.services.trials import credits, trials, usage, usage_events
from backend.store import audit
from tests.integration.ledger_checks import check_invariants, subscribe


@pytest.fixture
def cid(ctx):
    return customers.add_customer(ctx, name="Asha", email="asha@example.com", actor="t")["id"]


def rec(ctx, cid, kind, event_id):
    return usage_events.record_usage(
        ctx, customer_id=cid, kind=kind, event_id=event_id, actor="api:t"
    )


def test_no_plan_is_refused_and_recorded(ctx, cid):
    assert rec(ctx, cid, "workflow", "w1") == {
        "allowed": False,
        "reason": "no_plan",
        "credits_left": None,
    }
    assert rec(ctx, cid, "agent_start", "a1")["reason"] == "no_plan"
    assert rec(ctx, cid, "agent_stop", "s1") == {
        "allowed": True,
        "reason": None,
        "credits_left": None,
    }
    rows = ctx.store.query("SELECT event_id, allowed, reason, actor FROM usage_events")
    assert rows == [
        {"event_id": "w1", "allowed": 0, "reason": "no_plan", "actor": "api:t"},
        {"event_id": "a1", "allowed": 0, "reason": "no_plan", "actor": "api:t"},
        {"event_id": "s1", "allowed": 1, "reason": None, "actor": "api:t"},
    ]
    assert usage.agents_running(ctx, cid) == 0


def test_trial_workflows_debit_credits_then_hit_the_monthly_limit(ctx, cid):
    trials.start_trial(ctx, cid, actor="t")
    answers = [rec(ctx, cid, "workflow", f"w{i}") for i in range(10)]
    assert [a["credits_left"] for a in answers] == list(range(9, -1, -1))
    assert all(a["allowed"] for a in answers)
    # 10 workflows this month is the trial's cap; buying credits does not lift it
    credits.adjust(ctx, cid, 5, "bought", idempotency_key="k1", actor="t")
    assert rec(ctx, cid, "workflow", "w10") == {
        "allowed": False,
        "reason": "monthly_limit",
        "credits_left": 5,
    }
    assert credits.balances(ctx, cid) == {"granted": 0, "purchased": 5, "total": 5}


def test_no_credits_before_the_monthly_cap(ctx, cid):
    trials.start_trial(ctx, cid, actor="t")
    credits.debit(ctx, cid, 8, "used elsewhere", idempotency_key="d", actor="t")
    assert rec(ctx, cid, "workflow", "w1")["credits_left"] == 1
    assert rec(ctx, cid, "workflow", "w2")["credits_left"] == 0
    assert rec(ctx, cid, "workflow", "w3") == {
        "allowed": False,
        "reason": "no_credits",
        "credits_left": 0,
    }
    assert usage.usage_summary(ctx, cid)["workflows_used"] == 2


def test_granted_credits_are_spent_before_purchased(ctx, cid):
    trials.start_trial(ctx, cid, actor="t")
    credits.adjust(ctx, cid, 3, "bought", idempotency_key="k", actor="t")
    credits.debit(ctx, cid, 9, "used", idempotency_key="d", actor="t")
    rec(ctx, cid, "workflow", "w1")
    rec(ctx, cid, "workflow", "w2")
    used = [
        (e["bucket"], e["idempotency_key"])
        for e in credits.entries(ctx, cid, kind="debit")
        if e["idempotency_key"].startswith("usage:")
    ]
    assert used == [("granted", "usage:w1"), ("purchased", "usage:w2")]
    assert credits.balances(ctx, cid) == {"granted": 0, "purchased": 2, "total": 2}


def test_monthly_limit_resets_with_the_calendar_month(ctx, cid, clock):
    subscribe(ctx, cid, "student", days=400)
    clock.set("2026-11-30T23:59:00Z")
    with ctx.store.transaction():  # 100 workflows this month already
        ctx.store.executemany(
            "INSERT INTO usage_events (event_id, customer_id, kind, at, month, allowed) "
            "VALUES (?, ?, 'workflow', '2026-11-02T00:00:00Z', '2026-11', 1)",
            [(f"old{i}", cid) for i in range(100)],
        )
    assert rec(ctx, cid, "workflow", "nov") == {
        "allowed": False,
        "reason": "monthly_limit",
        "credits_left": None,
    }
    clock.advance(minutes=1)  # 1 December, UTC
    assert rec(ctx, cid, "workflow", "dec") == {
        "allowed": True,
        "reason": None,
        "credits_left": None,
    }
    assert credits.entries(ctx, cid) == []  # a paid plan spends no credits


def test_agent_limit_and_stops(ctx, cid):
    trials.start_trial(ctx, cid, actor="t")  # 2 concurrent agents
    assert rec(ctx, cid, "agent_start", "a1")["allowed"]
    assert rec(ctx, cid, "agent_start", "a2")["allowed"]
    assert rec(ctx, cid, "agent_start", "a3") == {
        "allowed": False,
        "reason": "agent_limit",
        "credits_left": 10,
    }
    assert rec(ctx, cid, "agent_stop", "s1")["allowed"]
    assert rec(ctx, cid, "agent_start", "a4")["allowed"]
    for i in range(4):  # extra stops never take the count below zero
        assert rec(ctx, cid, "agent_stop", f"stop{i}")["allowed"]
    assert usage.agents_running(ctx, cid) == 0
    assert rec(ctx, cid, "agent_start", "a5")["allowed"]
    assert usage.agents_running(ctx, cid) == 1
    assert credits.balance(ctx, cid) == 10  # agents cost no credits
    check_invariants(ctx.store)


def test_paid_plan_limits_and_highest_tier_wins(ctx, cid, clock):
    subscribe(ctx, cid, "student")
    for i in range(5):
        assert rec(ctx, cid, "agent_start", f"a{i}")["allowed"]
    assert rec(ctx, cid, "agent_start", "a5")["reason"] == "agent_limit"
    subscribe(ctx, cid, "professional", status="past_due")
    assert rec(ctx, cid, "agent_start", "a6")["allowed"]
    summary = usage.usage_summary(ctx, cid)
    assert (summary["tier"], summary["agents_running"], summary["agents_limit"]) == (
        "professional",
        6,
        100,
    )
    assert summary["workflows_limit"] is None
    clock.advance(days=31)  # both periods ended
    assert rec(ctx, cid, "workflow", "late")["reason"] == "no_plan"


def test_a_canceled_subscription_gives_no_plan(ctx, cid):
    subscribe(ctx, cid, "employee", status="canceled")
    assert rec(ctx, cid, "workflow", "w")["reason"] == "no_plan"


def test_usage_expires_a_due_trial_lazily(ctx, cid, clock):
    trials.start_trial(ctx, cid, actor="t")
    rec(ctx, cid, "agent_start", "a1")
    clock.advance(days=30)
    assert rec(ctx, cid, "workflow", "w1") == {
        "allowed": False,
        "reason": "trial_expired",
        "credits_left": None,
    }
    assert trials.trial_status(ctx, cid)["status"] == "expired"
    [entry] = credits.entries(ctx, cid, kind="expire")
    assert entry["amount"] == -10
    assert rec(ctx, cid, "agent_start", "a2")["reason"] == "trial_expired"
    assert rec(ctx, cid, "agent_stop", "s1")["allowed"]
    assert trials.expire_due_trials(ctx) == 0
    actions = [e["action"] for e in audit.recent(ctx)]
    assert "trial.expire" in actions
    # after conversion to a paid plan, usage follows the plan
    subscribe(ctx, cid, "student")
    trials.mark_converted(ctx, cid)
    assert rec(ctx, cid, "workflow", "w2")["allowed"]


def test_a_repeated_event_returns_the_first_answer_and_changes_nothing(ctx, cid):
    trials.start_trial(ctx, cid, actor="t")
    other = customers.add_customer(ctx, name="Bo", email="bo@example.com", actor="t")["id"]
    first = rec(ctx, cid, "workflow", "same")
    tables = ("credit_ledger", "usage_events", "usage_agents", "audit_log")
    before = {t: ctx.store.query(f"SELECT * FROM {t}") for t in tables}
    assert rec(ctx, cid, "workflow", "same") == first
    assert {t: ctx.store.query(f"SELECT * FROM {t}") for t in tables} == before
    with pytest.raises(IdempotencyConflict):
        rec(ctx, other, "workflow", "same")
    with pytest.raises(IdempotencyConflict):
        rec(ctx, cid, "agent_start", "same")
    assert {t: ctx.store.query(f"SELECT * FROM {t}") for t in tables} == before


def test_bad_events_are_refused(ctx, cid):
    with pytest.raises(ValidationError, match="Unknown usage kind"):
        rec(ctx, cid, "coffee", "e1")
    with pytest.raises(ValidationError, match="id"):
        rec(ctx, cid, "workflow", " ")
    with pytest.raises(NotFound):
        rec(ctx, 999, "workflow", "e1")
    assert ctx.store.scalar("SELECT count(*) FROM usage_events") == 0


def test_usage_is_its_own_audit_trail(ctx, cid, clock):
    trials.start_trial(ctx, cid, actor="t")
    audited = ctx.store.scalar("SELECT count(*) FROM audit_log")
    rec(ctx, cid, "workflow", "w1")
    row = ctx.store.one("SELECT actor, at, allowed FROM usage_events WHERE event_id='w1'")
    assert row == {"actor": "api:t", "at": "2026-11-26T10:00:00Z", "allowed": 1}
    [debit] = credits.entries(ctx, cid, kind="debit")
    assert (debit["actor"], debit["idempotency_key"]) == ("api:t", "usage:w1")
    assert ctx.store.scalar("SELECT count(*) FROM audit_log") == audited
    clock.advance(days=31)  # a change the event causes beyond metering is audited
    rec(ctx, cid, "workflow", "w2")
    entry = audit.recent(ctx)[0]
    assert (entry["actor"], entry["action"], entry["detail"]) == (
        "api:t",
        "trial.expire",
        {"credits_expired": 9},
    )


def test_summary_for_the_gui(ctx, cid):
    trials.start_trial(ctx, cid, actor="t")
    credits.adjust(ctx, cid, 4, "bought", idempotency_key="k", actor="t")
    rec(ctx, cid, "workflow", "w1")
    rec(ctx, cid, "agent_start", "a1")
    summary = usage.usage_summary(ctx, cid)
    assert {k: summary[k] for k in summary if k != "trial"} == {
        "customer": cid,
        "tier": "free_trial",
        "tier_name": "Free Trial",
        "plan_source": "trial",
        "plan_status": "active",
        "month": "2026-11",
        "workflows_used": 1,
        "workflows_limit": 10,
        "agents_running": 1,
        "agents_limit": 2,
        "credit_based": True,
        "credits_granted": 10,
        "credits_purchased": 4,
        "credits_used": 1,
        "credits_expired": 0,
        "credits_left": 13,
    }
    assert summary["trial"]["days_left"] == 30
