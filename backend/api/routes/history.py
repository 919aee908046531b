"""A customer's money history: payments and refunds, invoices, and invoice PDFs."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
from fastapi.responses import Response

from backend.api import models
from backend.api.auth import ADMIN, AUTOOS, STAFF, STAFF_ONLY, Ctx, CurrentCaller
from backend.api.routing import endpoint
from backend.services.billing import invoices
from backend.services.cards import card_billing

router = APIRouter(tags=["history and invoices"])

READERS = (STAFF, ADMIN, AUTOOS)
PaymentPath = Annotated[
    str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$", description="Payment id")
]


@endpoint(
    router,
    "GET",
    "/payments/history",
    roles=READERS,
    summary="Payments (any method) and refunds, newest first, and Stripe invoices",
    errors=(404,),
    response_model=models.History,
)
def history(customer_id: models.CustomerIdQuery, ctx: Ctx) -> dict:
    return card_billing.billing_history(ctx, customer_id)


@endpoint(
    router,
    "GET",
    "/payments/invoices",
    roles=READERS,
    summary="The customer's receipts and GST invoices (paid payments), and Stripe's invoices",
    errors=(404,),
    response_model=models.InvoiceList,
)
def list_invoices(customer_id: models.CustomerIdQuery, ctx: Ctx) -> dict:
    past = card_billing.billing_history(ctx, customer_id)
    paid = [
        {
            "payment_id": p["id"],
            "number": p["receipt_no"],
            "paid_at": p["paid_at"],
            "amount": p["amount"],
            "currency": p["currency"],
            "method": p["method"],
            "tier": p["tier"],
            "interval": p["interval"],
            "download": f"/payments/invoices/{p['id']}/download",
        }
        for p in past["payments"]
        if p["status"] in invoices.INVOICED_STATUSES and p["paid_at"]
    ]
    stripe_side = card_billing.invoices(ctx, customer_id)
    return {
        "customer_id": customer_id,
        "invoices": paid,
        "stripe_invoices": stripe_side["invoices"],
        "offline": stripe_side["offline"],
    }


@endpoint(
    router,
    "GET",
    "/payments/invoices/{payment_id}/download",
    roles=READERS,
    summary="The invoice or receipt of a paid payment, as PDF",
    errors=(404, 409, 503),
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}, "description": "PDF document"}},
)
def download_invoice(payment_id: PaymentPath, ctx: Ctx) -> Response:
    pdf = invoices.invoice_pdf(ctx, payment_id)
    name = invoices.pdf_filename(invoices.invoice_for_payment(ctx, payment_id))
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@endpoint(
    router,
    "POST",
    "/payments/invoices/{payment_id}/email",
    roles=STAFF_ONLY,
    summary="Email the invoice PDF (to the customer unless `to` is given)",
    errors=(404, 409, 502, 503),
)
def email_invoice(
    payment_id: PaymentPath, body: models.EmailInvoice, ctx: Ctx, caller: CurrentCaller
) -> dict:
    return invoices.email_invoice(ctx, payment_id, body.to, actor=caller.actor)
