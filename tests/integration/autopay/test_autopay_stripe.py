"""UPI AutoPay through Stripe, end to end through the application interface, against the
fake Stripe over real HTTP on the fake's test clock: the sale (the mandate shown before
the customer scans), the mandate approved, renewals with GST invoices, the mandate
revoked, the renewal that then fails (staff see it, the customer gets one email), and the
overdue period paid by a one-time UPI QR."""

from __future__ import annotations

import json
from datetime import timedelta
from email.message import EmailMessage

import pytest
import stripe

from backend.adapters.upi.qr import render_png
from backend.clock import parse_iso
from backend.domain.autopay import GRACE
from backend.domain.payments import may_refund
from backend.errors import Conflict, StateError
from backend.interface import AUTOOS, Caller, CheckoutApi
from backend.services.billing import invoices
from backend.services.cards.stripe_webhooks import handle_stripe_webhook
from backend.services.payments import payment_events
from tests.integration.api.conftest import STRIPE_WEBHOOK_SECRET
from tests.integration.autopay.conftest import Shop, decode_png, pay_overdue_twice

STUDENT_MONTH = 799_00
EMPLOYEE_MONTH = 2399_00


def _attachments(message: EmailMessage) -> dict[str, bytes]:
    return {
        part.get_filename(): part.get_payload(decode=True)
        for part in message.iter_attachments()  # type: ignore[attr-defined]
    }


def _autopay_payments(shop: Shop, status: str) -> list[dict]:
    return shop.rows(
        "SELECT * FROM payments WHERE method='upi_autopay' AND status=? ORDER BY created_at, id",
        status,
    )


def test_the_mandate_is_shown_before_the_customer_scans(shop: Shop):
    offer = shop.api.autopay_offer("student", "month")
    assert offer["enabled"] is True, offer["reason"]
    assert (offer["amount"], offer["amount_text"], offer["provider"]) == (
        STUDENT_MONTH,
        "₹799.00",
        "stripe",
    )
    mandate = offer["mandate"]
    # one plan step of headroom: the Employee price, so an upgrade fits in the mandate
    assert (mandate["amount"], mandate["amount_type"], mandate["interval"]) == (
        EMPLOYEE_MONTH,
        "maximum",
        "month",
    )
    assert mandate["end_date"] == "2031-11-26T10:00:00Z"  # five years
    assert mandate["text"] == "up to ₹2,399.00 per month until 26 Nov 2031"
    assert mandate["pin_each_debit"] is False
    yearly = shop.api.autopay_offer("professional", "year")["mandate"]
    assert yearly["amount"] == 79_999_00  # the top plan: its own price
    assert yearly["pin_each_debit"] is True  # above ₹15,000: the PIN at every debit
    assert shop.stripe.requests == []  # only words so far


