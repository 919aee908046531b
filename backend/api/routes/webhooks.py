"""The payment providers' webhooks. No bearer token: each delivery proves itself with
its signature over the raw body, checked by the backend before anything is parsed.

The raw bytes matter (a re-serialised body would not verify), so these handlers are
``async`` to read the body, then hand the SQLite work to the threadpool.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, Request
from starlette.concurrency import run_in_threadpool

from backend.api import models
from backend.api.auth import Ctx
from backend.api.routing import endpoint
from backend.services.cards.stripe_webhooks import handle_stripe_webhook
from backend.services.upi import upi_requests

router = APIRouter(tags=["webhooks"])

RAW_JSON: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": {"type": "object"}}},
    }
}


@endpoint(
    router,
    "POST",
    "/payments/webhooks/stripe",
    roles=None,
    summary="Stripe events (verified with Stripe-Signature, applied once)",
    errors=(400, 503),
    response_model=models.WebhookResult,
    openapi_extra=RAW_JSON,
)
async def stripe_webhook(
    request: Request,
    ctx: Ctx,
    stripe_signature: Annotated[str, Header(max_length=2048)] = "",
) -> dict:
    body = await request.body()
    return await run_in_threadpool(handle_stripe_webhook, ctx, body, stripe_signature)


@endpoint(
    router,
    "POST",
    "/payments/webhooks/razorpay",
    roles=None,
    summary="Razorpay `qr_code.credited` (verified with X-Razorpay-Signature, applied once)",
    errors=(400, 503),
    response_model=models.WebhookResult,
    openapi_extra=RAW_JSON,
)
async def razorpay_webhook(
    request: Request,
    ctx: Ctx,
    x_razorpay_signature: Annotated[str, Header(max_length=512)] = "",
) -> dict:
    body = await request.body()
    return await run_in_threadpool(
        upi_requests.handle_razorpay_webhook, ctx, body, x_razorpay_signature
    )
