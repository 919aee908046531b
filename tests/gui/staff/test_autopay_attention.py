"""After the sale: a UPI AutoPay renewal that failed (the customer revoked the mandate in
their UPI app), as staff meet it on the till against the fake Stripe — the customer's
AutoPay standing on the Customers page, the renewal under "Payments needing attention",
paid by a one-time UPI QR on the Checkout page (the plan active again), a new mandate's
QR, Cancel AutoPay asked first, the Payments filter by method, and a period paid twice
(by UPI QR and by Stripe's retry) whose Stripe charge an admin refunds from the list."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtWidgets import QLabel, QMessageBox

from app.till.checkout.view import STEP_DONE, STEP_WAITING
from app.till.refund_dialog import RefundDialog
from app.till.staff_window import StaffWindow
from backend.interface import STAFF, Caller, CheckoutApi
from backend.services.shop import customers
from tests.gui.staff.conftest import decode_qr, open_till, sign_in, when_dialog_opens
from tests.integration.autopay.conftest import pay_overdue_twice

MANDATE = "up to ₹2,399.00 per month until 26 Nov 2031"
#: a new mandate, a month later, runs five years from then
NEW_MANDATE = "up to ₹2,399.00 per month until 27 Dec 2031"


@pytest.fixture
def lapsed(card_ctx, fake, clock) -> dict[str, Any]:
    """Meera's Student plan by UPI AutoPay; she revoked the mandate, and a month later
    the renewal failed (mirrored by the till's sync)."""
    ctx = card_ctx
    ctx.settings.features.upi_autopay = True
    api = CheckoutApi(ctx, Caller(STAFF, "staff:1", 1, terminal="Counter 1"))
    customer = customers.add_customer(ctx, name="Meera", email="meera@example.com", actor="t")
    sale = api.autopay_start(customer["id"], "student", "month")
    fake.complete_session(fake.all("checkout.session")[0]["id"])
    assert api.autopay_status(sale["id"])["status"] == "succeeded"
    fake.revoke_mandate(fake.all("mandate")[0]["id"])
    clock.advance(days=31)
    fake.advance_subscriptions()
    api.sync_once()
    assert api.current_subscription(customer["id"])["status"] == "past_due"
    return {"api": api, "customer": customer, "sale": sale}


def _payments_page(qtbot, window: StaffWindow):
    area = window.area
    area.tabs.setCurrentWidget(area.payments)
    panel = area.payments.attention
    qtbot.waitUntil(lambda: panel.model.rowCount() == 1)
    return area.payments, panel


def test_a_failed_renewal_is_paid_by_a_one_time_qr_from_the_attention_list(
    qtbot, make_window, people, lapsed, fake
):
    api, customer = lapsed["api"], lapsed["customer"]
    window = open_till(qtbot, make_window, "Counter 1")
    area = window.area

    # Customers: the plan is past due, the mandate revoked, the grace period's end said
    area.tabs.setCurrentWidget(area.customers)
    area.customers.show_customer(customer)
    box = area.customers.autopay
    qtbot.waitUntil(lambda: box.isVisible())
    assert box.status.text() == (
        f"Status: past due · mandate revoked or paused by the customer · {MANDATE} · "
        "keeps working until 3 Jan 2027"
    )
    assert box.cancel_button.isEnabled()

    # Payments: the renewal needing attention, with the reason and its grace period
    payments, panel = _payments_page(qtbot, window)
    [item] = panel.model.rows
    assert (item["kind"], item["customer_id"]) == ("renewal_failed", customer["id"])
    words = {key: panel.model.cell_text(item, key) for key, _h in panel.model.columns}
    assert words["customer_name"] == "Meera"
    assert words["amount_text"] == "₹799.00"
    assert "revoked or paused" in words["what"]
    assert words["until"] == "3 Jan 2027"
    assert panel.title() == "Payments needing attention (1)"
    assert panel.pay_button.isEnabled()
    assert panel.mandate_button.isEnabled()
    assert panel.refund_button is None  # refunds are an admin's, as on the Payments table

    # the filter by method finds the AutoPay payments: the sale and the failed renewal
    payments.use_dates.setChecked(False)
    payments.method.setCurrentIndex(payments.method.findData("upi_autopay"))
    assert payments.method.currentText() == "UPI AutoPay"
    qtbot.waitUntil(
        lambda: sorted(r["status"] for r in payments.model.rows) == ["failed", "succeeded"]
    )
    assert {r["method"] for r in payments.model.rows} == {"upi_autopay"}

    # "Pay overdue by UPI QR": the one-time QR on the Checkout page, followed like a sale
    panel.pay_button.click()
    checkout = area.checkout
    qtbot.waitUntil(lambda: checkout.stack.currentIndex() == STEP_WAITING)
    assert area.tabs.currentWidget() is checkout
    request = checkout.sale["request"]
    assert (request["method"], request["purpose"]) == ("upi_qr", "renewal")
    assert request["amount_text"] == "₹799.00"
    assert decode_qr(checkout.qr_preview) == [request["uri"]]
    assert "am=799.00" in request["uri"]
    checkout.submit_utr("412345678901")
    qtbot.waitUntil(lambda: checkout.stack.currentIndex() == STEP_DONE)
    assert checkout.success_step.values["receipt_no"].text()
    assert checkout.success_step.values["mandate"].isHidden()  # a UPI QR: no mandate
    assert api.current_subscription(customer["id"])["status"] == "active"

    # nothing overdue now; the mandate is still revoked, so the plan stays on the list
    area.tabs.setCurrentWidget(area.payments)
    qtbot.waitUntil(lambda: [r["kind"] for r in panel.model.rows] == ["mandate_inactive"])
    assert not panel.pay_button.isEnabled()
    assert not panel.mandate_button.isEnabled()  # no failed renewal to replace yet
    assert "sell UPI AutoPay again" in panel.mandate_button.toolTip()
    assert panel.cancel_button.isEnabled()


def test_a_new_mandate_from_the_list_then_cancel_autopay_asked_first(
    qtbot, make_window, people, lapsed, fake
):
    api, customer = lapsed["api"], lapsed["customer"]
    window = open_till(qtbot, make_window, "Counter 1")
    area = window.area
    _payments, panel = _payments_page(qtbot, window)

    panel.mandate_button.click()
    checkout = area.checkout
    qtbot.waitUntil(lambda: checkout.stack.currentIndex() == STEP_WAITING, timeout=10_000)
    request = checkout.sale["request"]
    new_session = fake.all("checkout.session")[-1]
    assert (request["method"], request["url"]) == ("upi_autopay", new_session["url"])
    assert decode_qr(checkout.qr_preview) == [new_session["url"]]
    assert f"UPI AutoPay mandate: {NEW_MANDATE}" in checkout.waiting_step.details.text()
    fake.complete_session(new_session["id"])  # the customer approves the new mandate
    qtbot.waitUntil(lambda: checkout.stack.currentIndex() == STEP_DONE, timeout=10_000)
    plan = api.current_subscription(customer["id"])
    assert (plan["status"], plan["mandate_status"]) == ("active", "active")
    area.tabs.setCurrentWidget(area.payments)
    qtbot.waitUntil(lambda: panel.model.rowCount() == 0)
    assert panel.hint.text() == "No AutoPay renewal needs attention."

    # Customers: the new plan's standing, and Cancel AutoPay — "No" changes nothing
    area.tabs.setCurrentWidget(area.customers)
    area.customers.show_customer(customer)
    box = area.customers.autopay
    qtbot.waitUntil(lambda: box.isVisible() and box.plan["id"] == plan["id"])
    assert box.status.text() == f"Status: active · mandate active · {NEW_MANDATE}"
    when_dialog_opens(QMessageBox, lambda b: b.button(QMessageBox.StandardButton.No).click())
    box.cancel_button.click()
    assert api.current_subscription(customer["id"])["status"] == "active"
    asked: list[str] = []

    def yes(message_box: QMessageBox) -> None:
        asked.append(message_box.text())
        message_box.button(QMessageBox.StandardButton.Yes).click()

    when_dialog_opens(QMessageBox, yes)
    box.cancel_button.click()
    assert asked == [
        "Cancel Meera's Student · Monthly plan paid by UPI AutoPay?\n"
        "The plan ends now and the mandate is revoked at Stripe: nothing more is debited."
    ]
    qtbot.waitUntil(lambda: not box.isVisible())
    assert area.customers.message.text() == (
        "UPI AutoPay cancelled: Meera's Student · Monthly plan has ended."
    )
    assert api.current_subscription(customer["id"]) is None
    assert [m["status"] for m in fake.all("mandate")][-1] == "inactive"  # revoked at Stripe


def test_an_admin_refunds_the_stripe_charge_of_a_period_paid_twice_from_the_list(
    qtbot, make_window, people, lapsed, fake, card_ctx
):
    """Meera paid her overdue renewal by UPI QR and Stripe's retry collected it too;
    Kiran's mandate is revoked (another kind of row, nothing to refund)."""
    api = lapsed["api"]
    upi = pay_overdue_twice(api, fake)
    kiran = customers.add_customer(card_ctx, name="Kiran", email="kiran@example.com", actor="t")
    sale = api.autopay_start(kiran["id"], "student", "month")
    fake.complete_session(fake.all("checkout.session")[-1]["id"])
    assert api.autopay_status(sale["id"])["status"] == "succeeded"
    fake.revoke_mandate(fake.all("mandate")[-1]["id"])
    api.sync_once()
    [charge] = card_ctx.store.query(
        "SELECT id, receipt_no FROM payments WHERE evidence LIKE '%paid_twice_with%'"
    )

    window = make_window(terminal="Counter 1")
    sign_in(qtbot, window, "Asha", "4821")
    qtbot.waitUntil(lambda: window.area is not None)
    payments = window.area.payments
    window.area.tabs.setCurrentWidget(payments)
    panel = payments.attention
    qtbot.waitUntil(lambda: panel.model.rowCount() == 2)
    assert [r["kind"] for r in panel.model.rows] == ["mandate_inactive", "paid_twice"]
    button = panel.refund_button
    assert button is not None
    assert button.text() == "Refund Stripe charge…"
    assert "A period paid twice: refund Stripe's charge." in panel.hint.text()

    panel.table.selectRow(0)  # Kiran's revoked mandate: nothing to refund
    assert not button.isEnabled()
    assert panel.cancel_button.isEnabled()
    panel.table.clearSelection()
    assert panel.selected() is None
    assert not button.isEnabled()

    panel.table.selectRow(1)
    row = panel.selected()
    assert row is not None
    assert (row["kind"], row["payment_id"]) == ("paid_twice", charge["id"])
    assert panel.model.cell_text(row, "what") == (
        "Paid twice: by UPI QR at the till and by Stripe's retry of the AutoPay debit. "
        "Refund the Stripe charge."
    )
    assert panel.model.cell_text(row, "amount_text") == "₹799.00"
    assert button.isEnabled()
    assert not panel.pay_button.isEnabled()
    assert not panel.mandate_button.isEnabled()
    assert not panel.cancel_button.isEnabled()

    seen: list[str] = []

    def refund_all(dialog: RefundDialog) -> None:  # the Payments table's own dialog
        seen.append(dialog.findChild(QLabel).text())
        assert dialog.edit.text() == "799.00"  # all of Stripe's charge
        dialog.reason.setText("Paid twice")
        dialog.ok.click()

    when_dialog_opens(RefundDialog, refund_all)
    button.click()
    assert seen == [f"Refund to Meera — receipt {charge['receipt_no']}. At most ₹799.00."]
    qtbot.waitUntil(lambda: [r["kind"] for r in panel.model.rows] == ["mandate_inactive"])
    qtbot.waitUntil(lambda: payments.message.text() == "Refund of ₹799.00 sent to Stripe.")
    assert [r["amount"] for r in fake.all("refund")] == [79900]  # once, all of it
    refunded = card_ctx.store.one(
        "SELECT status, refunded_amount FROM payments WHERE id=?", (charge["id"],)
    )
    assert refunded == {"status": "refunded", "refunded_amount": 79900}
    till = card_ctx.store.one(
        "SELECT status, refunded_amount FROM payments WHERE id=?", (upi["id"],)
    )
    assert till == {"status": "succeeded", "refunded_amount": 0}  # the UPI QR money stays
    assert [r["reason"] for r in card_ctx.store.query("SELECT reason FROM refunds")] == [
        "Paid twice"
    ]
