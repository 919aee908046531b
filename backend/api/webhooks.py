"""The payment providers' webhooks. No bearer token: each delivery proves itself with
its signature over the raw body, checked by the backend before anything is parsed.

The raw bytes matter (a re-serialised body would not verify), so these handlers are
``async`` to read the body, then hand the store's work to the threadpool. They are the
only routes not generated from the application interface: they are the providers'
protocol, not operations a person or program asks for.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, Request
from starlette.concurrency import run_in_threadpool

from backend.api.auth import Ctx
from backend.api.routing import webhook
from backend.services.autopay import razorpay_autopay
from backend.services.cards.stripe_webhooks import handle_stripe_webhook

router = APIRouter(tags=["webhooks"])


@webhook(router, "/payments/webhooks/stripe", summary="Stripe events (verified, applied once)")
async def stripe_webhook(
    request: Request,
    ctx: Ctx,
    stripe_signature: Annotated[str, Header(max_length=2048)] = "",
) -> dict[str, Any]:
    body = await request.body()
    return await run_in_threadpool(handle_stripe_webhook, ctx, body, stripe_signature)


@webhook(
    router,
    "/payments/webhooks/razorpay",
    summary="Razorpay `qr_code.credited` and `subscription.*` (UPI AutoPay), verified with "
    "X-Razorpay-Signature, applied once",
)
async def razorpay_webhook(
    request: Request,
    ctx: Ctx,
    x_razorpay_signature: Annotated[str, Header(max_length=512)] = "",
) -> dict[str, Any]:
    body = await request.body()
    return await run_in_threadpool(
        razorpay_autopay.dispatch_webhook, ctx, body, x_razorpay_signature
    )
