"""A whole UPI sale at the staff window, from the keyboard, against the real backend."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

from PySide6.QtCore import Qt

from app.till.checkout.view import STEP_CUSTOMER, STEP_DONE, STEP_METHOD, STEP_WAITING
from app.till.utr_dialog import UtrDialog
from backend.services.billing import upi_subscriptions
from backend.services.shop import customers
from tests.gui.staff.conftest import sign_in, when_dialog_opens


def _checkout(qtbot, make_window, display_factory=None):
    window = make_window(display_factory)
    sign_in(qtbot, window, "Ravi", "1357")
    qtbot.waitUntil(lambda: window.area is not None)
    checkout = window.area.checkout
    qtbot.waitUntil(lambda: len(checkout.tier_step.cards) == 5)
    return window, checkout


def _card(checkout, tier_id):
    return next(c for c in checkout.tier_step.cards if c.tier["id"] == tier_id)


def _type_utr(qtbot, utr: str):
    def type_it(dialog: UtrDialog) -> None:
        assert not dialog.ok.isEnabled()
        qtbot.keyClicks(dialog.edit, utr[:6] + " " + utr[6:])
        assert dialog.ok.isEnabled()
        qtbot.keyClick(dialog.edit, Qt.Key.Key_Return)

    return when_dialog_opens(UtrDialog, type_it)


def test_upi_sale_from_the_keyboard(qtbot, make_window, people, ctx):
    buyer = customers.add_customer(
        ctx, name="Kavya Rao", email="kavya@example.com", phone="9876543210", actor="test"
    )
    _window, checkout = _checkout(qtbot, make_window)
    card = _card(checkout, "employee")
    assert card.price.text() == "₹2,399.00"
    assert card.per.text().startswith("per month")
    assert card.button.hasFocus()  # the recommended plan is ready for Enter
    qtbot.keyClick(card.button, Qt.Key.Key_Return)
    assert checkout.stack.currentIndex() == STEP_CUSTOMER

    picker = checkout.customer_step
    qtbot.keyClicks(picker.search.query, "Kav")
    qtbot.waitUntil(lambda: picker.search.results.count() == 1)
    qtbot.keyClick(picker.search.query, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: checkout.stack.currentIndex() == STEP_METHOD)
    assert checkout.method_step.buttons["upi"].isEnabled()

    assert checkout.method_step.buttons["upi"].hasFocus()
    qtbot.keyClick(checkout.method_step, Qt.Key.Key_U, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: checkout.stack.currentIndex() == STEP_WAITING)
    request = checkout.sale["request"]
    query = parse_qs(urlsplit(request["uri"]).query)
    assert query["am"] == ["2399.00"]
    assert query["tr"] == [request["tr"]]
    assert checkout.waiting_step.amount.text() == "₹2,399.00"
    assert checkout.waiting_step.countdown.text() == "15:00 left"
    ctx.clock.advance(timedelta(minutes=1))
    qtbot.waitUntil(lambda: checkout.waiting_step.countdown.text() == "14:00 left", timeout=3000)

    _type_utr(qtbot, "412345678901")
    qtbot.keyClick(checkout.waiting_step, Qt.Key.Key_U, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: checkout.stack.currentIndex() == STEP_DONE)
    receipt = checkout.success_step.values["receipt_no"].text()
    assert receipt.startswith("AC/")
    sub = upi_subscriptions.current_subscription(ctx, buyer["id"])
    assert (sub["tier"], sub["interval"], sub["status"]) == ("employee", "month", "active")
    row = ctx.store.one("SELECT status, receipt_no, utr FROM payments WHERE id=?", (request["id"],))
    assert row == {"status": "succeeded", "receipt_no": receipt, "utr": "412345678901"}

    qtbot.keyClick(checkout.success_step.next, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: checkout.stack.currentIndex() == 0)
    assert checkout.sale == {}
