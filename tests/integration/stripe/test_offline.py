"""With Stripe unreachable: UPI checkout, free trials, card trials and customers still
work, Stripe work queues, card checkout says so at once; when Stripe is back the queue
drains."""

from __future__ import annotations

import pytest

from backend.errors import TransientError
from backend.services.billing import card_subscriptions
from backend.services.cards import card_checkout
from backend.services.cards.stripe_customers import ensure_in_stripe, push_customers
from backend.services.cards.stripe_sync import sync_once
from backend.services.payments.payment_events import history
from backend.services.shop.customers import update_customer
from backend.services.trials import trials
from backend.services.upi import upi_requests
from backend.sync import outbox
from tests.integration.stripe.conftest import make_customer
from tests.integration.stripe.mirror_check import assert_mirror_equals_fake, assert_no_duplicates


def test_offline_work_goes_on_and_the_queue_drains_later(sctx, fake, clock):
    early = make_customer(sctx, 0)
    ensure_in_stripe(sctx, early, actor="test")
    assert sync_once(sctx)["state"]["online"] is True
    fake.stop()

    cid = make_customer(sctx, 1)
    upi = upi_requests.create_request(
        sctx, customer_id=cid, tier="student", interval="month", actor="anita"
    )
    assert upi["status"] == "pending"
    assert (
        upi_requests.confirm_with_utr(sctx, upi["id"], "412345678901", actor="anita")["status"]
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
        card_checkout.start_checkout(
            sctx, customer_id=cid, tier="student", interval="month", currency="INR", actor="anita"
        )
    withdrawn = sctx.store.one("SELECT id, status FROM payments WHERE method='stripe_checkout'")
    assert withdrawn["status"] == "canceled"  # the sale is withdrawn at once...

    result = sync_once(sctx)
    state = result["state"]
    assert state["online"] is False
    assert state["waiting"] >= 3
    assert "cannot be reached" in state["last_error"]
    # ...but its request stays queued: it may have reached Stripe
    assert sctx.store.scalar("SELECT count(*) FROM stripe_outbox WHERE status='dropped'") == 0

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
    # the page made for the withdrawn sale was expired at once: nothing left to pay
    [session] = fake.all("checkout.session")
    assert session["status"] == "expired"
    kinds = [e["kind"] for e in history(sctx, withdrawn["id"])]
    assert kinds[-2:] == ["orphan_session", "stripe_session_expired"]
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
        card_checkout.start_checkout(
            ctx, customer_id=cid, tier="student", interval="month", currency="INR", actor="a"
        )
    assert ctx.store.scalar("SELECT count(*) FROM payments") == 0
    assert sync_once(ctx)["configured"] is False


@pytest.mark.parametrize("why", ["no key", "switched off"])
def test_every_card_entry_point_says_not_configured(ctx, why):
    """No key, or ENABLE_CARD_PAYMENTS=0: each card action refuses with the same words and
    queues nothing that could never be sent; UPI and trials are untouched."""
    from backend.config import Secrets
    from backend.errors import NotConfigured
    from backend.services.billing import card_subscriptions
    from backend.services.cards import card_refunds
    from backend.services.trials import trials

    if why == "switched off":
        ctx.settings.features.card_payments = False
        ctx.secrets = Secrets(env={"STRIPE_SECRET_KEY": "sk_test_x"}, use_keyring=False)
        ctx.adapters.pop("stripe", None)
    cid = make_customer(ctx, 1)
    now = ctx.now_iso()
    with ctx.store.transaction():  # a card payment and subscription from before
        ctx.store.execute(
            "INSERT INTO payments (id, customer_id, method, status, amount, currency, tier, "
            "interval, created_at, expires_at, updated_at, created_by, paid_at, "
            "stripe_payment_intent_id) VALUES ('pay_old', ?, 'stripe_checkout', 'succeeded', "
            "79900, 'INR', 'student', 'month', ?, ?, ?, 'a', ?, 'pi_old')",
            (cid, now, now, now, now),
        )
        sub_id = ctx.store.insert(
            "INSERT INTO subscriptions (customer_id, tier, interval, currency, amount, method, "
            "status, current_period_start, current_period_end, created_at, updated_at, "
            "stripe_subscription_id, stripe_item_id) VALUES (?, 'employee', 'month', 'USD', 2999, "
            "'card', 'active', ?, ?, ?, ?, 'sub_old', 'si_old') RETURNING id",
            (cid, now, now, now, now),
        )
    attempts = {
        "checkout": lambda: card_checkout.start_checkout(
            ctx, customer_id=cid, tier="student", interval="month", currency="INR", actor="a"
        ),
        "subscribe": lambda: card_subscriptions.subscribe(
            ctx,
            customer_id=cid,
            tier="student",
            interval="month",
            currency="USD",
            trial_days=14,
            actor="a",
        ),
        "preview": lambda: card_subscriptions.preview_upgrade(ctx, sub_id, tier="professional"),
        "upgrade": lambda: card_subscriptions.upgrade(ctx, sub_id, tier="professional", actor="a"),
        "downgrade": lambda: card_subscriptions.downgrade(ctx, sub_id, tier="student", actor="a"),
        "cancel": lambda: card_subscriptions.cancel(ctx, sub_id, at_period_end=True, actor="a"),
        "refund": lambda: card_refunds.refund(ctx, "pay_old", actor="a"),
    }
    for attempt in attempts.values():
        with pytest.raises(NotConfigured, match=r"^Card payments are not configured"):
            attempt()
    assert ctx.store.scalar("SELECT count(*) FROM stripe_outbox") == 0, "queued for nobody"
    assert ctx.store.scalar("SELECT count(*) FROM refunds") == 0
    assert ctx.store.scalar("SELECT count(*) FROM subscriptions") == 1
    other = make_customer(ctx, 2)
    assert trials.start_trial(ctx, other, actor="a")["status"] == "active"


def test_sync_state_forgets_the_error_once_stripe_answers_again(sctx, fake, clock):
    """The indicator must not show 'online' next to yesterday's 'cannot be reached'."""
    ensure_in_stripe(sctx, make_customer(sctx, 1), actor="test")
    fake.stop()
    offline = sync_once(sctx)["state"]
    assert offline["online"] is False
    assert offline["waiting"] > 0
    assert "cannot be reached" in offline["last_error"]
    fake.start()
    clock.advance(seconds=outbox.BACKOFF_MAX_SECONDS)
    back = sync_once(sctx)["state"]
    assert (back["online"], back["waiting"], back["last_error"]) == (True, 0, None)


def test_one_request_in_backoff_does_not_stop_events_being_pulled(sctx, fake):
    """A 500 on one customer's request must not hide a payment made meanwhile."""
    paying = make_customer(sctx, 1)
    started = card_checkout.start_checkout(
        sctx, customer_id=paying, tier="student", interval="month", currency="USD", actor="a"
    )
    ensure_in_stripe(sctx, make_customer(sctx, 2), actor="test")
    fake.inject("500", "500", "500")  # the SDK's try and both retries
    assert sync_once(sctx)["outbox"]["waiting"] == 1
    fake.complete_session(started["session_id"])
    result = sync_once(sctx)  # the customer row is still in its backoff
    assert result["outbox"]["waiting"] == 1
    assert result["events"]["applied"] > 0
    assert card_checkout.view(sctx, started["id"])["status"] == "succeeded"


def test_a_refused_api_key_keeps_the_queue_waiting(sctx, fake, clock):
    """A revoked or mistyped key is the shop's configuration, not the requests: nothing
    is marked failed for good, the indicator says why, and the queue goes once fixed."""
    from backend.config import Secrets

    for n in range(3):
        ensure_in_stripe(sctx, make_customer(sctx, n), actor="test")
    fake.api_keys = {"sk_test_rotated"}
    result = sync_once(sctx)
    assert result["outbox"]["failed"] == 0
    state = result["state"]
    queued = sctx.store.scalar("SELECT count(*) FROM stripe_outbox")  # catalog too
    assert (state["waiting"], state["failed"], state["online"]) == (queued, 0, False)
    assert "API key" in state["last_error"]
    sctx.secrets = Secrets(env={"STRIPE_SECRET_KEY": "sk_test_rotated"}, use_keyring=False)
    sctx.adapters.pop("stripe", None)
    clock.advance(seconds=outbox.BACKOFF_MAX_SECONDS)
    assert sync_once(sctx)["state"]["waiting"] == 0
    assert len(fake.all("customer")) == 3


def test_a_second_till_finds_the_products_already_in_stripe(sctx, fake):
    """Products have fixed ids (autoos_<tier>): on a new till (or a fresh database) they
    already exist at Stripe. That is success, not a failure queued again on every pass."""
    for tier in ("student", "employee", "professional"):
        fake.handle("POST", "/v1/products", {"id": f"autoos_{tier}", "name": tier}, None)
    for _ in range(3):
        state = sync_once(sctx)["state"]
    assert (state["failed"], state["waiting"]) == (0, 0)
    assert sctx.store.scalar("SELECT count(*) FROM stripe_products") == 3
    creates = sctx.store.scalar("SELECT count(*) FROM stripe_outbox WHERE kind='product.create'")
    assert creates == 3
    assert len(fake.all("product")) == 3


def test_a_cursor_stripe_no_longer_keeps_falls_back_to_what_it_keeps(sctx, fake):
    """Events live 30 days: after a long time offline the stored cursor is gone at Stripe.
    Polling then reads every event Stripe still keeps (each applied once), not nothing."""
    from backend.services.cards import stripe_events

    ensure_in_stripe(sctx, make_customer(sctx, 1), actor="test")
    sync_once(sctx)
    fake.events.clear()  # all older than 30 days
    later = make_customer(sctx, 2)
    ensure_in_stripe(sctx, later, actor="test")
    outbox.drain(sctx)
    # the link came from the outbox answer; forget it to see the event do it
    with sctx.store.transaction():
        sctx.store.execute("UPDATE customers SET stripe_customer_id=NULL WHERE id=?", (later,))
    result = stripe_events.poll(sctx)
    assert result.get("stopped") is None
    assert result["applied"] == 1
    assert sctx.store.scalar("SELECT stripe_customer_id FROM customers WHERE id=?", (later,))
