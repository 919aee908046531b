"""UPI AutoPay through Razorpay Subscriptions (``[upi] autopay_provider = "razorpay"``),
against the fake Razorpay over real HTTP; its webhooks are posted, signed, to the REST
API's one Razorpay endpoint, as Razorpay would."""

from __future__ import annotations

import pytest

from backend.domain.payments import reference
from backend.errors import StateError
from backend.services.billing import invoices
from tests.integration.autopay.conftest import Shop

STUDENT_MONTH = 799_00


def _now(shop: Shop) -> int:
    return int(shop.clock.now().timestamp())


def _payments(shop: Shop, status: str) -> list[dict]:
    return shop.rows(
        "SELECT * FROM payments WHERE method='upi_autopay' AND status=? ORDER BY created_at, id",
        status,
    )


def test_subscription_link_charges_once_halts_and_cancels(rzp: Shop, post):
    api, fake, clock = rzp.api, rzp.razorpay, rzp.clock
    cid = rzp.customer()

    sale = api.autopay_start(cid, "student", "month")
    assert (sale["provider"], sale["status"]) == ("razorpay", "pending")
    [sub] = fake.subscriptions.values()
    assert sale["url"] == sub["short_url"]  # the authorisation link, shown as a QR
    assert sale["mandate"]["text"] == "up to ₹2,399.00 per month until 26 Nov 2031"
    plan = fake.plans[sub["plan_id"]]
    assert (plan["period"], plan["item"]["amount"]) == ("monthly", STUDENT_MONTH)
    assert (sub["total_count"], sub["notes"]["autoos_payment_id"]) == (60, sale["id"])
    assert rzp.stripe.requests == []  # Razorpay only

    # the customer approves the mandate: the first period is charged
    for body in fake.authorise(sub["id"], at=_now(rzp)):
        assert post(body).status_code == 200
    paid = api.autopay_status(sale["id"])
    assert paid["status"] == "succeeded"
    assert paid["receipt_no"]
    live = api.current_subscription(cid)
    assert (live["method"], live["autopay_provider"], live["status"]) == (
        "upi_autopay",
        "razorpay",
        "active",
    )
    assert live["mandate_status"] == "active"

    # a renewal, delivered twice (Razorpay retries webhooks): one payment, one receipt
    clock.advance(days=30)
    charged = fake.charge(sub["id"], at=_now(rzp))
    first = post(charged).json()
    again = post(charged).json()
    assert (first["applied"], again["applied"]) == (True, False)
    renewals = [p for p in _payments(rzp, "succeeded") if p["purpose"] == "renewal"]
    assert [(p["amount"], p["psp"]) for p in renewals] == [(STUDENT_MONTH, "razorpay")]
    gst = invoices.invoice_for_payment(rzp.ctx, renewals[0]["id"])
    assert gst["kind"] == "tax_invoice"
    assert gst["mandate_line"]

    # the next debit fails and Razorpay gives up: past due, needing attention, one email
    clock.advance(days=30)
    pending, halted = fake.fail(sub["id"], at=_now(rzp))
    post(pending)
    assert api.current_subscription(cid)["status"] == "past_due"
    assert api.needing_attention() == []  # Razorpay is still retrying
    assert post(halted).json()["applied"] is True
    assert post(halted).json()["applied"] is False
    [failed] = _payments(rzp, "failed")
    assert failed["amount"] == STUDENT_MONTH
    [item] = api.needing_attention()
    assert (item["kind"], item["provider"], item["failed_payment_id"]) == (
        "renewal_failed",
        "razorpay",
        failed["id"],
    )
    assert len(rzp.inbox) == 1

    # staff cancel the plan: Razorpay cancels it (and its mandate); nothing is overdue
    api.autopay_cancel(str(live["id"]))
    assert fake.subscriptions[sub["id"]]["status"] == "cancelled"
    ended = api.autopay_plan(live["id"])
    assert (ended["status"], ended["mandate"]["status"]) == ("canceled", "revoked")
    assert api.needing_attention() == []


def test_a_sign_up_approved_before_the_cancel_keeps_its_plan(rzp: Shop, post):
    """The till's "Cancel payment?" can be answered after the customer approved: the
    cancel is refused, and Razorpay's subscription, the plan and its mandate stay."""
    api, fake = rzp.api, rzp.razorpay
    cid = rzp.customer()
    sale = api.autopay_start(cid, "student", "month")
    [sub] = fake.subscriptions.values()
    for body in fake.authorise(sub["id"], at=_now(rzp)):
        assert post(body).status_code == 200
    with pytest.raises(StateError, match="already succeeded"):
        api.cancel_payment(sale["id"])
    assert fake.subscriptions[sub["id"]]["status"] == "active"
    live = api.current_subscription(cid)
    assert (live["status"], live["mandate_status"]) == ("active", "active")
    # the reference a cashier quotes is the first debit's bank reference (its UTR)
    [utr] = [row["utr"] for row in rzp.rows("SELECT utr FROM payments WHERE id=?", sale["id"])]
    assert len(utr) == 12
    assert reference(api.autopay_status(sale["id"])) == utr