def test_sale_renewal_revocation_dunning_and_the_overdue_qr(shop: Shop):
    api, fake, clock = shop.api, shop.stripe, shop.clock
    cid = shop.customer()
    shown = api.autopay_offer("student", "month")["mandate"]

    # the sale: a Stripe Checkout page paid by UPI only, with the mandate's terms
    sale = api.autopay_start(cid, "student", "month")
    assert sale["status"] == "pending"
    assert sale["mandate"] == shown
    [session] = fake.all("checkout.session")
    assert sale["url"] == session["url"]
    assert decode_png(render_png(sale["url"], 480)) == [sale["url"]]  # what the customer scans
    assert session["payment_method_types"] == ["upi"]
    terms = session["payment_method_options"]["upi"]["mandate_options"]
    assert (terms["amount"], terms["amount_type"]) == (EMPLOYEE_MONTH, "maximum")
    assert terms["end_date"] == int(parse_iso(shown["end_date"]).timestamp())

    # the customer approves the mandate in their UPI app: the plan is active
    fake.complete_session(session["id"])
    paid = api.autopay_status(sale["id"])
    assert paid["status"] == "succeeded"
    assert paid["receipt_no"]
    assert paid["mandate"]["status"] == "active"
    [mandate] = fake.all("mandate")
    assert paid["mandate"]["id"] == mandate["id"]
    assert mandate["payment_method_details"]["upi"]["amount"] == EMPLOYEE_MONTH
    plan = api.current_subscription(cid)
    assert (plan["method"], plan["status"], plan["tier"]) == ("upi_autopay", "active", "student")
    assert api.usage_summary(cid)["plan_status"] == "active"
    receipt = invoices.invoice_for_payment(shop.ctx, sale["id"])
    assert receipt["method"] == "UPI AutoPay"
    assert receipt["mandate_line"] == (
        "UPI AutoPay mandate: up to ₹2,399.00 per month until 26 Nov 2031"
    )
    assert invoices.invoice_pdf(shop.ctx, sale["id"]) == invoices.invoice_pdf(shop.ctx, sale["id"])

    # a month later Stripe debits the mandate by itself: a local payment with a GST invoice
    clock.advance(days=31)
    fake.advance_subscriptions()
    shop.sync()
    [renewal] = [p for p in _autopay_payments(shop, "succeeded") if p["purpose"] == "renewal"]
    assert (renewal["amount"], renewal["receipt_no"] is not None) == (STUDENT_MONTH, True)
    assert [e["kind"] for e in payment_events.history(shop.ctx, renewal["id"])] == ["collected"]
    gst = invoices.invoice_for_payment(shop.ctx, renewal["id"])
    assert gst["kind"] == "tax_invoice"
    assert [t["name"] for t in gst["taxes"]] == ["CGST", "SGST"]
    assert gst["mandate_line"].startswith("UPI AutoPay mandate: up to ₹2,399.00 per month")
    shop.sync()  # the same events again: nothing recorded twice
    assert len(_autopay_payments(shop, "succeeded")) == 2

    # the customer revokes the mandate in their UPI app: mirrored in one events pass
    fake.revoke_mandate(mandate["id"])
    shop.sync()
    assert api.current_subscription(cid)["mandate_status"] == "inactive"
    [warning] = api.needing_attention()
    assert (warning["kind"], warning["customer_id"]) == ("mandate_inactive", cid)

    # the next renewal fails: staff see it, the customer gets one email, the plan works on
    clock.advance(days=30)
    fake.advance_subscriptions()
    result = shop.sync()
    assert result["dunning"]["emailed"] == 1
    [failed] = _autopay_payments(shop, "failed")
    assert (failed["amount"], failed["receipt_no"]) == (STUDENT_MONTH, None)
    plan = api.current_subscription(cid)
    assert plan["status"] == "past_due"
    [item] = api.needing_attention()
    assert item["kind"] == "renewal_failed"
    assert (item["amount_text"], item["failed_payment_id"]) == ("₹799.00", failed["id"])
    assert "revoked or paused" in item["reason"]
    assert parse_iso(item["grace_until"]) == parse_iso(plan["past_due_since"]) + GRACE
    assert item["lapsed"] is False
    assert api.usage_summary(cid)["plan_status"] == "active"  # the grace period

    [email] = shop.inbox
    assert email["To"] == "asha1@example.in"
    assert email["Message-ID"] == f"<autopay-dunning-{item['notice_id']}@autoos-checkout>"
    assert "could not be collected" in email["Subject"]
    body = email.get_body().get_content()  # type: ignore[union-attr]
    assert "₹799.00" in body
    assert "new UPI AutoPay mandate" in body
    [png] = _attachments(email).values()
    [uri] = decode_png(png)
    assert uri.startswith("upi://pay?")
    assert "am=799.00" in uri
    shop.sync()
    api.send_dunning_emails()
    assert len(shop.inbox) == 1  # exactly once per failed invoice

    # the customer pays the overdue period once, by the QR in the email; staff confirm it
    qr = api.autopay_pay_overdue(item["notice_id"])
    assert (qr["uri"], qr["purpose"]) == (uri, "renewal")  # the same request, still payable
    confirmed = api.confirm_with_utr(qr["id"], "412345678901")
    assert confirmed["status"] == "succeeded"
    assert api.current_subscription(cid)["status"] == "active"  # at once, before Stripe knows
    # nothing is overdue; the mandate is still revoked, so staff are told the next
    # renewal will fail too (a new mandate, or the plan cancelled, ends that)
    [warning] = api.needing_attention()
    assert warning["kind"] == "mandate_inactive"
    shop.sync()  # Stripe is told the invoice was paid out of band
    invoice = fake.objects["invoice"][failed["stripe_invoice_id"]]
    assert invoice["status"] == "paid"
    remote_sub = fake.all("subscription")[0]
    assert remote_sub["status"] == "active"
    plan = api.current_subscription(cid)
    assert (plan["status"], plan["past_due_since"]) == ("active", None)
    # the invoice's money is the QR payment's: recorded once, not again as collected
    holders = shop.rows(
        "SELECT method, status FROM payments WHERE stripe_invoice_id=? AND status<>'failed'",
        failed["stripe_invoice_id"],
    )
    assert holders == [{"method": "upi_qr", "status": "succeeded"}]
    notice = shop.rows("SELECT status, out_of_band FROM dunning_notices")
    assert notice == [{"status": "paid", "out_of_band": "done"}]


