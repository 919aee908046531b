"""Stripe webhooks: a body signed with the SDK's own helper is applied once; a changed
body, another secret or an old timestamp is refused and changes nothing."""

from __future__ import annotations

import json

import pytest
import stripe

from backend.errors import SignatureError
from backend.services.cards.stripe_webhooks import handle_stripe_webhook
from tests.integration.stripe.conftest import WEBHOOK_SECRET, make_customer


def _customer_event(cid: int) -> str:
    return json.dumps(
        {
            "id": "evt_webhook_1",
            "object": "event",
            "type": "customer.created",
            "created": 1796292000,
            "data": {
                "object": {
                    "id": "cus_from_webhook",
                    "object": "customer",
                    "metadata": {"autoos_customer_id": str(cid)},
                }
            },
        }
    )


def _sign(body: str, secret: str, when: int) -> str:
    return stripe.WebhookSignature.generate_signature_header(body, secret, timestamp=when)


def _linked(ctx, cid):
    return ctx.store.scalar("SELECT stripe_customer_id FROM customers WHERE id=?", (cid,))


def test_signed_payload_is_applied_once(sctx, clock):
    cid = make_customer(sctx, 1)
    body = _customer_event(cid)
    now = int(clock.now().timestamp())
    answer = handle_stripe_webhook(sctx, body.encode(), _sign(body, WEBHOOK_SECRET, now))
    assert answer == {"received": True, "event_id": "evt_webhook_1", "applied": True}
    assert _linked(sctx, cid) == "cus_from_webhook"
    again = handle_stripe_webhook(sctx, body.encode(), _sign(body, WEBHOOK_SECRET, now))
    assert again["applied"] is False
    assert sctx.store.scalar("SELECT count(*) FROM stripe_events") == 1


@pytest.mark.parametrize(
    "tamper", ["body", "secret", "old", "future", "garbage", "non_ascii", "wide_digits"]
)
def test_bad_signatures_change_nothing(sctx, clock, tamper):
    cid = make_customer(sctx, 1)
    body = _customer_event(cid)
    now = int(clock.now().timestamp())
    header = _sign(body, WEBHOOK_SECRET, now)
    sent = body
    if tamper == "body":
        sent = body.replace("cus_from_webhook", "cus_attacker")
    elif tamper == "secret":
        header = _sign(body, "whsec_someone_else", now)
    elif tamper == "old":
        header = _sign(body, WEBHOOK_SECRET, now - 301)
    elif tamper == "future":
        header = _sign(body, WEBHOOK_SECRET, now + 301)
    elif tamper == "non_ascii":
        header = f"t={now},v1=\u00e9{'0' * 63}"
    elif tamper == "wide_digits":  # int() reads these; the signed text would differ
        header = _sign(body, WEBHOOK_SECRET, now).replace(f"t={now}", f"t=\uff11{now}")
    else:
        header = "v1=deadbeef"
    with pytest.raises(SignatureError):
        handle_stripe_webhook(sctx, sent.encode(), header)
    assert _linked(sctx, cid) is None
    assert sctx.store.scalar("SELECT count(*) FROM stripe_events") == 0


@pytest.mark.parametrize("skew", [-300, 300])
def test_just_inside_the_tolerance_is_accepted(sctx, clock, skew):
    cid = make_customer(sctx, 1)
    body = _customer_event(cid)
    header = _sign(body, WEBHOOK_SECRET, int(clock.now().timestamp()) + skew)
    assert handle_stripe_webhook(sctx, body.encode(), header)["applied"] is True


def test_secret_rotation_any_v1_may_match(sctx, clock):
    """During a rotation Stripe signs with both secrets: one matching v1 is enough."""
    cid = make_customer(sctx, 1)
    body = _customer_event(cid)
    now = int(clock.now().timestamp())
    old = _sign(body, "whsec_old_secret", now).split(",v1=")[1]
    new = _sign(body, WEBHOOK_SECRET, now).split(",v1=")[1]
    header = f"t={now},v1={old},v1={new},v0=ignored"
    assert handle_stripe_webhook(sctx, body.encode(), header)["applied"] is True


def test_webhook_and_poll_apply_a_checkout_once(sctx, fake):
    from backend.services.cards import card_checkout, stripe_events

    cid = make_customer(sctx, 2)
    started = card_checkout.start_checkout(
        sctx, customer_id=cid, tier="student", interval="year", currency="USD", actor="a"
    )
    fake.complete_session(started["session_id"])
    [event] = [e for e in fake.events if e["type"] == "checkout.session.completed"]
    body = json.dumps(event)
    header = _sign(body, WEBHOOK_SECRET, int(fake.now()))
    assert handle_stripe_webhook(sctx, body.encode(), header)["applied"] is True
    paid = card_checkout.view(sctx, started["id"])
    assert paid["status"] == "succeeded"
    receipt = paid["receipt_no"]
    stripe_events.poll(sctx)
    assert card_checkout.view(sctx, started["id"])["receipt_no"] == receipt
    assert (
        sctx.store.scalar("SELECT count(*) FROM stripe_events WHERE event_id=?", (event["id"],))
        == 1
    )
    assert sctx.store.scalar("SELECT count(*) FROM subscriptions WHERE method='card'") == 1
