"""Comparing the local mirror with the fake Stripe's state (shared by the sync tests)."""

from __future__ import annotations

from collections import Counter

from backend.context import Context
from backend.services.cards.stripe_catalog import parse_lookup_key
from backend.services.cards.stripe_mirror import STATUS, from_unix
from tests.fakes.stripe_server import FakeStripe


def assert_no_duplicates(fake: FakeStripe) -> None:
    """Each local record reached Stripe at most once."""
    customers = Counter(c["metadata"].get("autoos_customer_id") for c in fake.all("customer"))
    assert not [k for k, n in customers.items() if n > 1], customers
    subs = Counter(
        s["metadata"].get("autoos_subscription_id")
        for s in fake.all("subscription")
        if s["metadata"].get("autoos_subscription_id")
    )
    assert not [k for k, n in subs.items() if n > 1], subs
    refunds = Counter(r["metadata"].get("autoos_refund_id") for r in fake.all("refund"))
    assert not [k for k, n in refunds.items() if n > 1], refunds
    sessions = Counter(s["client_reference_id"] for s in fake.all("checkout.session"))
    assert not [k for k, n in sessions.items() if n > 1], sessions


def assert_mirror_equals_fake(ctx: Context, fake: FakeStripe) -> dict[str, int]:
    """Local customers, subscriptions and refunds are exactly what the fake holds."""
    remote_customers = {c["id"]: c for c in fake.all("customer")}
    linked = ctx.store.query(
        "SELECT id, stripe_customer_id FROM customers WHERE stripe_customer_id IS NOT NULL"
    )
    assert {r["stripe_customer_id"] for r in linked} == set(remote_customers)
    for row in linked:
        meta = remote_customers[row["stripe_customer_id"]]["metadata"]
        assert meta["autoos_customer_id"] == str(row["id"])

    remote_subs = {s["id"]: s for s in fake.all("subscription")}
    local_subs = ctx.store.query(
        "SELECT * FROM subscriptions WHERE method='card' AND stripe_subscription_id IS NOT NULL"
    )
    assert {r["stripe_subscription_id"] for r in local_subs} == set(remote_subs)
    schedules = {s["id"]: s for s in fake.all("subscription_schedule")}
    for row in local_subs:
        remote = remote_subs[row["stripe_subscription_id"]]
        item = remote["items"]["data"][0]
        tier, currency, interval = parse_lookup_key(item["price"]["lookup_key"]) or (
            None,
            None,
            None,
        )
        seen = {
            "status": row["status"],
            "tier": row["tier"],
            "interval": row["interval"],
            "currency": row["currency"],
            "period_end": row["current_period_end"],
            "cancel_at_period_end": bool(row["cancel_at_period_end"]),
        }
        expected = {
            "status": STATUS[remote["status"]],
            "tier": tier,
            "interval": interval,
            "currency": currency,
            "period_end": from_unix(item["current_period_end"]),
            "cancel_at_period_end": remote["cancel_at_period_end"],
        }
        assert seen == expected, row["id"]
        schedule = schedules.get(remote["schedule"]) if remote["schedule"] else None
        if schedule and len(schedule["phases"]) > 1:
            price = fake.objects["price"][schedule["phases"][1]["items"][0]["price"]]
            assert row["pending_tier"] == parse_lookup_key(price["lookup_key"])[0]
        elif row["status"] != "canceled":
            assert row["pending_tier"] is None, row

    remote_refunds: Counter[str] = Counter()
    for refund in fake.all("refund"):
        remote_refunds[refund["payment_intent"]] += refund["amount"]
    local = ctx.store.query(
        "SELECT stripe_payment_intent_id AS pi, refunded_amount FROM payments "
        "WHERE refunded_amount > 0"
    )
    assert {r["pi"]: r["refunded_amount"] for r in local} == dict(remote_refunds)
    ok = ctx.store.scalar("SELECT count(*) FROM refunds WHERE status='succeeded'")
    assert ok == len(fake.all("refund"))
    return {
        "customers": len(linked),
        "subscriptions": len(local_subs),
        "refunds": int(ok),
    }