def test_after_the_grace_period_the_plan_lapses_until_paid(shop: Shop):
    api, fake, clock = shop.api, shop.stripe, shop.clock
    cid = shop.customer()
    sale = api.autopay_start(cid, "employee", "month")
    fake.complete_session(fake.all("checkout.session")[0]["id"])
    api.autopay_status(sale["id"])
    fake.revoke_mandate(fake.all("mandate")[0]["id"])
    clock.advance(days=31)
    fake.advance_subscriptions()
    shop.sync()
    assert api.usage_summary(cid)["plan_status"] == "active"
    clock.advance(GRACE + timedelta(minutes=1))
    assert api.usage_summary(cid)["plan_status"] == "payment_overdue"
    [item] = api.needing_attention()
    assert item["lapsed"] is True
    autoos = CheckoutApi(shop.ctx, Caller(AUTOOS, "api:autoos"))  # AUTOOS asks before a run
    answer = autoos.report_usage(cid, "workflow", "wf-after-grace")
    assert (answer["allowed"], answer["reason"]) == (False, "payment_overdue")
    qr = api.autopay_pay_overdue(item["notice_id"])
    api.confirm_with_utr(qr["id"], "412345678902")
    assert api.usage_summary(cid)["plan_status"] == "active"
    assert autoos.report_usage(cid, "workflow", "wf-paid")["allowed"] is True


def test_upgrade_within_the_mandate_and_refused_above_it(shop: Shop):
    api, fake, clock = shop.api, shop.stripe, shop.clock
    cid = shop.customer()
    sale = api.autopay_start(cid, "student", "month")
    fake.complete_session(fake.all("checkout.session")[0]["id"])
    api.autopay_status(sale["id"])
    clock.advance(days=10)

    with pytest.raises(Conflict, match=r"above the UPI AutoPay mandate's maximum of ₹2,399\.00"):
        api.preview_upgrade(cid, "professional", "month")
    with pytest.raises(Conflict, match="needs a new mandate"):
        api.upgrade(cid, "student", "year")
    before = len(fake.requests)
    with pytest.raises(Conflict):
        api.upgrade(cid, "professional", "month")
    assert len(fake.requests) == before  # refused here: nothing sent

    preview = api.preview_upgrade(cid, "employee", "month")
    assert preview["method"] == "upi_autopay"
    assert 0 < preview["amount"] < EMPLOYEE_MONTH
    changed = api.upgrade(cid, "employee", "month", proration_date=preview["proration_date"])
    assert changed["method"] == "upi_autopay"
    shop.sync()
    [upgrade] = [p for p in _autopay_payments(shop, "succeeded") if p["purpose"] == "upgrade"]
    assert upgrade["amount"] == preview["amount"]
    assert api.current_subscription(cid)["tier"] == "employee"


