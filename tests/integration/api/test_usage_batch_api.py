"""``POST /usage/events`` over real HTTP: per-event answers in order, idempotent re-sends,
a malformed event refused in its slot, a batch too big refused whole (422, nothing
written), and the remote client speaking the same operation."""

from __future__ import annotations

import pytest

from backend.api.client import RemoteCheckoutApi
from backend.errors import PermissionDenied, ValidationError
from backend.services.shop import customers
from backend.services.trials import trials
from tests.integration.api.conftest import error_of
from tests.integration.ledger_checks import check_invariants, dump


@pytest.fixture
def trialist(ctx) -> int:
    cid = customers.add_customer(ctx, name="Asha", email="asha@example.com", actor="t")["id"]
    trials.start_trial(ctx, cid, actor="t")
    return cid


def events(cid: int, n: int, prefix: str = "wf") -> list[dict]:
    return [{"customer_id": cid, "kind": "workflow", "event_id": f"{prefix}-{i}"} for i in range(n)]


def test_a_batch_is_answered_in_order_and_a_resend_counts_nothing(as_role, ctx, trialist):
    autoos = as_role("autoos")
    single = autoos.post(
        "/payments/usage", json={"customer_id": trialist, "kind": "workflow", "event_id": "wf-0"}
    ).json()
    sent = [*events(trialist, 12), {"customer_id": trialist, "kind": "nap", "event_id": "x"}]
    response = autoos.post("/usage/events", json={"events": sent})
    assert response.status_code == 200, response.text
    results = response.json()["results"]
    assert [r["event_id"] for r in results] == [f"wf-{i}" for i in range(12)] + ["x"]
    assert results[0] == single  # recorded one at a time first: the first answer
    assert [r.get("credits_left") for r in results[:10]] == list(range(9, -1, -1))
    assert [r["reason"] for r in results[10:12]] == ["monthly_limit"] * 2
    assert results[12] == {
        "event_id": "x",
        "error": {
            "code": "invalid",
            "message": "Unknown usage kind 'nap': use workflow, agent_start or agent_stop.",
            "field": "kind",
        },
    }
    again = autoos.post("/usage/events", json={"events": sent}).json()
    assert again["results"] == results
    assert check_invariants(ctx.store) == {"debits": 10, "events": 12}


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        ({"events": [{}] * 1001}, "events", "at most 1,000 events; this one has 1,001"),
        ({"events": {"customer_id": 1}}, "events", "valid list"),
        ({"events": "wf-1"}, "events", "valid list"),
        ({}, "events", "Field required"),
        ({"events": [], "extra": 1}, "extra", "Extra inputs"),
    ],
)
def test_a_batch_refused_whole_is_a_422_and_writes_nothing(
    as_role, ctx, trialist, body, field, words
):
    if body.get("events") == [{}] * 1001:
        body = {"events": events(trialist, 1001)}
    before = dump(ctx.store.path)
    response = as_role("autoos").post("/usage/events", json=body)
    assert response.status_code == 422
    error = error_of(response)
    assert (error["code"], error["field"]) == ("invalid", field)
    assert words in error["message"]
    assert dump(ctx.store.path) == before


def test_only_autoos_may_send_usage(as_role, trialist):
    body = {"events": events(trialist, 1)}
    assert as_role("kiosk").post("/usage/events", json=body).status_code == 403
    assert as_role("admin").post("/usage/events", json=body).status_code == 403


def test_the_remote_client_speaks_the_same_operation(server, tokens, ctx, trialist):
    client = RemoteCheckoutApi(server.url, tokens["autoos"], timeout=5)
    try:
        results = client.report_usage_batch(
            [*events(trialist, 2), {"customer_id": 4242, "kind": "workflow", "event_id": "z"}]
        )
        assert [r.get("credits_left") for r in results] == [9, 8, None]
        assert results[2]["error"]["code"] == "not_found"
        with pytest.raises(ValidationError, match="at most 1,000"):
            client.report_usage_batch(events(trialist, 1001, prefix="big"))
    finally:
        client.close()
    kiosk = RemoteCheckoutApi(server.url, tokens["kiosk"], timeout=5)
    try:
        with pytest.raises(PermissionDenied):
            kiosk.report_usage_batch(events(trialist, 1))
    finally:
        kiosk.close()
    assert ctx.store.scalar("SELECT count(*) FROM usage_events") == 2
