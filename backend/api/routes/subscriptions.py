"""Subscriptions: subscribe, show, upgrade (with the proration shown first), downgrade
at period end, cancel. :mod:`backend.services.billing.plan_changes` picks UPI or card."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from backend.api import models
from backend.api.auth import ADMIN, AUTOOS, COUNTER, STAFF, STAFF_ONLY, Ctx, CurrentCaller
from backend.api.routing import endpoint
from backend.services.billing import card_subscriptions, plan_changes, upi_subscriptions
from backend.services.shop import customers

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
        "subscription": upi_subscriptions.current_subscription(ctx, customer_id),
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


# card subscriptions by number (what the staff screens hold) ------------------------
SubscriptionPath = Annotated[int, Path(gt=0, lt=models.MAX_ID, description="Subscription id")]


@endpoint(
    router,
    "GET",
    "/payments/card-subscriptions/{subscription_id}/preview-upgrade",
    roles=STAFF_ONLY,
    summary="Stripe's proration for upgrading this card subscription now",
    errors=PLAN_ERRORS,
)
def card_preview_upgrade(
    subscription_id: SubscriptionPath,
    tier: Annotated[str, Query(pattern=r"^[a-z][a-z0-9_]{0,31}$")],
    interval: Annotated[models.Interval, Query()],
    ctx: Ctx,
) -> dict:
    return card_subscriptions.preview_upgrade(ctx, subscription_id, tier=tier, interval=interval)


@endpoint(
    router,
    "POST",
    "/payments/card-subscriptions/{subscription_id}/upgrade",
    roles=STAFF_ONLY,
    summary="Upgrade now; pass the preview's proration_date so the charge is the one shown",
    errors=PLAN_ERRORS,
)
def card_upgrade(
    subscription_id: SubscriptionPath, body: models.CardUpgrade, ctx: Ctx, caller: CurrentCaller
) -> dict:
    return card_subscriptions.upgrade(
        ctx,
        subscription_id,
        tier=body.tier,
        interval=body.interval,
        proration_date=body.proration_date,
        actor=caller.actor,
    )


@endpoint(
    router,
    "POST",
    "/payments/card-subscriptions/{subscription_id}/downgrade",
    roles=STAFF_ONLY,
    summary="Schedule the cheaper plan from the end of the current period",
    errors=PLAN_ERRORS,
)
def card_downgrade(
    subscription_id: SubscriptionPath,
    body: models.SubscriptionChange,
    ctx: Ctx,
    caller: CurrentCaller,
) -> dict:
    return card_subscriptions.downgrade(
        ctx, subscription_id, tier=body.tier, interval=body.interval, actor=caller.actor
    )


@endpoint(
    router,
    "POST",
    "/payments/card-subscriptions/{subscription_id}/cancel",
    roles=STAFF_ONLY,
    summary="Cancel now, or at the end of the paid period",
    errors=PLAN_ERRORS,
)
def card_cancel(
    subscription_id: SubscriptionPath, body: models.PeriodEnd, ctx: Ctx, caller: CurrentCaller
) -> dict:
    return card_subscriptions.cancel(
        ctx, subscription_id, at_period_end=body.at_period_end, actor=caller.actor
    )