def test_downgrade_at_period_end_and_cancel_revokes_the_mandate(shop: Shop):
    api, fake, clock = shop.api, shop.stripe, shop.clock
    cid = shop.customer()
    sale = api.autopay_start(cid, "employee", "month")
    fake.complete_session(fake.all("checkout.session")[0]["id"])
    sub_id = api.autopay_status(sale["id"])["subscription_id"]

    api.downgrade(cid, "student", "month")
    shop.sync()
    assert api.current_subscription(cid)["pending_tier"] == "student"
    clock.advance(days=31)
    fake.advance_subscriptions()
    shop.sync()
    plan = api.current_subscription(cid)
    assert (plan["tier"], plan["pending_tier"]) == ("student", None)
    [renewal] = [p for p in _autopay_payments(shop, "succeeded") if p["purpose"] == "renewal"]
    assert renewal["amount"] == STUDENT_MONTH  # debited within the mandate

    cancelled = api.autopay_cancel(str(sub_id))
    assert cancelled["subscription"]["status"] == "canceled"
    [mandate] = fake.all("mandate")
    assert mandate["status"] == "inactive"  # the payment method was detached
    [pm] = [p for p in fake.all("payment_method") if p["type"] == "upi"]
    assert pm["customer"] is None
    shop.sync()
    plan = api.autopay_plan(sub_id)
    assert (plan["status"], plan["mandate"]["status"]) == ("canceled", "revoked")
    assert api.current_subscription(cid) is None


def test_a_new_mandate_replaces_a_lapsed_plan_once_approved(shop: Shop):
    api, fake, clock = shop.api, shop.stripe, shop.clock
    cid = shop.customer()
    sale = api.autopay_start(cid, "student", "month")
    fake.complete_session(fake.all("checkout.session")[0]["id"])
    old_sub = api.autopay_status(sale["id"])["subscription_id"]
    fake.revoke_mandate(fake.all("mandate")[0]["id"])
    clock.advance(days=31)
    fake.advance_subscriptions()
    shop.sync()
    [item] = api.needing_attention()

    again = api.autopay_new_mandate(item["notice_id"])
    assert again["status"] == "pending"
    assert again["url"]
    assert api.current_subscription(cid)["id"] == old_sub  # nothing changes until approved
    session = next(s for s in fake.all("checkout.session") if s["status"] == "open")
    fake.complete_session(session["id"])
    done = api.autopay_status(again["id"])
    assert done["status"] == "succeeded"
    shop.sync()
    assert api.needing_attention() == []
    plan = api.current_subscription(cid)
    assert (plan["id"], plan["status"], plan["mandate_status"]) == (
        done["subscription_id"],
        "active",
        "active",
    )
    old = api.autopay_plan(old_sub)
    assert old["status"] == "canceled"
    overdue = fake.objects["invoice"][item_invoice(shop, item)]
    assert overdue["status"] == "void"
    assert len(fake.all("mandate")) == 2


def item_invoice(shop: Shop, item: dict) -> str:
    return shop.rows("SELECT invoice_ref FROM dunning_notices WHERE id=?", item["notice_id"])[0][
        "invoice_ref"
    ]


def test_the_sale_can_be_withdrawn_and_a_new_one_replaces_a_waiting_one(shop: Shop):
    api, fake = shop.api, shop.stripe
    cid = shop.customer()
    first = api.autopay_start(cid, "student", "month")
    second = api.autopay_start(cid, "student", "month")
    assert api.autopay_status(first["id"])["status"] == "canceled"
    sessions = {s["id"]: s["status"] for s in fake.all("checkout.session")}
    assert sorted(sessions.values()) == ["expired", "open"]
    withdrawn = api.cancel_payment(second["id"])
    assert withdrawn["status"] == "canceled"
    assert all(s["status"] == "expired" for s in fake.all("checkout.session"))
    assert api.current_subscription(cid) is None


def test_a_paused_mandate_resumed_and_the_renewal_collected_after_all(shop: Shop):
    api, fake, clock = shop.api, shop.stripe, shop.clock
    cid = shop.customer()
    sale = api.autopay_start(cid, "student", "month")
    fake.complete_session(fake.all("checkout.session")[0]["id"])
    api.autopay_status(sale["id"])
    [mandate] = fake.all("mandate")
    fake.revoke_mandate(mandate["id"])  # paused in the customer's UPI app
    clock.advance(days=31)
    fake.advance_subscriptions()
    shop.sync()
    [item] = api.needing_attention()
    assert item["kind"] == "renewal_failed"

    fake.resume_mandate(mandate["id"])
    [failed] = _autopay_payments(shop, "failed")
    assert fake.retry_invoice(failed["stripe_invoice_id"]) is True  # Stripe's retry
    shop.sync()
    assert api.needing_attention() == []  # settled by itself
    [notice] = shop.rows("SELECT status FROM dunning_notices")
    assert notice["status"] == "collected"
    plan = api.current_subscription(cid)
    assert (plan["status"], plan["mandate_status"]) == ("active", "active")
    renewals = [p for p in _autopay_payments(shop, "succeeded") if p["purpose"] == "renewal"]
    assert [p["stripe_invoice_id"] for p in renewals] == [failed["stripe_invoice_id"]]


