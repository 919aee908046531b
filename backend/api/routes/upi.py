"""UPI QR requests: create, read (JSON, PNG, SVG), poll, cancel, confirm by UTR."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query
from fastapi.responses import Response

from backend.adapters.upi.qr import render_png, render_svg
from backend.api import models
from backend.api.auth import COUNTER, STAFF_ONLY, Ctx, CurrentCaller
from backend.api.routing import endpoint
from backend.services.upi import upi_requests

router = APIRouter(tags=["UPI"])

PaymentPath = Annotated[
    str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$", description="Payment id")
]
IMAGE_ERRORS = (404,)


@endpoint(
    router,
    "POST",
    "/payments/qr-code",
    roles=COUNTER,
    summary="A UPI QR payment request for a plan (the QR text is `uri`)",
    status_code=201,
    errors=(404, 409, 503),
    response_model=models.UpiPayment,
)
def create_qr_code(body: models.QrCodeRequest, ctx: Ctx, caller: CurrentCaller) -> dict:
    return upi_requests.create_request(
        ctx,
        customer_id=body.customer_id,
        tier=body.tier,
        interval=body.interval,
        checkout_id=body.checkout_id,
        purpose=body.purpose,
        actor=caller.actor,
    )


@endpoint(
    router,
    "GET",
    "/payments/qr-code/{payment_id}.png",
    roles=COUNTER,
    summary="The request's QR as a PNG (sharp modules, quiet zone included)",
    errors=IMAGE_ERRORS,
    response_class=Response,
    responses={200: {"content": {"image/png": {}}, "description": "PNG image"}},
)
def qr_png(
    payment_id: PaymentPath,
    ctx: Ctx,
    size: Annotated[int, Query(ge=64, le=4096, description="Width and height in pixels")] = 512,
) -> Response:
    payment = upi_requests.get_payment(ctx, payment_id)
    return Response(render_png(payment["uri"], size), media_type="image/png")


@endpoint(
    router,
    "GET",
    "/payments/qr-code/{payment_id}.svg",
    roles=COUNTER,
    summary="The request's QR as SVG (scales to any size)",
    errors=IMAGE_ERRORS,
    response_class=Response,
    responses={200: {"content": {"image/svg+xml": {}}, "description": "SVG image"}},
)
def qr_svg(payment_id: PaymentPath, ctx: Ctx) -> Response:
    payment = upi_requests.get_payment(ctx, payment_id)
    return Response(render_svg(payment["uri"]), media_type="image/svg+xml")


@endpoint(
    router,
    "GET",
    "/payments/qr-code/{payment_id}/status",
    roles=COUNTER,
    summary="Has it been paid? (asks the PSP when one issued the QR; else from the clock)",
    errors=(404, 503),
    response_model=models.UpiPayment,
)
def qr_status(payment_id: PaymentPath, ctx: Ctx) -> dict:
    return upi_requests.poll_psp(ctx, payment_id)


@endpoint(
    router,
    "GET",
    "/payments/qr-code/{payment_id}",
    roles=COUNTER,
    summary="The request as stored, its status brought up to the clock",
    errors=(404,),
    response_model=models.UpiPayment,
)
def get_qr_code(payment_id: PaymentPath, ctx: Ctx) -> dict:
    return upi_requests.get_payment(ctx, payment_id)


@endpoint(
    router,
    "POST",
    "/payments/qr-code/{payment_id}/cancel",
    roles=COUNTER,
    summary="Withdraw a pending request (money arriving later is kept as `late`)",
    errors=(404, 409),
    response_model=models.UpiPayment,
)
def cancel_qr_code(payment_id: PaymentPath, ctx: Ctx, caller: CurrentCaller) -> dict:
    return upi_requests.cancel_request(ctx, payment_id, actor=caller.actor)


@endpoint(
    router,
    "POST",
    "/payments/qr-code/{payment_id}/confirm",
    roles=STAFF_ONLY,
    summary="Confirm a payment with the payer's UTR (one UTR confirms one payment)",
    errors=(404, 409),
    response_model=models.UpiPayment,
)
def confirm_qr_code(
    payment_id: PaymentPath, body: models.UtrConfirmation, ctx: Ctx, caller: CurrentCaller
) -> dict:
    return upi_requests.confirm_with_utr(ctx, payment_id, body.utr, actor=caller.actor)


@endpoint(
    router,
    "POST",
    "/payments/qr-code/{payment_id}/accept-late",
    roles=STAFF_ONLY,
    summary="Accept money that arrived after the request expired (the plan then starts)",
    errors=(404, 409),
    response_model=models.UpiPayment,
)
def accept_late(payment_id: PaymentPath, ctx: Ctx, caller: CurrentCaller) -> dict:
    return upi_requests.accept_late(ctx, payment_id, actor=caller.actor)
