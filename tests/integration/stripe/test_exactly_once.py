"""200 mixed operations with 30% injected faults: each object reaches Stripe once and the
local mirror ends equal to the fake's state."""

from __future__ import annotations

import random

import pytest

from backend.errors import StateError, TransientError, ValidationError
from backend.services.billing import card_subscriptions
from backend.services.cards import card_checkout, card_refunds, stripe_events
from backend.services.cards.stripe_customers import ensure_in_stripe
from backend.sync import outbox
from tests.integration.stripe.conftest import make_customer
from tests.integration.stripe.mirror_check import assert_mirror_equals_fake, assert_no_duplicates

TIERS = ("student", "employee", "professional")


def _drain_all(ctx, clock, rounds: int = 200) -> None:
    """Keep draining, moving the clock past each backoff, until the queue is empty."""
    for _ in range(rounds):
        result = outbox.drain(ctx)
        if result["waiting"] == 0:
            return
        clock.advance(seconds=outbox.BACKOFF_MAX_SECONDS)
    raise AssertionError(f"queue did not drain: {outbox.sync_state(ctx)}")


def _live_subs(ctx):
    return ctx.store.query(
        "SELECT * FROM subscriptions WHERE method='card' AND status != 'canceled' "
        "AND cancel_at_period_end = 0"
    )


def test_200_operations_with_30_percent_faults(sctx, fake, clock):
    rng = random.Random(2026)
    sctx.settings.stripe.timeout_ms = 150  # "slow" answers take 0.3 s: a timeout each time
    fake.slow_seconds = 0.3
    sctx.adapters.pop("stripe", None)
    fake.set_faults(0.3)
    customers: list[int] = []
    done: dict[str, int] = {}
    for n in range(200):
        kind = rng.choice(
            ["customer", "checkout", "subscribe", "upgrade", "downgrade", "cancel", "refund"]
            if customers
            else ["customer"]
        )
        try:
            if kind == "customer":
                cid = make_customer(sctx, n)
                customers.append(cid)
                ensure_in_stripe(sctx, cid, actor="test")
            elif kind == "checkout":
                started = card_checkout.start_checkout(
                    sctx,
                    customer_id=rng.choice(customers),
                    tier=rng.choice(TIERS),
                    interval=rng.choice(("month", "year")),
                    currency=rng.choice(("INR", "USD")),
                    actor="test",
                )
                if rng.random() < 0.8:
                    fake.complete_session(started["session_id"])
                card_checkout.refresh(sctx, started["id"])
            elif kind == "subscribe":
                card_subscriptions.subscribe(
                    sctx,
                    customer_id=rng.choice(customers),
                    tier=rng.choice(TIERS[:2]),
                    interval="month",
                    currency="USD",
                    trial_days=14,
                    actor="test",
                )
            elif kind in ("upgrade", "downgrade", "cancel"):
                subs = _live_subs(sctx)
                if not subs:
                    continue
                sub = rng.choice(subs)
                if kind == "upgrade":
                    higher = [t for t in TIERS if TIERS.index(t) > TIERS.index(sub["tier"])]
                    if not higher:
                        continue
                    card_subscriptions.upgrade(sctx, sub["id"], tier=higher[0], actor="test")
                elif kind == "downgrade":
                    lower = [t for t in TIERS if TIERS.index(t) < TIERS.index(sub["tier"])]
                    if not lower:
                        continue
                    card_subscriptions.downgrade(sctx, sub["id"], tier=lower[0], actor="test")
                else:
                    card_subscriptions.cancel(
                        sctx, sub["id"], at_period_end=rng.random() < 0.5, actor="test"
                    )
            elif kind == "refund":
                paid = sctx.store.query(
                    "SELECT id FROM payments WHERE status='succeeded' "
                    "AND stripe_payment_intent_id IS NOT NULL"
                )
                if not paid:
                    continue
                pid = rng.choice(paid)["id"]
                left = card_refunds.refundable(sctx, pid)
                if left.amount <= 0:
                    continue
                part = type(left)(rng.randint(1, left.amount), left.currency)
                card_refunds.refund(sctx, pid, amount=part, actor="test")
            done[kind] = done.get(kind, 0) + 1
        except (TransientError, StateError, ValidationError):
            done[f"{kind}:refused"] = done.get(f"{kind}:refused", 0) + 1
        if rng.random() < 0.5:
            outbox.drain(sctx)
        if rng.random() < 0.3:
            clock.advance(seconds=30)

    fake.set_faults(0.0)
    _drain_all(sctx, clock)
    for row in sctx.store.query("SELECT id FROM payments WHERE status='pending'"):
        card_checkout.refresh(sctx, row["id"])
    stripe_events.poll(sctx)
    _drain_all(sctx, clock)

    assert sum(fake.faults_injected.values()) > 50, fake.faults_injected
    failed = outbox.failed_rows(sctx, 500)
    assert not [f for f in failed if "idempot" in (f["last_error"] or "").lower()], failed
    assert_no_duplicates(fake)
    counts = assert_mirror_equals_fake(sctx, fake)
    assert counts["customers"] == len(customers)
    assert counts["subscriptions"] >= 10
    assert counts["refunds"] >= 5
    assert done.get("upgrade", 0) + done.get("downgrade", 0) + done.get("cancel", 0) >= 20


