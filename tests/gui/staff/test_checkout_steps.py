"""The checkout's other paths: refused forms, expiry, cancel, trials, settings that hide."""

from __future__ import annotations

from datetime import timedelta

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from app.till.checkout.view import STEP_CUSTOMER, STEP_DONE, STEP_METHOD, STEP_TIERS, STEP_WAITING
from backend.services.shop import customers
from backend.services.trials import trials
from backend.services.upi import upi_requests
from tests.gui.staff.conftest import sign_in, when_dialog_opens


def _signed_in(qtbot, make_window, name="Ravi", pin="1357"):
    window = make_window()
    sign_in(qtbot, window, name, pin)
    qtbot.waitUntil(lambda: window.area is not None)
    checkout = window.area.checkout
    qtbot.waitUntil(lambda: len(checkout.tier_step.cards) == 5)
    return window, checkout


def _choose(checkout, tier_id):
    next(c for c in checkout.tier_step.cards if c.tier["id"] == tier_id).button.click()


def _to_upi_qr(qtbot, checkout):
    """Kavya's Student plan, to be paid by UPI QR: the QR is waiting."""
    _choose(checkout, "student")
    checkout.customer_step.search.query.setText("Kavya")
    qtbot.keyClick(checkout.customer_step.search.query, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: checkout.stack.currentIndex() == STEP_METHOD)
    checkout.method_step.buttons["upi"].click()
    qtbot.waitUntil(lambda: checkout.stack.currentIndex() == STEP_WAITING)


def _kavya_waiting(qtbot, make_window, ctx):
    """Signed in, with Kavya's Student plan waiting to be paid by UPI QR."""
    customers.add_customer(ctx, name="Kavya Rao", email="kavya@example.com", actor="test")
    window, checkout = _signed_in(qtbot, make_window)
    _to_upi_qr(qtbot, checkout)
    return window, checkout


def test_refused_customer_form_marks_every_wrong_field_at_once(qtbot, make_window, people, ctx):
    """A typo must not become someone else's number: letters in the phone are refused,
    and the email's mistake is said at the same time, each under its own field."""
    _window, checkout = _signed_in(qtbot, make_window)
    _choose(checkout, "student")
    form = checkout.customer_step.form
    qtbot.keyClicks(form.fields["name"], "Sanjay Patel")
    qtbot.keyClicks(form.fields["email"], "sanjay@example")
    qtbot.keyClicks(form.fields["phone"], "98765abc10")
    form.submit.click()
    qtbot.waitUntil(lambda: form.error.isVisible())
    shown = form.form.errors.shown()
    assert set(shown) == {"email", "phone"}
    assert "is not an email address" in shown["email"]
    assert "'abc'" in shown["phone"]
    assert "digits only" in shown["phone"]
    assert "2 fields" in form.error.text()
    assert form.fields["email"].property("invalid") is True
    assert form.fields["phone"].property("invalid") is True
    assert form.fields["name"].property("invalid") is False
    assert ctx.store.scalar("SELECT count(*) FROM customers") == 0  # nothing stored

    form.fields["email"].clear()
    qtbot.keyClicks(form.fields["email"], "sanjay@example.com")
    assert form.fields["email"].property("invalid") is False  # typing clears the mark
    assert set(form.form.errors.shown()) == {"phone"}  # and its message, the other stays
    form.fields["phone"].clear()
    qtbot.keyClicks(form.fields["phone"], "98765 43210")
    form.submit.click()
    qtbot.waitUntil(lambda: checkout.stack.currentIndex() == STEP_METHOD)
    row = ctx.store.one("SELECT name, email, phone FROM customers")
    assert row == {"name": "Sanjay Patel", "email": "sanjay@example.com", "phone": "+919876543210"}
    assert checkout.sale["customer"]["id"] == customers.find_customers(ctx, "Sanjay")[0]["id"]


def test_expired_qr_offers_a_new_one_and_esc_cancels(qtbot, make_window, people, ctx):
    window, checkout = _kavya_waiting(qtbot, make_window, ctx)
    first = checkout.sale["request"]["id"]

    ctx.clock.advance(timedelta(minutes=15, seconds=1))
    qtbot.waitUntil(lambda: checkout.sale["request"]["status"] == "expired", timeout=4000)
    waiting = checkout.waiting_step
    assert waiting.heading.text() == "QR expired"
    assert waiting.retry.isVisible()
    assert not waiting.cancel.isVisible()
    assert ctx.store.scalar("SELECT status FROM payments WHERE id=?", (first,)) == "expired"

    waiting.retry.click()
    qtbot.waitUntil(lambda: checkout.sale["request"]["id"] != first)
    second = checkout.sale["request"]["id"]
    assert checkout.sale["request"]["status"] == "pending"

    when_dialog_opens(QMessageBox, lambda box: box.button(QMessageBox.StandardButton.Yes).click())
    qtbot.keyClick(waiting, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: checkout.stack.currentIndex() == STEP_METHOD)
    assert "cancelled" in checkout.method_step.error.text()
    assert ctx.store.scalar("SELECT status FROM payments WHERE id=?", (second,)) == "canceled"
    window.activateWindow()  # the offscreen platform does not hand focus back by itself
    qtbot.waitUntil(window.isActiveWindow)

    qtbot.keyClick(checkout.method_step, Qt.Key.Key_Escape)
    assert checkout.stack.currentIndex() == STEP_CUSTOMER
    qtbot.keyClick(checkout.customer_step, Qt.Key.Key_Escape)
    assert checkout.stack.currentIndex() == STEP_TIERS


