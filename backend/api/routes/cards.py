"""Card payments through Stripe: the Checkout page (the original ``create-intent``),
its status, saved payment methods."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from backend.adapters.stripe_gateway import card_status
from backend.api import models
from backend.api.auth import ADMIN, COUNTER, STAFF_ONLY, Ctx, CurrentCaller
from backend.api.routing import endpoint
from backend.domain.money import Money
from backend.errors import ValidationError
from backend.services.cards import card_billing, card_checkout, card_methods, card_refunds
from backend.services.shop import customers

router = APIRouter(tags=["card"])

PaymentPath = Annotated[
    str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$", description="Payment id")
]


@endpoint(
    router,
    "GET",
    "/payments/card-status",
    roles=COUNTER,
    summary="Can this store take cards now (Stripe configured)?",
    errors=(),
    response_model=models.CardStatus,
)
def get_card_status(ctx: Ctx) -> dict:
    return card_status(ctx)


@endpoint(
    router,
    "POST",
    "/payments/create-intent",
    roles=COUNTER,
    summary="A Stripe Checkout Session for a plan; show its `url` to the customer as a QR",
    description="Needs Stripe online: 503 when it cannot be reached or is not configured.",
    status_code=201,
    errors=(404, 409, 502, 503),
    response_model=models.CardPayment,
)
def create_intent(body: models.CardCheckoutRequest, ctx: Ctx, caller: CurrentCaller) -> dict:
    customers.get_customer(ctx, body.customer_id)
    return card_checkout.start_checkout(
        ctx,
        customer_id=body.customer_id,
        tier=body.tier,
        interval=body.interval,
        currency=body.currency,
        actor=caller.actor,
    )


@endpoint(
    router,
    "GET",
    "/payments/card/{payment_id}",
    roles=COUNTER,
    summary="A card checkout, refreshed from Stripe (paid, expired...)",
    errors=(404, 502, 503),
    response_model=models.CardPayment,
)
def get_card_payment(payment_id: PaymentPath, ctx: Ctx, caller: CurrentCaller) -> dict:
    return card_checkout.refresh(ctx, payment_id, actor=caller.actor)


@endpoint(
    router,
    "POST",
    "/payments/card/{payment_id}/cancel",
    roles=COUNTER,
    summary="Withdraw a card checkout (a payment arriving later is kept as `late`)",
    errors=(404, 409, 502, 503),
    response_model=models.CardPayment,
)
def cancel_card_payment(payment_id: PaymentPath, ctx: Ctx, caller: CurrentCaller) -> dict:
    return card_checkout.cancel_checkout(ctx, payment_id, actor=caller.actor)


@endpoint(
    router,
    "POST",
    "/payments/update-payment-method",
    roles=STAFF_ONLY,
    summary="A Stripe page (show its `url`) where the customer replaces their card",
    description="Stripe makes the new card the default; the sync mirrors it. 409 when the "
    "customer has no Stripe record yet (nothing to update).",
    errors=(404, 409, 502, 503),
    response_model=models.PaymentMethodLink,
)
def update_payment_method(
    body: models.UpdatePaymentMethod, ctx: Ctx, caller: CurrentCaller
) -> dict:
    return card_methods.payment_method_update_link(ctx, body.customer_id, actor=caller.actor)


@endpoint(
    router,
    "GET",
    "/payments/payment-methods",
    roles=STAFF_ONLY,
    summary="The customer's saved cards (from Stripe, or the local copy when offline)",
    errors=(404,),
    response_model=models.PaymentMethods,
)
def payment_methods(customer_id: models.CustomerIdQuery, ctx: Ctx) -> dict:
    return card_billing.payment_methods(ctx, customer_id)


@endpoint(
    router,
    "POST",
    "/payments/card/{payment_id}/refund",
    roles=(ADMIN,),
    summary="Refund all or part of a card payment (queued; sent to Stripe when online)",
    errors=(404, 409, 502, 503),
)
def refund(
    payment_id: PaymentPath, body: models.RefundRequest, ctx: Ctx, caller: CurrentCaller
) -> dict:
    money = None
    if body.amount is not None:
        if body.currency is None:
            raise ValidationError("Give the currency with the amount.", field="currency")
        money = Money(body.amount, body.currency)
    return card_refunds.refund(
        ctx, payment_id, amount=money, reason=body.reason, actor=caller.actor
    )
