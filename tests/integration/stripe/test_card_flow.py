"""A counter sale by card, end to end through the real SDK and the fake Stripe."""

from __future__ import annotations

from datetime import timedelta

from backend.adapters.stripe_gateway import card_status
from backend.domain.money import parse_amount
from backend.services import (
    card_billing,
    card_payments,
    card_refunds,
    card_subscriptions,
    trials,
)
from backend.sync import events, outbox
from tests.integration.stripe.conftest import make_customer


def test_checkout_paid_refunded_and_mirrored(sctx, fake):
    cid = make_customer(sctx, 1)
    trials.start_trial(sctx, cid, actor="anita")
    started = card_payments.start_checkout(
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

    assert card_payments.refresh(sctx, started["id"])["status"] == "pending"
    fake.complete_session(session["id"])
    paid = card_payments.refresh(sctx, started["id"])
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

    first = events.poll(sctx)
    assert first["seen"] == len(fake.events)
    assert events.poll(sctx)["applied"] == 0
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
    events.poll(sctx)
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
    events.poll(sctx)
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
    started = card_payments.start_checkout(
        sctx, customer_id=cid, tier="employee", interval="month", currency="USD", actor="a"
    )
    fake.complete_session(started["session_id"])
    card_payments.refresh(sctx, started["id"])
    stripe_customer = sctx.store.scalar("SELECT stripe_customer_id FROM customers")
    fake.objects["customer"][stripe_customer]["invoice_settings"]["default_payment_method"] = None
    clock.advance(days=31)
    fake.advance_subscriptions()
    assert events.poll(sctx)["applied"] >= 2
    sub = sctx.store.one("SELECT status, current_period_end FROM subscriptions")
    assert sub == {"status": "past_due", "current_period_end": "2027-01-25T10:00:00Z"}
    failed = sctx.store.one("SELECT status, total FROM stripe_invoices WHERE status='open'")
    assert failed == {"status": "open", "total": 2999}


def test_restricted_key_works(sctx, fake):
    from backend.config import Secrets
    from backend.services.stripe_customers import ensure_in_stripe

    fake.api_keys = {"rk_test_restricted"}
    sctx.secrets = Secrets(env={"STRIPE_SECRET_KEY": "rk_test_restricted"}, use_keyring=False)
    sctx.adapters.pop("stripe", None)
    assert card_status(sctx) == {"configured": True, "reason": None}
    ensure_in_stripe(sctx, make_customer(sctx, 4), actor="a")
    assert outbox.drain(sctx)["sent"] == 1
    assert len(fake.all("customer")) == 1


def test_backoff_is_computed_from_the_clock(sctx, fake, clock):
    from backend.services.stripe_customers import ensure_in_stripe

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