def test_a_cancel_answered_after_the_money_came_leaves_the_sale_paid(
    qtbot, make_window, people, ctx
):
    """The customer pays while the cashier's "Cancel payment?" question is open: the
    late Yes withdraws nothing, and the receipt step stays."""
    _window, checkout = _kavya_waiting(qtbot, make_window, ctx)
    payment_id = checkout.sale["request"]["id"]

    def paid_then_yes(box: QMessageBox) -> None:
        upi_requests.confirm_with_utr(ctx, payment_id, "412345678901", actor="test")
        qtbot.waitUntil(lambda: checkout.stack.currentIndex() == STEP_DONE)
        box.button(QMessageBox.StandardButton.Yes).click()

    when_dialog_opens(QMessageBox, paid_then_yes)
    checkout.waiting_step.cancel.click()
    qtbot.waitUntil(lambda: checkout.runner.running == 0)
    assert checkout.stack.currentIndex() == STEP_DONE
    assert checkout.success_step.values["reference"].text() == "412345678901"
    assert ctx.store.scalar("SELECT status FROM payments WHERE id=?", (payment_id,)) == "succeeded"


def _waiting_sale(qtbot, make_window, ctx):
    """A till with Kavya's UPI QR waiting on the Checkout page, and Neha a customer."""
    neha = customers.add_customer(ctx, name="Neha", email="neha@example.com", actor="test")
    window, checkout = _kavya_waiting(qtbot, make_window, ctx)
    new = upi_requests.create_request(
        ctx, customer_id=neha["id"], tier="employee", interval="month", actor="test"
    )
    return window, checkout, checkout.sale["request"]["id"], new, neha


def _status(ctx, payment_id):
    return ctx.store.scalar("SELECT status FROM payments WHERE id=?", (payment_id,))


def test_a_payment_from_another_page_asks_before_the_waiting_one_goes(
    qtbot, make_window, people, ctx
):
    """A QR started on the Customers page while a sale's QR waits at Checkout: withdraw
    the waiting one, and the page shows the new one."""
    window, checkout, first, new, neha = _waiting_sale(qtbot, make_window, ctx)
    when_dialog_opens(QMessageBox, lambda box: _click(box, "Withdraw the waiting one"))
    window.area.customers.payment_started.emit(new, neha)
    qtbot.waitUntil(lambda: checkout.sale["request"]["id"] == new["id"])
    assert _status(ctx, first) == "canceled"  # withdrawn before the new one was shown
    assert checkout.stack.currentIndex() == STEP_WAITING
    assert _status(ctx, new["id"]) == "pending"
    qtbot.waitUntil(lambda: "withdrawn" in window.statusBar().currentMessage())


def test_keeping_the_waiting_payment_withdraws_the_new_one(qtbot, make_window, people, ctx):
    window, checkout, first, new, neha = _waiting_sale(qtbot, make_window, ctx)
    when_dialog_opens(QMessageBox, lambda box: _click(box, "Keep the waiting one"))
    window.area.customers.payment_started.emit(new, neha)
    qtbot.waitUntil(lambda: _status(ctx, new["id"]) == "canceled")
    assert checkout.sale["request"]["id"] == first
    assert _status(ctx, first) == "pending"


def test_a_waiting_payment_paid_during_the_question_is_not_withdrawn(
    qtbot, make_window, people, ctx
):
    """Kavya pays while the cashier reads the question: her payment stays paid, nothing
    is withdrawn, and the page, free now, shows the new payment."""
    window, checkout, first, new, neha = _waiting_sale(qtbot, make_window, ctx)

    def paid_then_withdraw(box: QMessageBox) -> None:
        upi_requests.confirm_with_utr(ctx, first, "412345678901", actor="test")
        qtbot.waitUntil(lambda: checkout.stack.currentIndex() == STEP_DONE)
        _click(box, "Withdraw the waiting one")

    when_dialog_opens(QMessageBox, paid_then_withdraw)
    window.area.customers.payment_started.emit(new, neha)
    qtbot.waitUntil(lambda: checkout.sale["request"]["id"] == new["id"])
    qtbot.waitUntil(lambda: checkout.runner.running == 0)
    assert (_status(ctx, first), _status(ctx, new["id"])) == ("succeeded", "pending")
    assert "withdrawn" not in window.statusBar().currentMessage()  # no cancel was sent


