"""Tokens, roles, the error shape, pricing and customers through the running server."""

from __future__ import annotations

import logging

import pytest

from backend.services.shop import api_tokens
from tests.integration.api.conftest import error_of


def test_missing_wrong_and_revoked_tokens_are_401(ctx, http, tokens):
    assert http.get("/payments/pricing").status_code == 401
    bad = http.get("/payments/pricing", headers={"Authorization": "Bearer aoc_not-a-token"})
    assert bad.status_code == 401
    assert error_of(bad)["code"] == "auth"
    assert bad.headers["www-authenticate"] == "Bearer"
    basic = http.get("/payments/pricing", headers={"Authorization": "Basic dXNlcjpwYXNz"})
    assert basic.status_code == 401
    empty = http.get("/payments/pricing", headers={"Authorization": "Bearer"})
    assert empty.status_code == 401
    assert "Authorization: Bearer <token>" in error_of(empty)["message"]

    ok = http.get("/payments/pricing", headers={"Authorization": f"Bearer {tokens['kiosk']}"})
    assert ok.status_code == 200
    # the scheme's case does not matter (RFC 7235), nor spaces before the token
    lower = http.get("/payments/pricing", headers={"Authorization": f"bearer  {tokens['kiosk']}"})
    assert lower.status_code == 200
    api_tokens.revoke_token(ctx, "test-kiosk", actor="test")
    again = http.get("/payments/pricing", headers={"Authorization": f"Bearer {tokens['kiosk']}"})
    assert again.status_code == 401


def test_wrong_role_is_403_with_the_roles_named(as_role):
    response = as_role("kiosk").get("/payments/usage", params={"customer_id": 1})
    assert response.status_code == 403
    err = error_of(response)
    assert err["code"] == "forbidden"
    assert "autoos" in err["message"]


def test_tokens_are_stored_only_as_digests(ctx, tokens):
    stored = ctx.store.query("SELECT * FROM api_tokens")
    dump = repr(stored)
    assert len(stored) == 4
    for token in tokens.values():
        assert token not in dump
        assert token.startswith("aoc_")
        assert len(token) >= 40
    assert {row["token_sha256"] for row in stored} == {
        api_tokens.digest(t) for t in tokens.values()
    }
    actions = [r["action"] for r in ctx.store.query("SELECT action FROM audit_log")]
    assert actions.count("api_token.create") == 4


def test_pricing_lists_every_tier_with_minor_units(as_role, ctx):
    body = as_role("kiosk").get("/payments/pricing").json()
    tiers = {tier["id"]: tier for tier in body["tiers"]}
    assert set(tiers) == {tier.id for tier in ctx.catalog}
    student = {(p["currency"], p["interval"]): p for p in tiers["student"]["prices"]}
    assert student[("INR", "month")]["amount"] == 79900
    assert student[("INR", "month")]["amount_text"] == "₹799.00"
    assert student[("USD", "year")]["amount"] == 9999
    assert tiers["free_trial"]["trial_days"] == 30


def test_pricing_hides_yearly_prices_when_annual_billing_is_off(as_role, ctx):
    ctx.settings.features.annual_billing = False
    body = as_role("staff").get("/payments/pricing").json()
    assert body["intervals"] == ["month"]
    assert all(p["interval"] == "month" for t in body["tiers"] for p in t["prices"])


def test_create_customer_then_find_it(as_role, ctx):
    created = as_role("staff").post(
        "/payments/create-customer",
        json={"name": "Asha Rao", "email": "Asha@Example.com", "phone": "98765 43210"},
    )
    assert created.status_code == 201, created.text
    customer = created.json()
    assert customer["email"] == "asha@example.com"
    assert customer["phone"] == "+919876543210"
    row = ctx.store.one("SELECT name, email FROM customers WHERE id=?", (customer["id"],))
    assert row == {"name": "Asha Rao", "email": "asha@example.com"}
    audit = ctx.store.one("SELECT actor FROM audit_log WHERE action='customer.create'")
    assert audit == {"actor": "api:test-staff"}

    found = as_role("staff").get("/payments/customers", params={"q": "asha"}).json()
    assert [c["id"] for c in found["customers"]] == [customer["id"]]
    one = as_role("kiosk").get(f"/payments/customers/{customer['id']}")
    assert one.json()["name"] == "Asha Rao"


