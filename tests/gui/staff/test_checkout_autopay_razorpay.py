"""UPI AutoPay at the till through Razorpay Subscriptions (``[upi] autopay_provider =
"razorpay"``), end to end against the fake Razorpay over real HTTP: the mandate's terms
shown before anything is made at Razorpay, its plan and subscription made when the
cashier chooses AutoPay, the subscription's authorisation link as a QR on the till and on
its paired customer display, the mandate approved on the customer's phone and Razorpay's
signed webhooks posted to the REST API, then the plan active and the receipt's mandate
line."""

from __future__ import annotations

import json

from app.runtime.sale_options import AUTOPAY
from app.till.checkout.view import STEP_DONE, STEP_WAITING
from backend.services.billing import invoices
from backend.services.shop import customers
from tests.gui.staff.conftest import assert_autopay_qr_shown, assert_not_polling, choose, open_till
from tests.integration.autopay.conftest import Shop, post, rzp, shop

__all__ = ["post", "rzp", "shop"]  # fixtures shared with the Razorpay integration tests

MANDATE = "up to ₹2,399.00 per month until 26 Nov 2031"
MANDATE_LINE = f"UPI AutoPay mandate: {MANDATE}"
STUDENT_MONTH = 799_00


def test_a_razorpay_autopay_sale_at_the_till_from_the_mandate_to_the_plan(
    qtbot, make_window, people, rzp: Shop, post, paired_display
):
    ctx, fake = rzp.ctx, rzp.razorpay
    customer = customers.add_customer(
        ctx, name="Arjun", email="arjun@example.com", state="Karnataka", actor="test"
    )
    display = paired_display
    window = open_till(qtbot, make_window, "Counter 1")
    checkout = window.area.checkout

    # three ways to pay; AutoPay says what the customer will approve, before any request
    choose(qtbot, window, "student", "arjun@example.com")
    step = checkout.method_step
    assert "UPI AutoPay — renews automatically" in step.buttons[AUTOPAY].text().replace("&", "")
    assert step.buttons[AUTOPAY].isEnabled()
    assert not step.notes[AUTOPAY].isHidden()
    assert step.notes[AUTOPAY].text() == (
        f"₹799.00 per month, debited by itself. UPI AutoPay mandate: {MANDATE}."
    )
    assert fake.requests == []  # only words so far

    # chosen: a monthly plan at the price, and a subscription on it for this sale
    step.buttons[AUTOPAY].click()
    qtbot.waitUntil(lambda: checkout.stack.currentIndex() == STEP_WAITING, timeout=10_000)
    request = checkout.sale["request"]
    [plan] = fake.plans.values()
    [sub] = fake.subscriptions.values()
    assert (plan["period"], plan["interval"]) == ("monthly", 1)
    assert (plan["item"]["amount"], plan["item"]["currency"]) == (STUDENT_MONTH, "INR")
    assert (sub["plan_id"], sub["status"], sub["total_count"]) == (plan["id"], "created", 60)
    assert sub["notes"] == {
        "autoos_payment_id": request["id"],
        "autoos_customer_id": str(customer["id"]),
    }
    assert fake.requests[:2] == [("POST", "/v1/plans"), ("POST", "/v1/subscriptions")]
    assert rzp.stripe.all("checkout.session") == []  # not Stripe's AutoPay
    assert (request["method"], request["provider"]) == ("upi_autopay", "razorpay")
    assert request["url"] == sub["short_url"]
    # the authorisation link as the QR: on the till's QR panel and on its customer display
    assert_autopay_qr_shown(qtbot, checkout, display, request, sub["short_url"], MANDATE_LINE)

    # the customer approves the mandate in their UPI app; Razorpay takes the first period
    # and says so by its webhooks (authenticated, activated, charged): paid, the plan starts
    webhooks = fake.authorise(sub["id"], at=int(ctx.clock.now().timestamp()))
    for body in webhooks:
        assert post(body).status_code == 200
    debit = json.loads(webhooks[-1])["payload"]["payment"]["entity"]
    qtbot.waitUntil(lambda: checkout.stack.currentIndex() == STEP_DONE, timeout=10_000)
    qtbot.waitUntil(lambda: display.state == "paid", timeout=10_000)
    done = checkout.success_step
    assert done.heading.text() == "Payment received ✓"
    assert "renewed by UPI AutoPay" in done.banner.text()
    assert done.values["mandate"].text() == MANDATE_LINE
    assert not done.values["mandate"].isHidden()
    receipt_no = done.values["receipt_no"].text()
    assert receipt_no
    paid = ctx.store.one(
        "SELECT status, method, psp, psp_ref, amount, utr, receipt_no, subscription_id "
        "FROM payments WHERE id=?",
        (request["id"],),
    )
    plan_row = ctx.store.one(
        "SELECT customer_id, tier, interval, method, status, autopay_provider, "
        "psp_subscription_id, mandate_status FROM subscriptions WHERE id=?",
        (paid.pop("subscription_id"),),
    )
    assert paid == {
        "status": "succeeded",
        "method": "upi_autopay",
        "psp": "razorpay",
        "psp_ref": sub["id"],
        "amount": STUDENT_MONTH,
        "utr": debit["acquirer_data"]["rrn"],  # the first debit's bank reference
        "receipt_no": receipt_no,
    }
    assert plan_row == {
        "customer_id": customer["id"],
        "tier": "student",
        "interval": "month",
        "method": "upi_autopay",
        "status": "active",
        "autopay_provider": "razorpay",
        "psp_subscription_id": sub["id"],
        "mandate_status": "active",
    }
    receipt = invoices.invoice_for_payment(ctx, request["id"])
    assert (receipt["number"], receipt["mandate_line"]) == (receipt_no, MANDATE_LINE)
    assert_not_polling(display)
