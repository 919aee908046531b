"""Money Stripe collects by itself (renewals, upgrade prorations) becomes local payments
with receipts, once, whether the event comes by polling, webhook or both; a renewal the
card cannot pay is one failed payment."""

from __future__ import annotations

import json
from datetime import timedelta

import stripe

from backend.domain.periods import DateRange
from backend.services.billing import card_subscriptions, invoices
from backend.services.cards import stripe_events
from backend.services.cards.stripe_webhooks import handle_stripe_webhook
from backend.services.payments import payment_events
from backend.services.reports import dashboard
from backend.sync import outbox
from tests.integration.stripe.conftest import WEBHOOK_SECRET, make_customer, paid_checkout

STUDENT_USD_MONTH = 999


def _card_on_file(ctx, status="succeeded"):
    return ctx.store.query(
        "SELECT * FROM payments WHERE method='card_on_file' AND status=? ORDER BY created_at",
        (status,),
    )


def _webhook(ctx, event):
    body = json.dumps(event)
    now = int(ctx.clock.now().timestamp())
    header = stripe.WebhookSignature.generate_signature_header(body, WEBHOOK_SECRET, timestamp=now)
    return handle_stripe_webhook(ctx, body.encode(), header)


def _month(clock):
    day = clock.now().date()
    return DateRange(day - timedelta(days=40), day)


def test_a_card_renewal_is_one_payment_with_a_receipt_by_poll_and_webhook(sctx, fake, clock):
    cid = make_customer(sctx, 1)
    checkout = paid_checkout(sctx, fake, cid, "student")
    stripe_events.poll(sctx)
    assert _card_on_file(sctx) == []  # the first invoice is the checkout's own payment

    clock.advance(days=31)
    fake.advance_subscriptions()
    [renewal_event] = [e for e in fake.events if e["type"] == "invoice.payment_succeeded"][-1:]
    invoice = renewal_event["data"]["object"]
    assert invoice["billing_reason"] == "subscription_cycle"
    # the webhook arrives first, then polling sees the same event, then invoice.paid too
    assert _webhook(sctx, renewal_event)["applied"] is True
    stripe_events.poll(sctx)
    fake.emit("invoice.paid", invoice)
    stripe_events.poll(sctx)
    assert _webhook(sctx, fake.events[-1])["applied"] is False

    [paid] = _card_on_file(sctx)
    assert (paid["amount"], paid["currency"], paid["tier"], paid["interval"]) == (
        STUDENT_USD_MONTH,
        "USD",
        "student",
        "month",
    )
    assert (paid["purpose"], paid["stripe_invoice_id"]) == ("renewal", invoice["id"])
    assert paid["subscription_id"] == checkout["subscription_id"]
    assert paid["receipt_no"] == "AC/2627/000002"  # after the checkout's AC/2627/000001
    assert paid["stripe_payment_intent_id"]  # refundable
    kinds = [e["kind"] for e in payment_events.history(sctx, paid["id"])]
    assert kinds == ["collected"]  # Stripe collected it by itself
    audited = sctx.store.scalar(
        "SELECT count(*) FROM audit_log WHERE action='payment.collected' AND entity_id=?",
        (paid["id"],),
    )
    assert audited == 1
    receipt = invoices.invoice_for_payment(sctx, paid["id"])
    assert receipt["number"] == paid["receipt_no"]

    board = dashboard.load(sctx, _month(clock), "USD")
    assert board.revenue_range == 2 * STUDENT_USD_MONTH  # the checkout and the renewal


def test_an_upgrade_proration_invoice_is_recorded_at_the_new_plan(sctx, fake, clock):
    cid = make_customer(sctx, 2)
    checkout = paid_checkout(sctx, fake, cid, "student")
    clock.advance(days=10)
    preview = card_subscriptions.preview_upgrade(sctx, checkout["subscription_id"], tier="employee")
    card_subscriptions.upgrade(
        sctx,
        checkout["subscription_id"],
        tier="employee",
        proration_date=preview["proration_date"],
        actor="anita",
    )
    outbox.drain(sctx)
    stripe_events.poll(sctx)
    [paid] = _card_on_file(sctx)
    assert (paid["amount"], paid["purpose"], paid["tier"]) == (
        preview["amount_due"],
        "upgrade",
        "employee",
    )
    assert paid["receipt_no"]
    board = dashboard.load(sctx, _month(clock), "USD")
    assert board.revenue_range == STUDENT_USD_MONTH + preview["amount_due"]


def test_a_renewal_the_card_cannot_pay_is_one_failed_payment(sctx, fake, clock):
    cid = make_customer(sctx, 3)
    paid_checkout(sctx, fake, cid, "student")
    stripe_events.poll(sctx)
    remote = sctx.store.scalar("SELECT stripe_customer_id FROM customers WHERE id=?", (cid,))
    fake.get("customer", remote)["invoice_settings"]["default_payment_method"] = None  # expired
    clock.advance(days=31)
    fake.advance_subscriptions()
    [failed_event] = [e for e in fake.events if e["type"] == "invoice.payment_failed"]
    stripe_events.poll(sctx)
    assert _webhook(sctx, failed_event)["applied"] is False  # the same event: once
    [failed] = _card_on_file(sctx, "failed")
    assert (failed["amount"], failed["receipt_no"], failed["paid_at"]) == (
        STUDENT_USD_MONTH,
        None,
        None,
    )
    assert _card_on_file(sctx) == []
    board = dashboard.load(sctx, _month(clock), "USD")
    assert board.card_failed == 1
    assert board.revenue_range == STUDENT_USD_MONTH  # only the checkout


def test_a_checkouts_first_invoice_seen_before_its_session_is_not_recorded_twice(sctx, fake):
    from backend.services.cards import card_checkout

    cid = make_customer(sctx, 4)
    started = card_checkout.start_checkout(
        sctx, customer_id=cid, tier="student", interval="month", currency="USD", actor="a"
    )
    fake.complete_session(started["session_id"])
    types = [e["type"] for e in fake.events]
    assert types.index("invoice.payment_succeeded") < types.index("checkout.session.completed")
    stripe_events.poll(sctx)  # the invoice event is applied before the session's
    assert _card_on_file(sctx) == []
    paid = sctx.store.one(
        "SELECT status, stripe_invoice_id FROM payments WHERE id=?", (started["id"],)
    )
    assert paid["status"] == "succeeded"
    assert paid["stripe_invoice_id"]
    assert sctx.store.scalar("SELECT count(*) FROM payments WHERE status='succeeded'") == 1
