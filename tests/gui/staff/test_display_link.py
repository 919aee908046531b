"""The staff window drives the customer display: its QR decodes with an independent
reader to exactly what is being paid, then it shows paid, then the plans again."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from PySide6.QtCore import Qt

from app.display.link import make_customer_display
from app.till.checkout.view import STEP_DONE, STEP_METHOD, STEP_TIERS, STEP_WAITING
from backend.services.shop import customers
from tests.gui.staff.conftest import decode_qr, sign_in


def _to_method(qtbot, make_window, tier_id, query, currency="INR"):
    window = make_window(make_customer_display)
    sign_in(qtbot, window, "Ravi", "1357")
    qtbot.waitUntil(lambda: window.area is not None)
    checkout = window.area.checkout
    qtbot.waitUntil(lambda: len(checkout.tier_step.cards) == 5 and window.display is not None)
    qtbot.waitUntil(lambda: checkout.display is not None)
    assert window.display.state == "idle"
    if currency == "USD":
        checkout.tier_step.usd.click()
    next(c for c in checkout.tier_step.cards if c.tier["id"] == tier_id).button.click()
    checkout.customer_step.search.query.setText(query)
    qtbot.keyClick(checkout.customer_step.search.query, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: checkout.stack.currentIndex() == STEP_METHOD)
    return window, checkout


def test_upi_request_on_the_display_decodes_to_the_amount_and_bill_reference(
    qtbot, make_window, people, ctx
):
    customers.add_customer(ctx, name="Kavya Rao", email="kavya@example.com", actor="test")
    window, checkout = _to_method(qtbot, make_window, "employee", "Kavya")
    checkout.method_step.buttons["upi"].click()
    qtbot.waitUntil(lambda: checkout.stack.currentIndex() == STEP_WAITING)
    request = checkout.sale["request"]
    display = window.display
    assert display.state == "payment"
    [uri] = decode_qr(display)
    query = parse_qs(urlsplit(uri).query)
    assert query["am"] == ["2399.00"]
    assert query["tr"] == [request["tr"]]
    assert query["pa"] == ["autoos.shop@okaxis"]
    assert decode_qr(checkout.qr_preview) == [uri]

    checkout.submit_utr("412345678901")
    qtbot.waitUntil(lambda: checkout.stack.currentIndex() == STEP_DONE)
    assert display.state == "paid"
    receipt = checkout.success_step.values["receipt_no"].text()
    assert ctx.store.scalar("SELECT receipt_no FROM payments WHERE id=?", (request["id"],)) == (
        receipt
    )
    checkout.success_step.next.click()
    assert checkout.stack.currentIndex() == STEP_TIERS
    assert display.state == "idle"


def test_card_session_url_is_the_qr_on_the_display(qtbot, make_window, people, card_ctx, fake):
    customers.add_customer(card_ctx, name="Dev Malhotra", email="dev@example.com", actor="test")
    window, checkout = _to_method(qtbot, make_window, "student", "Dev", currency="USD")
    qtbot.waitUntil(checkout.method_step.buttons["card"].isEnabled)
    checkout.method_step.buttons["card"].click()
    qtbot.waitUntil(lambda: checkout.stack.currentIndex() == STEP_WAITING, timeout=10_000)
    [session] = fake.all("checkout.session")
    assert decode_qr(window.display) == [session["url"]]
    assert decode_qr(checkout.qr_preview) == [session["url"]]
    fake.complete_session(session["id"])
    qtbot.waitUntil(lambda: checkout.stack.currentIndex() == STEP_DONE, timeout=10_000)
    assert window.display.state == "paid"


def test_the_till_says_where_the_display_is_and_brings_it_forward(qtbot, make_window, people):
    window = make_window(make_customer_display)
    sign_in(qtbot, window, "Ravi", "1357")
    qtbot.waitUntil(lambda: window.display is not None and window.display.isVisible())
    button = window.display_button
    assert button.isVisible()
    where = button.where.text()
    assert any(place in where for place in ("full screen on", "beside this", "behind this"))
    window.display.hide()  # closed or lost behind other windows
    button.click()
    assert window.display.isVisible()
