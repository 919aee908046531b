"""With Stripe unreachable: UPI checkout, free trials, card trials and customers still
work, Stripe work queues, card checkout says so at once; when Stripe is back the queue
drains."""

from __future__ import annotations

import pytest

from backend.errors import TransientError
from backend.services import card_payments, card_subscriptions, trials, upi_payments
from backend.services.customers import update_customer
from backend.services.stripe_customers import ensure_in_stripe, push_customers
from backend.sync import outbox
from backend.sync.worker import sync_once
from tests.integration.stripe.conftest import make_customer
from tests.integration.stripe.mirror_check import assert_mirror_equals_fake, assert_no_duplicates


def test_offline_work_goes_on_and_the_queue_drains_later(sctx, fake, clock):
    early = make_customer(sctx, 0)
    ensure_in_stripe(sctx, early, actor="test")
    assert sync_once(sctx)["state"]["online"] is True
    fake.stop()

    cid = make_customer(sctx, 1)
    upi = upi_payments.create_request(
        sctx, customer_id=cid, tier="student", interval="month", actor="anita"
    )
    assert upi["status"] == "pending"
    assert (
        upi_payments.confirm_with_utr(sctx, upi["id"], "412345678901", actor="anita")["status"]
        == "succeeded"
    )
    free = trials.start_trial(sctx, make_customer(sctx, 2), actor="anita")
    assert free["status"] == "active"
    trial = card_subscriptions.subscribe(
        sctx,
        customer_id=cid,
        tier="employee",
        interval="month",
        currency="INR",
        trial_days=14,
        actor="anita",
    )
    assert trial["status"] == "trialing"
    update_customer(sctx, early, name="Renamed While Offline", actor="anita")
    push_customers(sctx, actor="anita")

    with pytest.raises(TransientError, match="UPI"):
        card_payments.start_checkout(
            sctx, customer_id=cid, tier="student", interval="month", currency="INR", actor="anita"
        )
    failed = sctx.store.one("SELECT status FROM payments WHERE method='stripe_checkout'")
    assert failed == {"status": "failed"}

    result = sync_once(sctx)
    state = result["state"]
    assert state["online"] is False
    assert state["waiting"] >= 3
    assert "cannot be reached" in state["last_error"]
    assert sctx.store.scalar("SELECT count(*) FROM stripe_outbox WHERE status='dropped'") == 1

    # back online at the same address: the queue drains once its backoff is over
    fake.start()
    clock.advance(seconds=outbox.BACKOFF_MAX_SECONDS)
    result = sync_once(sctx)
    assert result["state"]["waiting"] == 0
    assert result["state"]["online"] is True
    assert_no_duplicates(fake)
    assert_mirror_equals_fake(sctx, fake)
    names = sorted(c["name"] for c in fake.all("customer"))
    assert names == ["Customer 1", "Customer 2", "Renamed While Offline"]
    sub = card_subscriptions.get_subscription(sctx, trial["id"])
    assert sub["stripe_subscription_id"]
    assert sub["status"] == "trialing"


def test_a_refused_request_fails_for_good_with_stripes_message(sctx, fake, clock):
    cid = make_customer(sctx, 1)
    ensure_in_stripe(sctx, cid, actor="test")
    outbox.drain(sctx)
    sub = card_subscriptions.subscribe(
        sctx,
        customer_id=cid,
        tier="student",
        interval="month",
        currency="USD",
        trial_days=7,
        actor="test",
    )
    outbox.drain(sctx)
    card_subscriptions.cancel(sctx, sub["id"], at_period_end=False, actor="test")
    # someone cancels it in the Stripe dashboard before our request arrives
    remote = fake.all("subscription")[0]["id"]
    fake.handle("DELETE", f"/v1/subscriptions/{remote}", {}, None)
    outbox.drain(sctx)
    clock.advance(hours=1)
    assert outbox.drain(sctx)["sent"] == 0
    state = outbox.sync_state(sctx)
    assert state["failed"] == 1
    assert state["waiting"] == 0
    [row] = outbox.failed_rows(sctx)
    assert "canceled subscription" in row["last_error"]
    attempts = sctx.store.scalar("SELECT attempts FROM stripe_outbox WHERE id=?", (row["id"],))
    assert attempts == 1


def test_card_checkout_not_configured_without_a_key(ctx):
    cid = make_customer(ctx, 1)
    from backend.errors import NotConfigured

    with pytest.raises(NotConfigured, match="not configured"):
        card_payments.start_checkout(
            ctx, customer_id=cid, tier="student", interval="month", currency="INR", actor="a"
        )
    assert ctx.store.scalar("SELECT count(*) FROM payments") == 0
    assert sync_once(ctx)["configured"] is False