def _lapsed(shop: Shop) -> int:
    """A Student plan by Stripe AutoPay whose renewal failed (the mandate revoked); the
    customer's id."""
    api, fake = shop.api, shop.stripe
    cid = shop.customer()
    sale = api.autopay_start(cid, "student", "month")
    fake.complete_session(fake.all("checkout.session")[0]["id"])
    api.autopay_status(sale["id"])
    fake.revoke_mandate(fake.all("mandate")[0]["id"])
    shop.clock.advance(days=31)
    fake.advance_subscriptions()
    shop.sync()
    return cid


PAID_TWICE = (
    "by UPI QR at the till and by Stripe's retry of the AutoPay debit. Refund the Stripe charge."
)


def _stripe_charges(shop: Shop) -> list[dict]:
    """Stripe's charges for overdue invoices already paid at the till."""
    return shop.rows(
        "SELECT id, method, status, amount, refunded_amount, receipt_no, stripe_invoice_id, "
        "stripe_payment_intent_id, psp, evidence FROM payments WHERE evidence LIKE ?",
        "%paid_twice_with%",
    )


def _out_of_band_requests(shop: Shop) -> list[dict]:
    return shop.rows(
        "SELECT status, last_error FROM stripe_outbox WHERE kind=?",
        "autopay.invoice_paid_out_of_band",
    )


def test_an_overdue_period_paid_by_qr_and_collected_by_stripe_is_listed_as_paid_twice(
    shop: Shop,
):
    api, fake = shop.api, shop.stripe
    cid = _lapsed(shop)
    [overdue] = [i for i in fake.all("invoice") if i["status"] == "open"]
    upi = pay_overdue_twice(api, fake)
    assert (upi["method"], upi["status"], upi["amount"]) == ("upi_qr", "succeeded", STUDENT_MONTH)

    # Stripe's charge is a payment of its own: taken by Stripe, with a receipt, holding
    # the invoice Stripe's books say it paid; the UPI QR payment keeps its money
    [charge] = _stripe_charges(shop)
    intent = fake.all("payment_intent")[-1]["id"]  # the retry's
    assert (charge["method"], charge["status"], charge["amount"]) == (
        "upi_autopay",
        "succeeded",
        STUDENT_MONTH,
    )
    assert (charge["stripe_invoice_id"], charge["stripe_payment_intent_id"]) == (
        overdue["id"],
        intent,
    )
    assert charge["psp"] == "stripe"
    assert json.loads(charge["evidence"])["paid_twice_with"] == upi["id"]
    [till] = shop.rows(
        "SELECT status, amount, receipt_no, stripe_invoice_id FROM payments WHERE id=?", upi["id"]
    )
    assert (till["status"], till["amount"], till["stripe_invoice_id"]) == (
        "succeeded",
        STUDENT_MONTH,
        None,
    )
    # both are revenue, each with its own number of the one gapless series (the sale: 1)
    numbers = shop.rows("SELECT receipt_no FROM payments WHERE receipt_no IS NOT NULL")
    assert sorted(int(r["receipt_no"].rsplit("/", 1)[1]) for r in numbers) == [1, 2, 3]
    assert (till["receipt_no"][-6:], charge["receipt_no"][-6:]) == ("000002", "000003")
    assert invoices.invoice_for_payment(shop.ctx, charge["id"])["method"] == "UPI AutoPay"
    history = [e["kind"] for e in payment_events.history(shop.ctx, upi["id"])]
    assert history[-1] == "paid_twice"

    # the row points at Stripe's charge, to refund
    [item] = api.needing_attention()
    assert (item["kind"], item["customer_id"], item["payment_id"]) == (
        "paid_twice",
        cid,
        charge["id"],
    )
    assert (item["amount"], item["amount_text"], item["actions"]) == (
        STUDENT_MONTH,
        "₹799.00",
        ["refund"],
    )
    assert item["reason"] == PAID_TWICE
    assert item["upi_payment_id"] == upi["id"]
    assert (item["tier"], item["tier_name"], item["interval"]) == ("student", "Student", "month")
    [row] = [r for r in api.list_payments(customer_id=cid) if r["id"] == charge["id"]]
    assert may_refund(row)  # the Payments page's refund accepts it too
    [notice] = shop.rows("SELECT status, out_of_band, out_of_band_error FROM dunning_notices")
    assert (notice["status"], notice["out_of_band"]) == ("paid", "refused")
    assert "Invoice is already paid" in notice["out_of_band_error"]  # Stripe's answer, kept
    assert api.current_subscription(cid)["status"] == "active"

    # the refused "paid out of band" is settled, not a failure waiting for staff
    [request] = _out_of_band_requests(shop)
    assert request["status"] == "dropped"
    assert charge["id"] in request["last_error"]
    state = shop.sync()["state"]
    assert (state["failed"], state["waiting"]) == (0, 0)
    assert len(_stripe_charges(shop)) == 1  # a sync replays nothing
    assert [i["kind"] for i in api.needing_attention()] == ["paid_twice"]  # listed once


