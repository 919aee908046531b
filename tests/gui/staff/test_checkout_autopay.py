"""UPI AutoPay at the till, end to end against the fake Stripe over real HTTP: the third
way to pay with the mandate's terms shown before the customer scans, the approval page
as a QR on the till and on its paired customer display, the mandate approved on the
customer's phone, then the plan active and the receipt's mandate line; and the option
refused, with the backend's reason, when AutoPay is off or the plan cannot renew by UPI."""

from __future__ import annotations

import pytest

from app.runtime.sale_options import AUTOPAY, SaleOptions, ask_sale_options
from app.till.checkout.view import STEP_DONE, STEP_WAITING
from app.till.payments_model import COLUMNS
from backend.domain.payments import AUTOPAY_WAITING
from backend.interface import STAFF, Caller, CheckoutApi
from backend.services.billing import invoices
from backend.services.shop import customers
from backend.services.upi import upi_requests
from tests.gui.staff.conftest import assert_autopay_qr_shown, assert_not_polling, choose, open_till

MANDATE = "up to ₹2,399.00 per month until 26 Nov 2031"
MANDATE_LINE = f"UPI AutoPay mandate: {MANDATE}"


@pytest.fixture
def autopay_ctx(card_ctx):
    """A shop whose Stripe account takes UPI, with AutoPay switched on (and a GSTIN: its
    receipts are GST tax invoices)."""
    card_ctx.settings.features.upi_autopay = True
    card_ctx.settings.shop.gstin = "29ABCDE1234F1ZW"
    card_ctx.settings.shop.state = "Karnataka"
    return card_ctx


def test_an_autopay_sale_at_the_till_from_the_mandate_to_the_plan(
    qtbot, make_window, people, autopay_ctx, fake, paired_display
):
    ctx = autopay_ctx
    customer = customers.add_customer(ctx, name="Arjun", email="arjun@example.com", actor="test")
    display = paired_display
    window = open_till(qtbot, make_window, "Counter 1")
    checkout = window.area.checkout

    # three ways to pay; AutoPay says what the customer will approve, before any QR
    choose(qtbot, window, "student", "arjun@example.com")
    step = checkout.method_step
    assert "UPI QR (pay once)" in step.buttons["upi"].text()
    assert "UPI AutoPay — renews automatically" in step.buttons[AUTOPAY].text().replace("&", "")
    assert step.buttons[AUTOPAY].isEnabled()
    assert not step.notes[AUTOPAY].isHidden()
    assert step.notes[AUTOPAY].text() == (
        f"₹799.00 per month, debited by itself. UPI AutoPay mandate: {MANDATE}."
    )
    assert fake.all("checkout.session") == []  # only words so far

    step.buttons[AUTOPAY].click()
    qtbot.waitUntil(lambda: checkout.stack.currentIndex() == STEP_WAITING, timeout=10_000)
    request = checkout.sale["request"]
    [session] = fake.all("checkout.session")
    assert session["payment_method_types"] == ["upi"]
    assert (request["method"], request["url"]) == ("upi_autopay", session["url"])
    # the approval page as the QR: on the till's QR panel and on its customer display
    assert_autopay_qr_shown(qtbot, checkout, display, request, session["url"], MANDATE_LINE)
    # not "waiting to pay": the customer is asked to approve a mandate first
    assert checkout.waiting_step.heading.text() == "Waiting for AutoPay approval"
    assert checkout.waiting_step.status.text() == AUTOPAY_WAITING

    # the customer approves the mandate in their UPI app: paid, the plan starts
    fake.complete_session(session["id"])
    qtbot.waitUntil(lambda: checkout.stack.currentIndex() == STEP_DONE, timeout=10_000)
    qtbot.waitUntil(lambda: display.state == "paid", timeout=10_000)
    done = checkout.success_step
    assert done.heading.text() == "Payment received ✓"
    assert "renewed by UPI AutoPay" in done.banner.text()
    assert done.values["mandate"].text() == MANDATE_LINE
    assert not done.values["mandate"].isHidden()
    receipt_no = done.values["receipt_no"].text()
    assert receipt_no
    api = CheckoutApi(ctx, Caller(STAFF, "staff:1", 1))
    plan = api.current_subscription(customer["id"])
    assert (plan["method"], plan["status"], plan["tier"]) == ("upi_autopay", "active", "student")
    assert plan["mandate_status"] == "active"
    receipt = invoices.invoice_for_payment(ctx, request["id"])
    assert (receipt["number"], receipt["mandate_line"]) == (receipt_no, MANDATE_LINE)
    # the reference a cashier quotes is the mandate's id, on the receipt step and in the
    # Payments tab, which finds the sale by its method
    assert plan["mandate_id"]
    assert done.values["reference"].text() == plan["mandate_id"]
    other = customers.add_customer(ctx, name="Neha", email="neha@example.com", actor="test")
    upi_requests.create_request(
        ctx, customer_id=other["id"], tier="student", interval="month", actor="test"
    )
    area = window.area
    area.tabs.setCurrentWidget(area.payments)
    page = area.payments
    qtbot.waitUntil(lambda: page.model.rowCount() == 2)
    page.method.setCurrentIndex(page.method.findData("upi_autopay"))
    qtbot.waitUntil(lambda: page.model.rowCount() == 1)
    assert page.model.row_at(0)["id"] == request["id"]
    column = [key for key, _ in COLUMNS].index("reference")
    assert page.model.data(page.model.index(0, column)) == plan["mandate_id"]
    assert_not_polling(display)


def test_autopay_is_refused_with_the_reason_when_off(qtbot, make_window, people, card_ctx, fake):
    customers.add_customer(card_ctx, name="Dev", email="dev@example.com", actor="test")
    window = open_till(qtbot, make_window, "Counter 1")
    choose(qtbot, window, "student", "dev@example.com")
    step = window.area.checkout.method_step
    assert step.buttons["upi"].isEnabled()
    assert not step.buttons[AUTOPAY].isEnabled()
    assert step.reasons[AUTOPAY].text() == "UPI AutoPay is switched off in the settings."
    assert not step.reasons[AUTOPAY].isHidden()
    assert step.notes[AUTOPAY].isHidden()  # no terms for a mandate that cannot be made


def test_autopay_is_refused_for_dollars_and_for_a_custom_price(
    qtbot, make_window, people, autopay_ctx, fake, runner
):
    ctx = autopay_ctx
    customers.add_customer(ctx, name="Dev", email="dev@example.com", actor="test")
    window = open_till(qtbot, make_window, "Counter 1")
    choose(qtbot, window, "student", "dev@example.com", usd=True)
    step = window.area.checkout.method_step
    assert step.buttons["card"].isEnabled()
    assert not step.buttons[AUTOPAY].isEnabled()
    assert "rupees only" in step.reasons[AUTOPAY].text()
    assert step.notes[AUTOPAY].isHidden()

    # Enterprise is not offered on the tier cards at all; asked anyway, AutoPay says why
    answers: list[SaleOptions] = []
    ask_sale_options(
        CheckoutApi(ctx, Caller.counter("Counter 1")),
        runner,
        window,
        tier="enterprise",
        interval="month",
        currency="INR",
        on_answer=answers.append,
        on_failure=pytest.fail,
    )
    qtbot.waitUntil(lambda: bool(answers))
    [options] = answers
    assert not options.enabled(AUTOPAY)
    assert "custom price" in (options.reason(AUTOPAY) or "")
    assert options.terms == ""
    assert fake.all("checkout.session") == []  # nothing was sent to Stripe