def test_a_withdrawn_sign_up_is_cancelled_at_razorpay_once_it_answers(rzp: Shop):
    """Razorpay did not answer the cancel: withdrawing again cancels it there (the link
    must not stay approvable with no sale behind it)."""
    api, fake = rzp.api, rzp.razorpay
    sale = api.autopay_start(rzp.customer(), "student", "month")
    [sub] = fake.subscriptions.values()
    fake.fail_next = 500
    assert api.cancel_payment(sale["id"])["status"] == "canceled"
    assert fake.subscriptions[sub["id"]]["status"] == "created"  # still approvable there
    api.cancel_payment(sale["id"])
    assert fake.subscriptions[sub["id"]]["status"] == "cancelled"


def test_a_wrong_signature_changes_nothing(rzp: Shop, post):
    cid = rzp.customer()
    sale = rzp.api.autopay_start(cid, "student", "month")
    [sub] = rzp.razorpay.subscriptions.values()
    bodies = rzp.razorpay.authorise(sub["id"], at=_now(rzp))
    refused = post(bodies[-1], signature="0" * 64)
    assert refused.status_code == 400
    assert rzp.api.autopay_status(sale["id"])["status"] == "pending"
    assert rzp.api.current_subscription(cid) is None


def test_an_overdue_razorpay_period_paid_by_qr(rzp: Shop, post):
    api, fake = rzp.api, rzp.razorpay
    cid = rzp.customer()
    api.autopay_start(cid, "employee", "month")
    [sub] = fake.subscriptions.values()
    for body in fake.authorise(sub["id"], at=_now(rzp)):
        post(body)
    rzp.clock.advance(days=30)
    for body in fake.fail(sub["id"], at=_now(rzp)):
        post(body)
    [item] = api.needing_attention()
    qr = api.autopay_pay_overdue(item["notice_id"])
    assert (qr["psp"], qr["amount"]) == ("razorpay", 2399_00)  # a Razorpay QR, once
    api.confirm_with_utr(qr["id"], "412345678903")
    assert api.current_subscription(cid)["status"] == "active"
    assert api.needing_attention() == []
    # a later successful debit (the customer re-enabled the mandate) is a renewal as usual
    post(fake.charge(sub["id"], at=_now(rzp)))
    assert len([p for p in _payments(rzp, "succeeded") if p["purpose"] == "renewal"]) == 1


def test_upgrades_on_razorpay_need_a_new_mandate(rzp: Shop, post):
    api, fake = rzp.api, rzp.razorpay
    cid = rzp.customer()
    api.autopay_start(cid, "student", "month")
    [sub] = fake.subscriptions.values()
    for body in fake.authorise(sub["id"], at=_now(rzp)):
        post(body)
    from backend.errors import Conflict

    with pytest.raises(Conflict, match="new mandate"):
        api.upgrade(cid, "employee", "month")


def test_a_new_razorpay_mandate_replaces_the_halted_plan(rzp: Shop, post):
    api, fake = rzp.api, rzp.razorpay
    cid = rzp.customer()
    api.autopay_start(cid, "student", "month")
    [old] = fake.subscriptions.values()
    for body in fake.authorise(old["id"], at=_now(rzp)):
        post(body)
    old_plan = api.current_subscription(cid)["id"]
    rzp.clock.advance(days=30)
    for body in fake.fail(old["id"], at=_now(rzp)):
        post(body)
    [item] = api.needing_attention()

    again = api.autopay_new_mandate(item["notice_id"])
    new = next(s for s in fake.subscriptions.values() if s["id"] != old["id"])
    assert again["url"] == new["short_url"]
    assert fake.subscriptions[old["id"]]["status"] == "halted"  # untouched until approved
    for body in fake.authorise(new["id"], at=_now(rzp)):
        post(body)
    assert api.autopay_status(again["id"])["status"] == "succeeded"
    assert fake.subscriptions[old["id"]]["status"] == "cancelled"
    assert api.autopay_plan(old_plan)["status"] == "canceled"
    assert api.needing_attention() == []
    live = api.current_subscription(cid)
    assert (live["psp_subscription_id"], live["status"]) == (new["id"], "active")