@pytest.mark.parametrize("fault", ["drop", "slow", "500", "429"])
def test_each_fault_kind_once(sctx, fake, fault):
    """A write whose answer is lost is repaired by resending the same key."""
    cid = make_customer(sctx, 1)
    ensure_in_stripe(sctx, cid, actor="test")
    fake.inject(fault)
    assert outbox.drain(sctx)["waiting"] == 0
    assert len(fake.all("customer")) == 1
    assert fake.faults_injected[fault] == 1


def test_same_key_other_body_is_refused(sctx, fake):
    from backend.adapters.stripe_gateway import gateway
    from backend.errors import RejectedError

    gw = gateway(sctx)
    first = gw.call("customers.create", params={"name": "A"}, idempotency_key="k-1")
    again = gw.call("customers.create", params={"name": "A"}, idempotency_key="k-1")
    assert first["id"] == again["id"]
    with pytest.raises(RejectedError, match="same parameters"):
        gw.call("customers.create", params={"name": "B"}, idempotency_key="k-1")
    assert len(fake.all("customer")) == 1


def test_a_request_cut_off_mid_body_changes_nothing(sctx, fake):
    """A worker killed while sending: the fake, like Stripe, applies no partial request."""
    import socket

    from backend.adapters.stripe_gateway import gateway

    body = b"name=Complete+Name&email=a%40example.com"
    with socket.create_connection(("127.0.0.1", fake.port)) as sock:
        sock.sendall(
            b"POST /v1/customers HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer sk_test_fake\r\n"
            b"Idempotency-Key: cut-1\r\nContent-Type: application/x-www-form-urlencoded\r\n"
            b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body[:10]
        )
    fake.wait_for_requests(1, timeout=5)
    done = gateway(sctx).call(
        "customers.create",
        params={"name": "Complete Name", "email": "a@example.com"},
        idempotency_key="cut-1",
    )
    assert done["name"] == "Complete Name"
    assert [c["name"] for c in fake.all("customer")] == ["Complete Name"]


def test_the_fake_refuses_an_unknown_parameter_like_stripe(sctx, fake):
    """A misspelt name must fail the tests, as it would fail against Stripe."""
    from backend.adapters.stripe_gateway import gateway
    from backend.errors import RejectedError

    with pytest.raises(RejectedError, match="unknown parameter: nmae"):
        gateway(sctx).call("customers.create", params={"nmae": "A"})
    with pytest.raises(RejectedError, match=r"unknown parameter: phases\[iterations\]"):
        gateway(sctx).call(
            "subscription_schedules.update",
            ["sub_sched_x"],
            {"phases": [{"items": [{"price": "p"}], "iterations": 1}]},
        )
    assert fake.all("customer") == []
