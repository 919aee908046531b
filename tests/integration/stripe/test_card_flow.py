"""A counter sale by card, end to end through the real SDK and the fake Stripe."""

from __future__ import annotations

from datetime import timedelta

from backend.adapters.stripe_gateway import card_status
from backend.domain.money import parse_amount
from backend.services.billing import card_subscriptions
from backend.services.cards import card_billing, card_checkout, card_refunds, stripe_events
from backend.services.cards.stripe_mirror import from_unix
from backend.services.trials import trials
from backend.sync import outbox
from tests.integration.stripe.conftest import make_customer, paid_checkout


def test_checkout_paid_refunded_and_mirrored(sctx, fake):
    cid = make_customer(sctx, 1)
    trials.start_trial(sctx, cid, actor="anita")
    started = card_checkout.start_checkout(
        sctx, customer_id=cid, tier="student", interval="month", currency="INR", actor="anita"
    )
    assert started["status"] == "pending"
    assert started["url"].startswith("https://checkout.stripe.com/c/pay/cs_test_")
    assert started["amount"] == 79900
    assert started["amount_text"] == "₹799.00"
    assert started["tier_name"] == "Student"
    [session] = fake.all("checkout.session")
    assert session["customer"] == sctx.store.scalar("SELECT stripe_customer_id FROM customers")
    [price] = [p for p in fake.all("price") if p["lookup_key"] == "autoos_student_inr_month"]
    assert price["unit_amount"] == 79900
    assert price["recurring"]["interval"] == "month"

    assert card_checkout.refresh(sctx, started["id"])["status"] == "pending"
    fake.complete_session(session["id"])
    paid = card_checkout.refresh(sctx, started["id"])
    assert paid["status"] == "succeeded"
    assert paid["receipt_no"].startswith("AC/2627/")
    assert trials.trial_status(sctx, cid)["status"] == "converted"
    sub = card_subscriptions.get_subscription(sctx, paid["subscription_id"])
    assert (sub["tier"], sub["status"], sub["interval"], sub["currency"]) == (
        "student",
        "active",
        "month",
        "INR",
    )
    assert sub["current_period_end"] == "2026-12-26T10:00:00Z"
    # the charge to refund comes from the invoice's (expanded) payments
    [intent] = fake.all("payment_intent")
    assert sctx.store.scalar("SELECT stripe_payment_intent_id FROM payments") == intent["id"]

    part = card_refunds.refund(
        sctx, started["id"], amount=parse_amount("199.50", "INR"), actor="anita"
    )
    assert part["status"] == "succeeded"
    rest = card_refunds.refund(sctx, started["id"], actor="anita")
    assert rest["amount"] == 79900 - 19950
    row = sctx.store.one("SELECT status, refunded_amount FROM payments")
    assert row == {"status": "refunded", "refunded_amount": 79900}
    assert sorted(r["amount"] for r in fake.all("refund")) == [19950, 59950]

    inv = card_billing.invoices(sctx, cid)["invoices"]
    assert [i["total"] for i in inv] == [79900]
    assert inv[0]["hosted_invoice_url"]
    assert inv[0]["invoice_pdf"]
    assert len(card_billing.payment_methods(sctx, cid)["payment_methods"]) == 1

    first = stripe_events.poll(sctx)
    assert first["seen"] == len(fake.events)
    assert stripe_events.poll(sctx)["applied"] == 0
    assert outbox.sync_state(sctx)["waiting"] == 0


def test_trial_upgrade_downgrade_cancel(sctx, fake, clock):
    cid = make_customer(sctx, 2)
    sub = card_subscriptions.subscribe(
        sctx,
        customer_id=cid,
        tier="student",
        interval="month",
        currency="USD",
        trial_days=14,
        actor="anita",
    )
    assert sub["status"] == "trialing"
    assert outbox.drain(sctx)["waiting"] == 0
    [remote] = fake.all("subscription")
    assert remote["status"] == "trialing"
    assert remote["trial_end"]
    fake.attach_card(remote["customer"])
    clock.advance(days=15)
    fake.advance_subscriptions()
    stripe_events.poll(sctx)
    sub = card_subscriptions.get_subscription(sctx, sub["id"])
    assert sub["status"] == "active"

    clock.advance(days=10)
    preview = card_subscriptions.preview_upgrade(sctx, sub["id"], tier="employee")
    assert 0 < preview["amount_due"] < 2999 - 999
    card_subscriptions.upgrade(
        sctx, sub["id"], tier="employee", proration_date=preview["proration_date"], actor="anita"
    )
    outbox.drain(sctx)
    assert card_subscriptions.get_subscription(sctx, sub["id"])["tier"] == "employee"
    upgrade_invoice = [
        i for i in fake.all("invoice") if i["billing_reason"] == "subscription_update"
    ]
    assert [i["total"] for i in upgrade_invoice] == [preview["amount_due"]]

    card_subscriptions.downgrade(sctx, sub["id"], tier="student", actor="anita")
    outbox.drain(sctx)
    row = card_subscriptions.get_subscription(sctx, sub["id"])
    assert row["pending_tier"] == "student"
    assert row["tier"] == "employee"
    clock.advance(timedelta(days=31))
    fake.advance_subscriptions()
    stripe_events.poll(sctx)
    row = card_subscriptions.get_subscription(sctx, sub["id"])
    assert (row["tier"], row["pending_tier"]) == ("student", None)

    card_subscriptions.cancel(sctx, sub["id"], at_period_end=True, actor="anita")
    outbox.drain(sctx)
    assert card_subscriptions.get_subscription(sctx, sub["id"])["cancel_at_period_end"] == 1
    card_subscriptions.cancel(sctx, sub["id"], at_period_end=False, actor="anita")
    outbox.drain(sctx)
    assert card_subscriptions.get_subscription(sctx, sub["id"])["status"] == "canceled"
    assert fake.all("subscription")[0]["status"] == "canceled"


