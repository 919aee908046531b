"""Card payments through the API against the fake Stripe server: the Checkout page,
its refresh, Stripe being down, card plans, and the signed Stripe webhook."""

from __future__ import annotations

import hashlib
import hmac
import json

import pytest

from backend.services.shop import customers
from tests.integration.api.conftest import STRIPE_WEBHOOK_SECRET, error_of


@pytest.fixture
def customer_id(ctx) -> int:
    return customers.add_customer(ctx, name="Ravi Kumar", email="ravi@example.in", actor="t")["id"]


def checkout(as_role, customer_id: int, currency: str = "INR", role: str = "kiosk"):
    return as_role(role).post(
        "/payments/create-intent",
        json={
            "customer_id": customer_id,
            "tier": "student",
            "interval": "month",
            "currency": currency,
        },
    )


def stripe_signature(body: bytes, when: int, secret: str = STRIPE_WEBHOOK_SECRET) -> str:
    mac = hmac.new(secret.encode(), f"{when}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={when},v1={mac}"


def test_card_checkout_is_paid_on_stripes_page(as_role, ctx, providers, customer_id):
    response = checkout(as_role, customer_id)
    assert response.status_code == 201, response.text
    started = response.json()
    assert started["url"].startswith("https://checkout.stripe.com/c/pay/cs_test_")
    assert started["amount"] == 79900
    assert started["currency"] == "INR"
    assert started["status"] == "pending"
    assert as_role("kiosk").get(f"/payments/card/{started['id']}").json()["status"] == "pending"

    providers.stripe.complete_session(started["session_id"])
    paid = as_role("kiosk").get(f"/payments/card/{started['id']}").json()
    assert paid["status"] == "succeeded"
    assert paid["receipt_no"].startswith("AC/2627/")
    sub = ctx.store.one("SELECT tier, method, status FROM subscriptions")
    assert sub == {"tier": "student", "method": "card", "status": "active"}
    methods = as_role("staff").get("/payments/payment-methods", params={"customer_id": customer_id})
    assert len(methods.json()["payment_methods"]) == 1


def test_card_checkout_cancel(as_role, ctx, providers, customer_id):
    started = checkout(as_role, customer_id, "USD").json()
    canceled = as_role("staff").post(f"/payments/card/{started['id']}/cancel")
    assert canceled.status_code == 200, canceled.text
    assert canceled.json()["status"] == "canceled"
    [session] = providers.stripe.all("checkout.session")
    assert session["status"] == "expired"


def test_card_checkout_bad_input_and_roles(as_role, ctx, providers, customer_id):
    kiosk = as_role("kiosk")
    body = {"customer_id": customer_id, "tier": "student", "interval": "month", "currency": "EUR"}
    euro = kiosk.post("/payments/create-intent", json=body)
    assert euro.status_code == 422
    assert error_of(euro)["field"] == "currency"
    body = {
        "customer_id": customer_id,
        "tier": "enterprise",
        "interval": "month",
        "currency": "USD",
    }
    assert kiosk.post("/payments/create-intent", json=body).status_code == 422
    body = {"customer_id": 999, "tier": "student", "interval": "month", "currency": "USD"}
    assert kiosk.post("/payments/create-intent", json=body).status_code == 404
    assert checkout(as_role, customer_id, role="autoos").status_code == 403
    assert kiosk.get("/payments/card/pay_nothere").status_code == 404
    assert ctx.store.scalar("SELECT count(*) FROM payments") == 0


def test_stripe_down_is_503_and_no_half_written_sale(as_role, ctx, providers, customer_id):
    providers.stripe.inject("500", "500", "500", "500", "500", "500")
    response = checkout(as_role, customer_id)
    assert response.status_code == 503
    err = error_of(response)
    assert err["code"] == "unavailable"
    assert "UPI" in err["message"]
    assert ctx.store.scalar("SELECT count(*) FROM payments WHERE status='pending'") == 0


def test_card_not_configured(as_role, customer_id):
    status = as_role("kiosk").get("/payments/card-status").json()
    assert status["configured"] is False
    assert status["reason"]
    response = checkout(as_role, customer_id)
    assert response.status_code == 503
    assert error_of(response)["code"] == "not_configured"


def test_subscribe_by_card_with_a_trial(as_role, ctx, providers, customer_id):
    response = as_role("staff").post(
        "/payments/subscribe",
        json={
            "customer_id": customer_id,
            "tier": "employee",
            "interval": "month",
            "currency": "USD",
            "method": "card",
            "trial_days": 14,
        },
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["method"] == "card"
    assert body["subscription"]["status"] == "trialing"
    assert body["payment"] is None
    shown = as_role("autoos").get("/payments/subscription", params={"customer_id": customer_id})
    assert shown.json()["subscription"]["tier"] == "employee"


def test_stripe_webhook_applies_once_and_refuses_bad_signatures(
    as_role, http, ctx, clock, providers, customer_id
):
    started = checkout(as_role, customer_id).json()
    providers.stripe.complete_session(started["session_id"])
    [event] = [e for e in providers.stripe.events if e["type"] == "checkout.session.completed"]
    body = json.dumps(event).encode()
    now = int(clock.now().timestamp())

    for bad in (
        stripe_signature(body, now, secret="whsec_wrong"),
        stripe_signature(body, now - 3600),  # replayed an hour later
        "",
    ):
        refused = http.post(
            "/payments/webhooks/stripe", content=body, headers={"Stripe-Signature": bad}
        )
        assert refused.status_code == 400
        assert error_of(refused)["code"] == "bad_signature"
    assert ctx.store.scalar("SELECT status FROM payments WHERE id=?", (started["id"],)) == (
        "pending"
    )

    headers = {"Stripe-Signature": stripe_signature(body, now)}
    first = http.post("/payments/webhooks/stripe", content=body, headers=headers)
    assert first.status_code == 200, first.text
    assert first.json()["applied"] is True
    second = http.post("/payments/webhooks/stripe", content=body, headers=headers)
    assert second.json()["applied"] is False
    assert ctx.store.scalar("SELECT status FROM payments WHERE id=?", (started["id"],)) == (
        "succeeded"
    )
    assert (
        ctx.store.scalar("SELECT count(*) FROM stripe_events WHERE event_id=?", (event["id"],)) == 1
    )
    assert ctx.store.scalar("SELECT count(*) FROM subscriptions") == 1


def test_update_payment_method_gives_stripes_page(as_role, ctx, providers, customer_id):
    started = checkout(as_role, customer_id).json()
    providers.stripe.complete_session(started["session_id"])
    as_role("kiosk").get(f"/payments/card/{started['id']}")
    response = as_role("staff").post(
        "/payments/update-payment-method", json={"customer_id": customer_id}
    )
    assert response.status_code == 200, response.text
    link = response.json()
    assert link["url"].startswith("https://billing.stripe.com/p/session/")
    actions = ctx.store.query("SELECT action, actor FROM audit_log WHERE action='card.update_link'")
    assert actions == [{"action": "card.update_link", "actor": "api:test-staff"}]
    new_card = providers.stripe.attach_card(
        ctx.store.scalar("SELECT stripe_customer_id FROM customers")
    )
    cards = as_role("staff").get("/payments/payment-methods", params={"customer_id": customer_id})
    assert new_card["id"] in [c["payment_method_id"] for c in cards.json()["payment_methods"]]


def test_update_payment_method_refusals(as_role, providers, customer_id):
    never_in_stripe = as_role("staff").post(
        "/payments/update-payment-method", json={"customer_id": customer_id}
    )
    assert never_in_stripe.status_code == 409
    assert "not in Stripe" in error_of(never_in_stripe)["message"]
    missing = as_role("staff").post("/payments/update-payment-method", json={"customer_id": 999})
    assert missing.status_code == 404
    kiosk = as_role("kiosk").post(
        "/payments/update-payment-method", json={"customer_id": customer_id}
    )
    assert kiosk.status_code == 403