@pytest.mark.parametrize("role", ["kiosk", "autoos"])
def test_kiosk_and_autoos_search_matches_exact_contacts_only(as_role, role):
    as_role("staff").post(
        "/payments/create-customer",
        json={"name": "Asha Rao", "email": "asha@example.com", "phone": "9876543210"},
    )
    search = as_role(role)
    assert search.get("/payments/customers", params={"q": "asha"}).json()["customers"] == []
    exact = search.get("/payments/customers", params={"q": "ASHA@example.com"}).json()
    assert [c["email"] for c in exact["customers"]] == ["asha@example.com"]
    by_phone = search.get("/payments/customers", params={"q": "+91 98765 43210"}).json()
    assert [c["name"] for c in by_phone["customers"]] == ["Asha Rao"]


def test_bad_customer_input_is_422_in_the_error_shape(as_role, ctx):
    staff = as_role("staff")
    no_contact = staff.post("/payments/create-customer", json={"name": "Ravi"})
    assert no_contact.status_code == 422
    assert error_of(no_contact)["field"] == "email"
    bad_email = staff.post("/payments/create-customer", json={"name": "R", "email": "nope"})
    assert bad_email.status_code == 422
    unknown_field = staff.post(
        "/payments/create-customer", json={"name": "R", "email": "r@x.in", "admin": True}
    )
    assert unknown_field.status_code == 422
    assert "admin" in error_of(unknown_field)["message"]
    not_json = staff.post(
        "/payments/create-customer",
        content=b"{oops",
        headers={"Content-Type": "application/json"},
    )
    assert not_json.status_code == 422
    assert error_of(not_json)["code"] == "invalid"
    assert ctx.store.scalar("SELECT count(*) FROM customers") == 0


def test_duplicate_customer_is_409_and_unknown_one_404(as_role):
    staff = as_role("staff")
    body = {"name": "Asha", "email": "asha@example.com"}
    assert staff.post("/payments/create-customer", json=body).status_code == 201
    dup = staff.post("/payments/create-customer", json=body)
    assert dup.status_code == 409
    assert error_of(dup)["code"] == "duplicate"
    missing = staff.get("/payments/customers/999")
    assert missing.status_code == 404
    assert error_of(missing)["code"] == "not_found"
    huge = staff.get(f"/payments/customers/{2**70}")
    assert huge.status_code == 422


def test_unknown_path_and_method_use_the_error_shape(as_role):
    assert error_of(as_role("admin").get("/payments/nothing-here"))["code"] == "not_found"
    wrong_method = as_role("admin").request("DELETE", "/payments/pricing")
    assert wrong_method.status_code == 405
    assert error_of(wrong_method)["code"] == "method_not_allowed"


def test_request_log_names_the_caller_but_never_the_token(as_role, tokens, caplog):
    caplog.set_level(logging.INFO, logger="autoos_checkout.api")
    as_role("admin").get("/payments/pricing")
    as_role("admin").get("/payments/pricing", headers={"Authorization": "Bearer aoc_wrong"})
    lines = [r.getMessage() for r in caplog.records if r.name.startswith("autoos_checkout")]
    assert any("GET /payments/pricing 200" in line and "test-admin" in line for line in lines)
    text = "\n".join(lines)
    for token in tokens.values():
        assert token not in text
    assert "aoc_wrong" not in text


def test_health_needs_no_token(http):
    body = http.get("/health").json()
    assert body == {"status": "ok", "time": "2026-11-26T10:00:00Z"}
