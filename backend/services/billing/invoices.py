"""Receipts and GST invoices for successful payments: the data, the PDF, the email.

An INR payment gets a *tax invoice* (GST rules: seller name, address and GSTIN, buyer
name and state, a sequential number per financial year, SAC code, CGST+SGST or IGST);
a USD payment gets a *receipt* without GST. The number is ``payments.receipt_no``: the
payment service takes it when the payment succeeds; a successful payment without one
(e.g. confirmed before numbering existed) gets the next one here, in its own
transaction, so numbers stay gapless. Re-printing gives byte-identical PDFs.
"""

from __future__ import annotations

import json
from typing import Any

from backend.adapters.mail import Attachment
from backend.clock import india_date, parse_iso
from backend.context import Context
from backend.domain.gst import split_inclusive
from backend.domain.identity import readable_phone
from backend.domain.money import Money, format_money
from backend.domain.payments import INVOICED, method_label
from backend.errors import NotConfigured, NotFound, StateError, ValidationError
from backend.services.billing import numbering
from backend.store import audit


def _payment(ctx: Context, payment_id: str) -> dict[str, Any]:
    row = ctx.store.one("SELECT * FROM payments WHERE id=?", (payment_id,))
    if row is None:
        raise NotFound(f"There is no payment {payment_id}.")
    if row["status"] not in INVOICED or not row["paid_at"]:
        raise StateError(
            f"Payment {payment_id} is {row['status']}: only a completed payment has a receipt."
        )
    return row


def issue_number(ctx: Context, payment_id: str, *, actor: str = "system") -> str:
    """The payment's invoice number, allocating the next one if it has none yet."""
    with ctx.store.transaction():
        row = _payment(ctx, payment_id)
        if row["receipt_no"]:
            return str(row["receipt_no"])
        number = numbering.next_number(ctx, "INV")
        ctx.store.execute(
            "UPDATE payments SET receipt_no=?, updated_at=? WHERE id=?",
            (number, ctx.now_iso(), payment_id),
        )
        audit.record(ctx, actor, "invoice.number", "payment", payment_id, number=number)
    return number


def _plan_line(ctx: Context, row: dict[str, Any]) -> str:
    if not row["tier"]:
        return "AUTOOS subscription"
    name = ctx.catalog.name_of(row["tier"])
    period = {"month": "monthly", "year": "yearly"}.get(row["interval"] or "", "")
    return f"AUTOOS {name} plan" + (f" ({period})" if period else "")


def invoice_for_payment(ctx: Context, payment_id: str) -> dict[str, Any]:
    """Everything printed on the invoice or receipt, as plain data (amounts in minor units)."""
    row = _payment(ctx, payment_id)
    shop = ctx.settings.shop
    currency = row["currency"]
    gst = currency == "INR"
    if gst and not shop.gstin.strip():
        raise NotConfigured("A GST invoice needs the shop's GSTIN: set shop.gstin in the settings.")
    if gst and not shop.state.strip():
        raise NotConfigured(
            "A GST invoice needs the shop's state (to choose CGST+SGST or IGST): "
            "set shop.state in the settings."
        )
    number = row["receipt_no"] or issue_number(ctx, payment_id)
    customer = ctx.store.one("SELECT * FROM customers WHERE id=?", (row["customer_id"],)) or {}
    total = int(row["amount"])
    doc: dict[str, Any] = {
        "kind": "tax_invoice" if gst else "receipt",
        "title": "Tax Invoice" if gst else "Receipt",
        "number": number,
        "date": india_date(parse_iso(row["paid_at"])).isoformat(),
        "paid_at": row["paid_at"],
        "payment_id": row["id"],
        "method": method_label(row["method"]),
        "reference": row["utr"] or row["stripe_payment_intent_id"] or row["upi_tr"] or "",
        "terminal": row["terminal"] or "",
        "currency": currency,
        "seller": {
            "name": shop.name,
            "address": shop.address,
            "gstin": shop.gstin if gst else "",
            "state": shop.state,
        },
        "buyer": {
            "name": customer.get("name", ""),
            "email": customer.get("email") or "",
            "phone": readable_phone(customer.get("phone")),
            "state": customer.get("state") or "",
        },
        "sac_code": shop.sac_code if gst else "",
        "description": _plan_line(ctx, row),
        "total": total,
        "refunded": int(row["refunded_amount"] or 0),
        "taxable": total,
        "taxes": [],
        "place_of_supply": "",
        # an AutoPay payment's mandate as it stood when paid (kept in its evidence, so a
        # reprint says the same): "UPI AutoPay mandate: up to ₹X per month until <date>"
        "mandate_line": _mandate_line(row),
    }
    if gst:
        split = split_inclusive(total, shop.state, customer.get("state"))
        doc["taxable"] = split.taxable
        doc["taxes"] = [
            {"name": t.name, "percent": t.percent, "amount": t.amount} for t in split.lines
        ]
        doc["place_of_supply"] = customer.get("state") or shop.state
    return doc


def _mandate_line(row: dict[str, Any]) -> str:
    if row["method"] != "upi_autopay":
        return ""
    from backend.domain.autopay import receipt_line

    return receipt_line(json.loads(row["evidence"] or "{}").get("mandate"))


def money_text(amount: int, currency: str) -> str:
    return format_money(Money(amount, currency))


def invoice_pdf(ctx: Context, payment_id: str) -> bytes:
    """The invoice as PDF bytes; the same payment always gives the same bytes."""
    from backend.adapters.invoice_pdf import render_invoice

    return render_invoice(invoice_for_payment(ctx, payment_id))


def pdf_filename(doc: dict[str, Any]) -> str:
    return f"{doc['title'].replace(' ', '-')}-{doc['number'].replace('/', '-')}.pdf"


def email_invoice(
    ctx: Context, payment_id: str, to: str | None = None, *, actor: str
) -> dict[str, Any]:
    """Email the invoice PDF to ``to`` (default: the customer's address)."""
    from backend.domain.identity import normalize_email

    mailer = ctx.adapters.get("mail")
    if mailer is None:
        raise NotConfigured("Email is not set up: fill in [mail] host and sender in the settings.")
    doc = invoice_for_payment(ctx, payment_id)
    address = to or doc["buyer"]["email"]
    if not address:
        raise ValidationError("This customer has no email address; enter one.", field="email")
    address = normalize_email(address)
    pdf = invoice_pdf(ctx, payment_id)
    total = money_text(doc["total"], doc["currency"])
    body = (
        f"Dear {doc['buyer']['name'] or 'customer'},\n\n"
        f"Thank you for your payment of {total} for {doc['description']}.\n"
        f"Your {doc['title'].lower()} {doc['number']} is attached.\n\n"
        f"{doc['seller']['name']}\n"
    )
    message_id = mailer.send(
        to=address,
        subject=f"{doc['seller']['name']} {doc['title'].lower()} {doc['number']}",
        body=body,
        attachments=[Attachment(pdf_filename(doc), pdf)],
        date=ctx.clock.now(),
    )
    with ctx.store.transaction():
        audit.record(
            ctx, actor, "invoice.email", "payment", payment_id, to=address, number=doc["number"]
        )
    return {"payment_id": payment_id, "number": doc["number"], "to": address, "id": message_id}