def test_no_key_means_not_configured(ctx):
    status = card_status(ctx)
    assert status["configured"] is False
    assert "STRIPE_SECRET_KEY" in status["reason"]


def test_failed_renewal_mirrors_past_due(sctx, fake, clock):
    cid = make_customer(sctx, 3)
    paid_checkout(sctx, fake, cid, "employee")
    stripe_customer = sctx.store.scalar("SELECT stripe_customer_id FROM customers")
    fake.objects["customer"][stripe_customer]["invoice_settings"]["default_payment_method"] = None
    clock.advance(days=31)
    fake.advance_subscriptions()
    assert stripe_events.poll(sctx)["applied"] >= 2
    sub = sctx.store.one("SELECT status, current_period_end FROM subscriptions")
    assert sub == {"status": "past_due", "current_period_end": "2027-01-25T10:00:00Z"}
    failed = sctx.store.one("SELECT status, total FROM stripe_invoices WHERE status='open'")
    assert failed == {"status": "open", "total": 2999}


def test_restricted_key_works(sctx, fake):
    from backend.config import Secrets
    from backend.services.cards.stripe_customers import ensure_in_stripe

    fake.api_keys = {"rk_test_restricted"}
    sctx.secrets = Secrets(env={"STRIPE_SECRET_KEY": "rk_test_restricted"}, use_keyring=False)
    sctx.adapters.pop("stripe", None)
    assert card_status(sctx) == {"configured": True, "reason": None}
    ensure_in_stripe(sctx, make_customer(sctx, 4), actor="a")
    assert outbox.drain(sctx)["sent"] == 1
    assert len(fake.all("customer")) == 1


def test_backoff_is_computed_from_the_clock(sctx, fake, clock):
    from backend.services.cards.stripe_customers import ensure_in_stripe

    ensure_in_stripe(sctx, make_customer(sctx, 5), actor="a")
    fake.inject("500", "500", "500")  # the SDK's first try and both of its retries
    result = outbox.drain(sctx)
    assert result["sent"] == 0
    assert result["waiting"] == 1
    row = sctx.store.one("SELECT attempts, next_attempt_at FROM stripe_outbox")
    assert row == {"attempts": 1, "next_attempt_at": "2026-11-26T10:00:05Z"}
    assert outbox.drain(sctx)["sent"] == 0  # not due yet: nothing is sent
    assert len(fake.requests) == 3
    clock.advance(seconds=5)
    assert outbox.drain(sctx)["sent"] == 1
    assert len(fake.all("customer")) == 1


def test_checkout_on_a_fresh_install_survives_a_slow_catalog_push(sctx, fake, clock):
    """Each request takes a second: pushing the price list first must not leave the
    session's expires_at under Stripe's 30-minute minimum by the time it is sent."""
    arrive = fake.arrive

    def slow_arrive(method: str, path: str) -> None:
        clock.advance(seconds=1)
        arrive(method, path)

    fake.arrive = slow_arrive  # type: ignore[method-assign]
    cid = make_customer(sctx, 6)
    started = card_checkout.start_checkout(
        sctx, customer_id=cid, tier="student", interval="month", currency="USD", actor="a"
    )
    assert started["status"] == "pending"
    [session] = fake.all("checkout.session")
    assert session["expires_at"] >= fake.now() + 30 * 60 - 5
    assert started["expires_at"] == from_unix(session["expires_at"])  # the shop shows Stripe's


def test_a_refund_is_in_the_payment_history_from_request_to_answer(sctx, fake):
    """Requested, then refunded or refused: staff see each step with the same details as
    any other payment event (one writer for UPI, card and refunds)."""
    from backend.services.payments.payment_events import history

    cid = make_customer(sctx, 7)
    started = paid_checkout(sctx, fake, cid, "student")
    part = card_refunds.refund(sctx, started["id"], amount=parse_amount("1.50", "USD"), actor="b")
    fake.inject("drop", "drop", "drop")  # the SDK's try and both retries: it waits
    waiting = card_refunds.refund(sctx, started["id"], amount=parse_amount("2", "USD"), actor="b")
    assert waiting["status"] == "pending"
    steps = [(e["kind"], e["detail"]) for e in history(sctx, started["id"])]
    assert steps[-3:] == [
        ("refund_requested", {"refund_id": part["id"], "amount": 150, "currency": "USD"}),
        ("partly_refunded", {"refund_id": part["id"], "amount": 150, "currency": "USD"}),
        ("refund_requested", {"refund_id": waiting["id"], "amount": 200, "currency": "USD"}),
    ]