def _click(box: QMessageBox, text: str) -> None:
    [button] = [b for b in box.buttons() if b.text() == text]
    button.click()


def test_trial_from_the_trial_card(qtbot, make_window, people, ctx):
    buyer = customers.add_customer(ctx, name="Vikram Singh", phone="9829012345", actor="test")
    _window, checkout = _signed_in(qtbot, make_window)
    _choose(checkout, "free_trial")
    checkout.customer_step.search.query.setText("9829012345")
    qtbot.keyClick(checkout.customer_step.search.query, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: checkout.stack.currentIndex() == STEP_METHOD)
    assert not checkout.method_step.buttons["upi"].isEnabled()
    assert checkout.method_step.reasons["upi"].text() == "The free trial needs no payment."
    qtbot.keyClick(checkout.method_step, Qt.Key.Key_T, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: checkout.stack.currentIndex() == STEP_DONE)
    assert checkout.success_step.heading.text() == "Free trial started ✓"
    assert "10 workflow credits" in checkout.success_step.values["plan"].text()
    assert trials.trial_status(ctx, buyer["id"])["status"] == "active"
    assert not checkout.success_step.pdf.isEnabled()

    checkout.reset()
    _choose(checkout, "free_trial")
    checkout.customer_step.search.query.setText("Vikram")
    qtbot.keyClick(checkout.customer_step.search.query, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: checkout.stack.currentIndex() == STEP_METHOD)
    checkout.method_step.buttons["trial"].click()
    qtbot.waitUntil(lambda: checkout.method_step.error.isVisible())
    assert "trial" in checkout.method_step.error.text().lower()
    assert ctx.store.scalar("SELECT count(*) FROM trials") == 1


def test_yearly_is_hidden_when_annual_billing_is_off(qtbot, make_window, people, ctx):
    ctx.settings.features.annual_billing = False
    _window, checkout = _signed_in(qtbot, make_window)
    assert not checkout.tier_step.yearly.isVisible()
    assert checkout.tier_step.monthly.isChecked()


def test_yearly_prices_and_usd(qtbot, make_window, people):
    _window, checkout = _signed_in(qtbot, make_window)
    card = next(c for c in checkout.tier_step.cards if c.tier["id"] == "employee")
    checkout.tier_step.yearly.click()
    assert card.price.text() == "₹23,999.00"
    assert card.per.text().startswith("per year")
    checkout.tier_step.usd.click()
    assert card.price.text() == "$299.99"
    enterprise = next(c for c in checkout.tier_step.cards if c.tier["id"] == "enterprise")
    assert enterprise.button.text() == "Contact sales"
    assert not enterprise.button.isEnabled()


def _upi_sale(qtbot, checkout, utr):
    _to_upi_qr(qtbot, checkout)
    checkout.submit_utr(utr)
    qtbot.waitUntil(lambda: checkout.stack.currentIndex() == STEP_DONE)
    return checkout.success_step.values["receipt_no"].text()


def test_receipt_buttons_say_what_is_missing(qtbot, make_window, people, ctx):
    customers.add_customer(ctx, name="Kavya Rao", email="kavya@example.com", actor="test")
    _window, checkout = _signed_in(qtbot, make_window)
    receipt = _upi_sale(qtbot, checkout, "412345678901")
    assert receipt.startswith("AC/")
    assert not checkout.success_step.pdf.isEnabled()  # the shop has no GSTIN yet
    assert "GSTIN" in checkout.success_step.receipt_note.text()


def test_receipt_pdf_is_saved_from_the_success_screen(
    qtbot, make_window, people, ctx, tmp_path, monkeypatch
):
    from pypdf import PdfReader
    from PySide6.QtWidgets import QFileDialog

    ctx.settings.shop.gstin = "29ABCDE1234F1ZW"
    ctx.settings.shop.state = "Karnataka"
    customers.add_customer(ctx, name="Kavya Rao", email="kavya@example.com", actor="test")
    _window, checkout = _signed_in(qtbot, make_window)
    receipt = _upi_sale(qtbot, checkout, "412345678902")
    assert checkout.success_step.pdf.isEnabled()
    assert not checkout.success_step.email.isEnabled()  # no mail server in these settings
    assert "Email is not set up" in checkout.success_step.receipt_note.text()

    target = tmp_path / "receipt.pdf"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), "PDF"))
    checkout.success_step.pdf.click()
    qtbot.waitUntil(lambda: checkout.success_step.feedback.text() != "")
    assert checkout.success_step.feedback.text() == f"Receipt {receipt} saved as {target}"
    text = "".join(page.extract_text() for page in PdfReader(target).pages)
    assert receipt in text
    assert "799.00" in text