def _deliver(shop: Shop, event: dict) -> bool:
    """Post one of the fake Stripe's events to the webhook, signed as Stripe signs."""
    body = json.dumps(event)
    header = stripe.WebhookSignature.generate_signature_header(
        body, STRIPE_WEBHOOK_SECRET, timestamp=int(shop.stripe.now())
    )
    return bool(handle_stripe_webhook(shop.ctx, body.encode(), header)["applied"])


def test_stripe_s_charge_by_webhook_twice_before_the_sync_is_recorded_once(shop: Shop):
    api, fake = shop.api, shop.stripe
    cid = _lapsed(shop)
    [overdue] = [i for i in fake.all("invoice") if i["status"] == "open"]
    pay_overdue_twice(api, fake, sync=False)
    events = [
        e
        for e in fake.events
        if e["type"] in ("invoice.paid", "invoice.payment_succeeded")
        and e["data"]["object"]["id"] == overdue["id"]
    ]
    assert [e["type"] for e in events] == ["invoice.payment_succeeded", "invoice.paid"]
    assert _deliver(shop, events[1]) is True
    assert _deliver(shop, events[1]) is False  # Stripe delivers it again: seen
    assert _deliver(shop, events[0]) is True  # the same invoice, told twice
    [charge] = _stripe_charges(shop)
    assert charge["amount"] == STUDENT_MONTH
    # listed at once; the "paid out of band" is still waiting to be sent (and the
    # resumed mandate not yet synced: the plan is listed for it too, until the sync)
    [item] = [i for i in api.needing_attention() if i["kind"] == "paid_twice"]
    assert (item["kind"], item["payment_id"], item["out_of_band"]) == (
        "paid_twice",
        charge["id"],
        "queued",
    )
    state = shop.sync()["state"]  # Stripe refuses it now: settled, not failed
    assert (state["failed"], state["waiting"]) == (0, 0)
    assert [r["status"] for r in _out_of_band_requests(shop)] == ["dropped"]
    assert [c["id"] for c in _stripe_charges(shop)] == [charge["id"]]  # the poll: nothing more
    assert [(i["kind"], i["payment_id"]) for i in api.needing_attention()] == [
        ("paid_twice", charge["id"])
    ]
    assert api.current_subscription(cid)["status"] == "active"


