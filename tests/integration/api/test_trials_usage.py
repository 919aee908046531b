"""Trials and usage through the API: sign-up, AUTOOS's usage checks, credit invariant."""

from __future__ import annotations

from datetime import timedelta

import pytest

from backend.services.shop import customers
from tests.integration.api.conftest import error_of


@pytest.fixture
def customer(ctx):
    return customers.add_customer(
        ctx, name="Asha Rao", email="asha@example.com", phone="9876543210", actor="test"
    )


def ledger_sum(ctx, customer_id: int) -> int:
    return ctx.store.scalar(
        "SELECT COALESCE(SUM(amount), 0) FROM credit_ledger WHERE customer_id=?", (customer_id,)
    )


def test_start_trial_grants_credits_once(as_role, ctx, customer):
    response = as_role("kiosk").post("/payments/start-trial", json={"customer_id": customer["id"]})
    assert response.status_code == 201, response.text
    trial = response.json()
    assert trial["credits"] == 10
    assert trial["ends_at"] == "2026-12-26T10:00:00Z"
    assert ledger_sum(ctx, customer["id"]) == 10

    again = as_role("staff").post("/payments/start-trial", json={"customer_id": customer["id"]})
    assert again.status_code == 409
    assert error_of(again)["code"] == "duplicate"
    assert ledger_sum(ctx, customer["id"]) == 10


def test_start_trial_bad_input(as_role, ctx):
    assert as_role("kiosk").post("/payments/start-trial", json={}).status_code == 422
    zero = as_role("kiosk").post("/payments/start-trial", json={"customer_id": 0})
    assert zero.status_code == 422
    text = as_role("kiosk").post("/payments/start-trial", json={"customer_id": "abc"})
    assert error_of(text)["field"] == "customer_id"
    missing = as_role("kiosk").post("/payments/start-trial", json={"customer_id": 4242})
    assert missing.status_code == 404
    assert ctx.store.scalar("SELECT count(*) FROM trials") == 0


def test_trials_switched_off_are_503(as_role, ctx, customer):
    ctx.settings.features.free_trial = False
    off = as_role("kiosk").post("/payments/start-trial", json={"customer_id": customer["id"]})
    assert off.status_code == 503
    assert error_of(off)["code"] == "not_configured"


def test_trial_status_follows_the_clock(as_role, ctx, clock, customer):
    path = "/payments/trial-status"
    before = as_role("autoos").get(path, params={"customer_id": customer["id"]}).json()
    assert before == {"customer_id": customer["id"], "trial": None}
    as_role("kiosk").post("/payments/start-trial", json={"customer_id": customer["id"]})
    active = as_role("autoos").get(path, params={"customer_id": customer["id"]}).json()
    assert active["trial"]["status"] == "active"
    assert active["trial"]["days_left"] == 30
    clock.advance(timedelta(days=31))
    later = as_role("autoos").get(path, params={"customer_id": customer["id"]}).json()
    assert later["trial"]["status"] == "expired"
    assert as_role("autoos").get(path, params={"customer_id": 999}).status_code == 404
    assert as_role("autoos").get(path).status_code == 422


def test_usage_reports_debit_once_per_event_and_refuse_at_zero(as_role, ctx, customer):
    cid = customer["id"]
    as_role("kiosk").post("/payments/start-trial", json={"customer_id": cid})
    autoos = as_role("autoos")
    first = autoos.post(
        "/payments/usage", json={"customer_id": cid, "kind": "workflow", "event_id": "wf-1"}
    ).json()
    assert first == {"allowed": True, "reason": None, "credits_left": 9, "event_id": "wf-1"}
    repeat = autoos.post(
        "/payments/usage", json={"customer_id": cid, "kind": "workflow", "event_id": "wf-1"}
    ).json()
    assert repeat == first
    assert ledger_sum(ctx, cid) == 9
    for n in range(2, 11):
        answer = autoos.post(
            "/payments/usage", json={"customer_id": cid, "kind": "workflow", "event_id": f"wf-{n}"}
        ).json()
        assert answer["allowed"], answer
    refused = autoos.post(
        "/payments/usage", json={"customer_id": cid, "kind": "workflow", "event_id": "wf-11"}
    ).json()
    assert refused["allowed"] is False
    assert refused["reason"] in ("no_credits", "monthly_limit")
    assert refused["credits_left"] == 0
    assert ledger_sum(ctx, cid) == 0

    summary = as_role("staff").get("/payments/usage", params={"customer_id": cid}).json()
    assert summary["credits_left"] == 0
    assert summary["workflows_used"] == 10
    assert summary["tier"] == "free_trial"


def test_agents_are_capped_by_the_plan(as_role, customer):
    cid = customer["id"]
    as_role("kiosk").post("/payments/start-trial", json={"customer_id": cid})
    autoos = as_role("autoos")

    def report(kind: str, event_id: str) -> dict:
        return autoos.post(
            "/payments/usage", json={"customer_id": cid, "kind": kind, "event_id": event_id}
        ).json()

    assert report("agent_start", "a1")["allowed"]
    assert report("agent_start", "a2")["allowed"]
    third = report("agent_start", "a3")
    assert third["allowed"] is False
    assert third["reason"] == "agent_limit"
    assert report("agent_stop", "s1")["allowed"]
    assert report("agent_start", "a4")["allowed"]


def test_usage_bad_input_and_reused_ids(as_role, ctx, customer):
    cid = customer["id"]
    autoos = as_role("autoos")
    bad_kind = autoos.post(
        "/payments/usage", json={"customer_id": cid, "kind": "delete_all", "event_id": "x"}
    )
    assert bad_kind.status_code == 422
    assert error_of(bad_kind)["field"] == "kind"
    empty_id = autoos.post(
        "/payments/usage", json={"customer_id": cid, "kind": "workflow", "event_id": ""}
    )
    assert empty_id.status_code == 422
    no_plan = autoos.post(
        "/payments/usage", json={"customer_id": cid, "kind": "workflow", "event_id": "e1"}
    ).json()
    assert no_plan["allowed"] is False
    assert no_plan["reason"] == "no_plan"
    other = customers.add_customer(ctx, name="Ravi", email="ravi@example.com", actor="test")
    reused = autoos.post(
        "/payments/usage", json={"customer_id": other["id"], "kind": "workflow", "event_id": "e1"}
    )
    assert reused.status_code == 409
    unknown = autoos.post(
        "/payments/usage", json={"customer_id": 999, "kind": "workflow", "event_id": "e2"}
    )
    assert unknown.status_code == 404
    assert as_role("staff").get("/payments/usage", params={"customer_id": 999}).status_code == 404
    kiosk = as_role("kiosk").post(
        "/payments/usage", json={"customer_id": cid, "kind": "workflow", "event_id": "e3"}
    )
    assert kiosk.status_code == 403
