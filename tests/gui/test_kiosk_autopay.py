"""UPI AutoPay at the self-service kiosk, against the fake Stripe over real HTTP: the third
way to pay with the mandate's terms shown before the customer chooses it, the approval
page as the QR, then paid; and no such button when the shop has AutoPay off."""

from __future__ import annotations

import pytest

from app.kiosk.window import AUTOPAY_HINT
from backend.services.billing import invoices
from tests.gui.kiosk_driving import tap
from tests.gui.test_kiosk import go_to_method, kiosk_factory, shipped_style, stripe_ctx
from tests.qr_reading import decode_widget

__all__ = ["kiosk_factory", "shipped_style", "stripe_ctx"]  # fixtures shared with test_kiosk

TERMS = (
    "₹799.00 per month, debited by itself. "
    "UPI AutoPay mandate: up to ₹2,399.00 per month until 26 Nov 2031."
)


@pytest.fixture
def autopay_ctx(stripe_ctx):
    ctx, fake = stripe_ctx
    fake.slow_seconds = 0.0
    ctx.settings.features.upi_autopay = True
    ctx.settings.shop.gstin = "29ABCDE1234F1ZW"
    ctx.settings.shop.state = "Karnataka"
    return ctx, fake


def test_autopay_shows_its_terms_then_the_approval_qr_then_paid(qtbot, autopay_ctx, kiosk_factory):
    ctx, fake = autopay_ctx
    kiosk = kiosk_factory(poll_ms=100)
    go_to_method(qtbot, kiosk)
    page = kiosk.method_page
    assert page.upi_button.text() == "Pay with UPI (scan a QR, pay once)"
    assert page.autopay_button.text() == "UPI AutoPay — renews automatically"
    assert page.autopay_button.isVisible()
    assert page.terms.isVisible()
    assert page.terms.text() == TERMS  # before anything is made at Stripe
    assert fake.all("checkout.session") == []

    tap(qtbot, page.autopay_button)
    qtbot.waitUntil(lambda: kiosk.page is kiosk.payment_page, timeout=10_000)
    [session] = fake.all("checkout.session")
    assert decode_widget(kiosk) == [session["url"]]
    panel = kiosk.payment_page.panel
    assert panel.heading.text() == "Scan to set up UPI AutoPay on your phone"
    assert panel.mandate.text() == (
        "UPI AutoPay mandate: up to ₹2,399.00 per month until 26 Nov 2031"
    )
    assert panel.hint.text() == AUTOPAY_HINT

    fake.complete_session(session["id"])  # approved in the customer's UPI app
    qtbot.waitUntil(lambda: kiosk.page is kiosk.result_page, timeout=10_000)
    assert kiosk.result_page.panel.headline.text() == "Paid ✓"
    assert "renews by UPI AutoPay" in kiosk.result_page.panel.detail.text()
    row = ctx.store.one("SELECT id, status, method, amount, subscription_id FROM payments")
    assert (row["status"], row["method"], row["amount"]) == ("succeeded", "upi_autopay", 79900)
    plan = ctx.store.one(
        "SELECT status, method FROM subscriptions WHERE id=?", (row["subscription_id"],)
    )
    assert plan == {"status": "active", "method": "upi_autopay"}
    assert invoices.invoice_for_payment(ctx, row["id"])["mandate_line"].startswith(
        "UPI AutoPay mandate: up to ₹2,399.00"
    )


def test_no_autopay_button_when_the_shop_has_it_off(qtbot, stripe_ctx, kiosk_factory):
    kiosk = kiosk_factory()
    go_to_method(qtbot, kiosk)
    assert kiosk.methods["upi_autopay"]["enabled"] is False
    assert kiosk.methods["upi_autopay"]["reason"] == "UPI AutoPay is switched off in the settings."
    assert kiosk.method_page.autopay_button.isHidden()
    assert kiosk.method_page.terms.isHidden()
    assert kiosk.method_page.upi_button.isVisible()