def test_an_event_about_an_object_stripe_no_longer_has_does_not_block_the_rest(sctx, fake):
    """A 404 while applying one event must not stop every later event (nor raise out of
    the sync pass): the object is gone, so there is nothing to mirror."""
    from backend.services.cards.stripe_sync import sync_once

    cid = make_customer(sctx, 8)
    sub = card_subscriptions.subscribe(
        sctx,
        customer_id=cid,
        tier="student",
        interval="month",
        currency="USD",
        trial_days=7,
        actor="a",
    )
    sync_once(sctx, pull=False)  # sent; its events not read yet
    remote = card_subscriptions.get_subscription(sctx, sub["id"])["stripe_subscription_id"]
    fake.objects["subscription"].pop(remote)  # e.g. test data deleted in the dashboard
    later = make_customer(sctx, 9)
    result = sync_once(sctx)
    assert result["events"].get("stopped") is None
    assert sctx.store.scalar("SELECT stripe_customer_id FROM customers WHERE id=?", (later,))
    assert sctx.store.scalar("SELECT count(*) FROM stripe_events") == len(fake.events)


def test_downgrade_after_an_unseen_renewal_uses_the_schedules_own_phase(sctx, fake, clock):
    """The subscription renewed at Stripe and its events are not read yet: the downgrade's
    schedule must start its first phase where Stripe's schedule does, not where the stale
    local copy says."""
    cid = make_customer(sctx, 10)
    paid = paid_checkout(sctx, fake, cid, "employee")
    clock.advance(days=31)
    fake.advance_subscriptions()  # renewed at Stripe; no events polled here
    card_subscriptions.downgrade(sctx, paid["subscription_id"], tier="student", actor="a")
    result = outbox.drain(sctx)
    assert result["failed"] == 0, [r["last_error"] for r in outbox.failed_rows(sctx)]
    [schedule] = fake.all("subscription_schedule")
    [student] = [
        p["id"] for p in fake.all("price") if p["lookup_key"] == "autoos_student_usd_month"
    ]
    assert schedule["phases"][-1]["items"][0]["price"] == student


def test_a_refused_downgrade_can_be_asked_for_again(sctx, fake):
    """Stripe refuses the schedule change: the pending downgrade is cleared (with Stripe's
    message for staff), not left blocking every later change at period end."""
    cid = make_customer(sctx, 11)
    sub_id = paid_checkout(sctx, fake, cid, "employee")["subscription_id"]
    card_subscriptions.downgrade(sctx, sub_id, tier="student", actor="a")
    outbox.drain(sctx, max_ops=1)  # the schedule exists; its change is not sent yet
    [schedule] = fake.all("subscription_schedule")
    fake.objects["subscription_schedule"][schedule["id"]]["status"] = "canceled"
    outbox.drain(sctx)
    row = card_subscriptions.get_subscription(sctx, sub_id)
    assert (row["pending_tier"], row["stripe_schedule_id"]) == (None, None)
    assert "schedule.update" in [f["kind"] for f in outbox.failed_rows(sctx)]
    card_subscriptions.downgrade(sctx, sub_id, tier="student", actor="a")  # not refused


def test_a_card_paid_after_staff_cancelled_is_flagged_late_and_counted(sctx, fake):
    """The customer paid on the phone just as staff cancelled: Stripe took the money and
    started the plan. Like an accepted late UPI payment it is succeeded with late=1 (a
    receipt, revenue, refundable), not a 'late' status that no one can settle."""
    from backend.domain.periods import last_days
    from backend.services.reports import dashboard

    cid = make_customer(sctx, 12)
    started = card_checkout.start_checkout(
        sctx, customer_id=cid, tier="student", interval="month", currency="USD", actor="a"
    )
    fake.complete_session(started["session_id"])
    card_checkout.cancel_checkout(sctx, started["id"], actor="a")  # expire is refused
    assert card_checkout.view(sctx, started["id"])["status"] == "canceled"
    stripe_events.poll(sctx)
    row = sctx.store.one("SELECT status, late, receipt_no FROM payments")
    assert (row["status"], row["late"]) == ("succeeded", 1)
    assert row["receipt_no"]
    board = dashboard.load(sctx, last_days(sctx.clock.now().date(), 1), "USD")
    assert board.revenue_today == 999


def test_a_refund_click_sends_its_own_request_not_the_whole_queue(sctx, fake):
    """Staff wait for the refund's answer; a backlog of other customers' writes (after a
    day offline, say) is the sync worker's job, not theirs."""
    from backend.services.cards.stripe_customers import ensure_in_stripe

    paid = paid_checkout(sctx, fake, make_customer(sctx, 13), "student")
    for n in range(14, 24):
        ensure_in_stripe(sctx, make_customer(sctx, n), actor="test")
    refund = card_refunds.refund(sctx, paid["id"], actor="b")
    assert refund["status"] == "succeeded"
    assert outbox.sync_state(sctx)["waiting"] == 10
