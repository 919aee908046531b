"""Subscriptions: subscribe, show, upgrade (with the proration shown first), downgrade
at period end, cancel. :mod:`backend.services.plan_changes` picks UPI or card."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from backend.api import models
from backend.api.auth import ADMIN, AUTOOS, COUNTER, STAFF, STAFF_ONLY, Ctx, CurrentCaller
from backend.api.routing import endpoint
from backend.services import customers, plan_changes, subscriptions

router = APIRouter(tags=["subscriptions"])

PLAN_ERRORS = (404, 409, 502, 503)


@endpoint(
    router,
    "POST",
    "/payments/subscribe",
    roles=COUNTER,
    summary="Sell a plan: UPI QR, Stripe Checkout, or a card-billed trial",
    description="`method: upi` answers with a QR request to pay (INR); `method: card` "
    "with a Checkout page, or, with `trial_days`, a card subscription in trial.",
    status_code=201,
    errors=PLAN_ERRORS,
    response_model=models.PlanChange,
)
def subscribe(body: models.SubscribeRequest, ctx: Ctx, caller: CurrentCaller) -> dict:
    return plan_changes.subscribe(
        ctx,
        customer_id=body.customer_id,
        tier=body.tier,
        interval=body.interval,
        currency=body.currency,
        method=body.method,
        trial_days=body.trial_days,
        checkout_id=body.checkout_id,
        actor=caller.actor,
    )


@endpoint(
    router,
    "GET",
    "/payments/subscription",
    roles=(STAFF, ADMIN, AUTOOS),
    summary="The customer's live subscription (null if none)",
    errors=(404,),
    response_model=models.CurrentSubscription,
)
def get_subscription(customer_id: models.CustomerIdQuery, ctx: Ctx) -> dict:
    customers.get_customer(ctx, customer_id)
    return {
        "customer_id": customer_id,
        "subscription": subscriptions.current_subscription(ctx, customer_id),
    }


@endpoint(
    router,
    "GET",
    "/payments/proration-preview",
    roles=STAFF_ONLY,
    summary="What upgrading now would cost, to show before the customer agrees",
    errors=PLAN_ERRORS,
    response_model=models.ProrationPreview,
)
def proration_preview(
    customer_id: models.CustomerIdQuery,
    tier: Annotated[str, Query(pattern=r"^[a-z][a-z0-9_]{0,31}$")],
    interval: Annotated[models.Interval, Query()],
    ctx: Ctx,
) -> dict:
    return plan_changes.preview_upgrade(ctx, customer_id, tier, interval)


@endpoint(
    router,
    "POST",
    "/payments/upgrade",
    roles=STAFF_ONLY,
    summary="Upgrade now (card: Stripe charges the proration; UPI: a QR for it)",
    errors=PLAN_ERRORS,
    response_model=models.PlanChange,
)
def upgrade(body: models.UpgradeRequest, ctx: Ctx, caller: CurrentCaller) -> dict:
    return plan_changes.upgrade(
        ctx,
        body.customer_id,
        body.tier,
        body.interval,
        proration_date=body.proration_date,
        checkout_id=body.checkout_id,
        actor=caller.actor,
    )


@endpoint(
    router,
    "POST",
    "/payments/downgrade",
    roles=STAFF_ONLY,
    summary="Move to a smaller plan at the end of the current period",
    errors=PLAN_ERRORS,
    response_model=models.PlanChange,
)
def downgrade(body: models.PlanChoice, ctx: Ctx, caller: CurrentCaller) -> dict:
    return plan_changes.downgrade(
        ctx, body.customer_id, body.tier, body.interval, actor=caller.actor
    )


@endpoint(
    router,
    "POST",
    "/payments/cancel-subscription",
    roles=STAFF_ONLY,
    summary="Cancel now, or at the end of the paid period (the default)",
    errors=PLAN_ERRORS,
    response_model=models.PlanChange,
)
def cancel_subscription(body: models.CancelRequest, ctx: Ctx, caller: CurrentCaller) -> dict:
    return plan_changes.cancel(
        ctx, body.customer_id, at_period_end=body.at_period_end, actor=caller.actor
    )