def test_a_refused_mark_whose_events_were_read_before_is_caught_up_by_the_sync(shop: Shop):
    """A till that read Stripe's events before its charges were recorded (the invoice's
    events applied, nothing written) is left with a refused "paid out of band": the next
    sync reads that invoice from Stripe and records the charge, once."""
    api, fake = shop.api, shop.stripe
    _lapsed(shop)
    [overdue] = [i for i in fake.all("invoice") if i["status"] == "open"]
    pay_overdue_twice(api, fake, sync=False)
    store = shop.ctx.store
    with store.transaction():  # as a till before this change left them: applied, mirrored
        for event in fake.events:
            if (
                event["type"].startswith("invoice.")
                and event["data"]["object"]["id"] == overdue["id"]
            ):
                store.execute(
                    "INSERT INTO stripe_events (event_id, type, created, source, applied_at) "
                    "VALUES (?, ?, ?, 'poll', ?) ON CONFLICT DO NOTHING",
                    (event["id"], event["type"], event["created"], shop.ctx.now_iso()),
                )
        store.execute(
            "UPDATE stripe_invoices SET status='paid' WHERE invoice_id=?", (overdue["id"],)
        )
    result = shop.sync()
    assert result["paid_twice"] == {"recorded": 1}
    [charge] = _stripe_charges(shop)
    assert (charge["amount"], charge["stripe_invoice_id"]) == (STUDENT_MONTH, overdue["id"])
    assert charge["stripe_payment_intent_id"] == fake.all("payment_intent")[-1]["id"]
    assert [r["status"] for r in _out_of_band_requests(shop)] == ["dropped"]
    assert (result["state"]["failed"], result["state"]["waiting"]) == (0, 0)
    assert [(i["kind"], i["payment_id"]) for i in api.needing_attention()] == [
        ("paid_twice", charge["id"])
    ]
    assert shop.sync()["paid_twice"] == {"recorded": 0}  # nothing more to ask Stripe
    assert len(_stripe_charges(shop)) == 1


def test_the_stripe_charge_of_a_period_paid_twice_is_refunded_once_and_the_row_goes(
    shop: Shop,
):
    api, fake = shop.api, shop.stripe
    cid = _lapsed(shop)
    upi = pay_overdue_twice(api, fake)
    [item] = api.needing_attention()
    admin = CheckoutApi(shop.ctx, Caller.owner("test"))
    refund = admin.refund(item["payment_id"], reason="paid twice")
    assert (refund["status"], refund["amount"], refund["payment_id"]) == (
        "succeeded",
        STUDENT_MONTH,
        item["payment_id"],
    )
    [charge] = _stripe_charges(shop)
    [at_stripe] = fake.all("refund")
    assert (at_stripe["amount"], at_stripe["payment_intent"]) == (
        STUDENT_MONTH,
        charge["stripe_payment_intent_id"],
    )
    assert (charge["status"], charge["refunded_amount"]) == ("refunded", STUDENT_MONTH)
    [till] = shop.rows("SELECT status, refunded_amount FROM payments WHERE id=?", upi["id"])
    assert till == {"status": "succeeded", "refunded_amount": 0}  # the till's money stays
    assert api.needing_attention() == []
    with pytest.raises(StateError):
        admin.refund(item["payment_id"])  # nothing left to give back
    state = shop.sync()["state"]
    assert (state["failed"], state["waiting"]) == (0, 0)
    assert len(fake.all("refund")) == 1
    assert api.needing_attention() == []
    assert api.current_subscription(cid)["status"] == "active"


def test_an_autopay_sale_through_subscribe_and_an_admin_refund(shop: Shop):
    cid = shop.customer()
    sold = shop.api.subscribe(cid, "student", "month", "upi_autopay")
    assert sold["method"] == "upi_autopay"
    payment = sold["payment"]
    assert payment is not None
    assert payment["mandate"]["amount_type"] == "maximum"
    shop.stripe.complete_session(shop.stripe.all("checkout.session")[0]["id"])
    assert shop.api.payment_status(payment["id"])["status"] == "succeeded"
    # the Payments tab's row says it can be refunded (its Refund button is enabled)
    [row] = shop.api.list_payments(method="upi_autopay")
    assert row["id"] == payment["id"]
    assert may_refund(row)
    admin = CheckoutApi(shop.ctx, Caller.owner("test"))
    refunded = admin.refund(payment["id"], amount=10000, currency="INR", reason="goodwill")
    assert refunded["status"] == "succeeded"
    assert [r["amount"] for r in shop.stripe.all("refund")] == [10000]
