"""Plan changes (UPI-billed here; card ones in test_cards), history, invoices, PDFs."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from pypdf import PdfReader

from backend.services.shop import customers
from backend.services.upi import upi_requests
from tests.integration.api.conftest import error_of


@pytest.fixture
def customer_id(ctx) -> int:
    return customers.add_customer(
        ctx, name="Meera Iyer", email="meera@example.in", state="Karnataka", actor="t"
    )["id"]


def pay_by_upi(ctx, customer_id: int, tier: str, utr: str, **kwargs) -> dict:
    payment = upi_requests.create_request(
        ctx, customer_id=customer_id, tier=tier, interval="month", actor="t", **kwargs
    )
    return upi_requests.confirm_with_utr(ctx, payment["id"], utr, actor="t")


def test_subscribe_by_upi_then_pay(as_role, ctx, customer_id):
    response = as_role("kiosk").post(
        "/payments/subscribe",
        json={"customer_id": customer_id, "tier": "student", "interval": "month", "method": "upi"},
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["method"] == "upi"
    assert body["payment"]["amount"] == 79900
    assert body["payment"]["uri"].startswith("upi://pay?")
    none_yet = as_role("staff").get("/payments/subscription", params={"customer_id": customer_id})
    assert none_yet.json() == {"customer_id": customer_id, "subscription": None}
    upi_requests.confirm_with_utr(ctx, body["payment"]["id"], "412345678901", actor="t")
    live = as_role("staff").get("/payments/subscription", params={"customer_id": customer_id})
    assert live.json()["subscription"]["tier"] == "student"
    assert live.json()["subscription"]["status"] == "active"


def test_subscribe_refusals(as_role, customer_id):
    staff = as_role("staff")
    usd = {"customer_id": customer_id, "tier": "student", "interval": "month", "method": "upi"}
    usd["currency"] = "USD"
    refused = staff.post("/payments/subscribe", json=usd)
    assert refused.status_code == 422
    assert error_of(refused)["field"] == "currency"
    cash = {**usd, "currency": "INR", "method": "cash"}
    assert staff.post("/payments/subscribe", json=cash).status_code == 422
    autoos = as_role("autoos").post("/payments/subscribe", json={**usd, "currency": "INR"})
    assert autoos.status_code == 403


def test_upgrade_shows_the_proration_then_charges_it_by_qr(as_role, ctx, clock, customer_id):
    pay_by_upi(ctx, customer_id, "student", "412345678901")
    clock.advance(timedelta(days=15))
    params = {"customer_id": customer_id, "tier": "employee", "interval": "month"}
    preview = as_role("staff").get("/payments/proration-preview", params=params)
    assert preview.status_code == 200, preview.text
    shown = preview.json()
    assert shown["method"] == "upi"
    assert 0 < shown["amount"] < 239900 - 79900
    upgrade = as_role("staff").post("/payments/upgrade", json=params)
    assert upgrade.status_code == 200, upgrade.text
    qr = upgrade.json()["payment"]
    assert qr["amount"] == shown["amount"]
    upi_requests.confirm_with_utr(ctx, qr["id"], "412345678902", actor="t")
    live = as_role("staff").get("/payments/subscription", params={"customer_id": customer_id})
    assert live.json()["subscription"]["tier"] == "employee"


def test_downgrade_at_period_end_and_cancel(as_role, ctx, customer_id):
    pay_by_upi(ctx, customer_id, "employee", "412345678901")
    body = {"customer_id": customer_id, "tier": "student", "interval": "month"}
    down = as_role("admin").post("/payments/downgrade", json=body)
    assert down.status_code == 200, down.text
    assert down.json()["subscription"]["pending_tier"] == "student"
    assert down.json()["subscription"]["tier"] == "employee"
    not_down = as_role("admin").post("/payments/downgrade", json={**body, "tier": "professional"})
    assert not_down.status_code == 422
    cancel = as_role("staff").post(
        "/payments/cancel-subscription", json={"customer_id": customer_id, "at_period_end": True}
    )
    assert cancel.status_code == 200, cancel.text
    assert cancel.json()["subscription"]["cancel_at_period_end"] is True
    now = as_role("staff").post(
        "/payments/cancel-subscription", json={"customer_id": customer_id, "at_period_end": False}
    )
    assert now.json()["subscription"]["status"] == "canceled"
    gone = as_role("staff").post("/payments/cancel-subscription", json={"customer_id": customer_id})
    assert gone.status_code == 404
    assert as_role("kiosk").post("/payments/downgrade", json=body).status_code == 403


def test_plan_changes_without_a_plan_are_404(as_role, customer_id):
    body = {"customer_id": customer_id, "tier": "employee", "interval": "month"}
    assert as_role("staff").post("/payments/upgrade", json=body).status_code == 404
    preview = as_role("staff").get("/payments/proration-preview", params=body)
    assert preview.status_code == 404
    assert "no active plan" in error_of(preview)["message"]


def test_history_invoices_and_the_pdf(as_role, ctx, providers, customer_id):
    paid = pay_by_upi(ctx, customer_id, "student", "412345678901")
    history = as_role("autoos").get("/payments/history", params={"customer_id": customer_id})
    assert history.status_code == 200, history.text
    assert [p["id"] for p in history.json()["payments"]] == [paid["id"]]

    listed = as_role("staff").get("/payments/invoices", params={"customer_id": customer_id}).json()
    [invoice] = listed["invoices"]
    assert invoice["number"] == paid["receipt_no"]
    assert invoice["amount"] == 79900

    pdf = as_role("staff").get(invoice["download"])
    assert pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert "attachment" in pdf.headers["content-disposition"]
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert paid["receipt_no"] in text
    assert "29ABCDE1234F1ZW" in text

    pending = upi_requests.create_request(
        ctx, customer_id=customer_id, tier="student", interval="month", actor="t"
    )
    unpaid = as_role("staff").get(f"/payments/invoices/{pending['id']}/download")
    assert unpaid.status_code == 409
    assert as_role("staff").get("/payments/invoices/upi_none/download").status_code == 404
    assert as_role("kiosk").get(invoice["download"]).status_code == 403
    missing = as_role("staff").get("/payments/history", params={"customer_id": 999})
    assert missing.status_code == 404
