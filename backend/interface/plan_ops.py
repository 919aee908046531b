"""Operations on plans: sell one, show it, and upgrade (the proration shown first),
downgrade at period end or cancel — by customer, whatever pays for the plan."""

from __future__ import annotations

from typing import Any

from backend.domain.records import PlanChange, ProrationPreview, Subscription
from backend.interface.bound import Bound
from backend.interface.declare import COUNTER, READERS, STAFF_ONLY, operation
from backend.interface.types import (
    CheckoutId,
    Currency,
    CustomerId,
    Interval,
    ProrationDate,
    SaleMethodName,
    SubscriptionId,
    TierId,
    TrialDays,
)

PLAN_ERRORS = (404, 409, 502, 503)
TAG = "subscriptions"


class PlanOps(Bound):
    @operation(
        "POST",
        "/payments/subscribe",
        roles=COUNTER,
        summary="Sell a plan: UPI QR, Stripe Checkout, or a card-billed trial",
        description="`method: upi` answers with a QR request to pay (INR); `method: card` "
        "with a Checkout page, or, with `trial_days`, a card subscription in trial.",
        status=201,
        errors=PLAN_ERRORS,
        network=True,
        tag=TAG,
    )
    def subscribe(
        self,
        customer_id: CustomerId,
        tier: TierId,
        interval: Interval,
        method: SaleMethodName,
        currency: Currency = "INR",
        trial_days: TrialDays | None = None,
        checkout_id: CheckoutId | None = None,
    ) -> PlanChange:
        from backend.services.billing import plan_changes

        return plan_changes.subscribe(  # type: ignore[return-value]
            self.ctx,
            customer_id=customer_id,
            tier=tier,
            interval=interval,
            currency=currency,
            method=method,
            trial_days=trial_days,
            checkout_id=checkout_id,
            actor=self.actor,
            terminal=self.caller.terminal,
        )

    @operation(
        "GET",
        "/payments/subscription",
        roles=READERS,
        summary="The customer's live subscription (null if none)",
        errors=(404,),
        wrap="subscription",
        echo=("customer_id",),
        tag=TAG,
    )
    def current_subscription(self, customer_id: CustomerId) -> Subscription | None:
        from backend.services.billing import upi_subscriptions
        from backend.services.shop import customers

        customers.get_customer(self.ctx, customer_id)
        return upi_subscriptions.current_subscription(self.ctx, customer_id)  # type: ignore[return-value]

    @operation(
        "GET",
        "/payments/proration-preview",
        roles=STAFF_ONLY,
        summary="What upgrading now would cost, to show before the customer agrees",
        errors=PLAN_ERRORS,
        network=True,
        tag=TAG,
    )
    def preview_upgrade(
        self, customer_id: CustomerId, tier: TierId, interval: Interval
    ) -> ProrationPreview:
        from backend.services.billing import plan_changes

        return plan_changes.preview_upgrade(self.ctx, customer_id, tier, interval)  # type: ignore[return-value]

    @operation(
        "POST",
        "/payments/upgrade",
        roles=STAFF_ONLY,
        summary="Upgrade now (card: Stripe charges the proration; UPI: a QR for it)",
        errors=PLAN_ERRORS,
        network=True,
        tag=TAG,
    )
    def upgrade(
        self,
        customer_id: CustomerId,
        tier: TierId,
        interval: Interval,
        proration_date: ProrationDate | None = None,
        checkout_id: CheckoutId | None = None,
    ) -> PlanChange:
        from backend.services.billing import plan_changes

        return plan_changes.upgrade(  # type: ignore[return-value]
            self.ctx,
            customer_id,
            tier,
            interval,
            proration_date=proration_date,
            checkout_id=checkout_id,
            actor=self.actor,
            terminal=self.caller.terminal,
        )

    @operation(
        "POST",
        "/payments/downgrade",
        roles=STAFF_ONLY,
        summary="Move to a smaller plan at the end of the current period",
        errors=PLAN_ERRORS,
        network=True,
        tag=TAG,
    )
    def downgrade(self, customer_id: CustomerId, tier: TierId, interval: Interval) -> PlanChange:
        from backend.services.billing import plan_changes

        return plan_changes.downgrade(  # type: ignore[return-value]
            self.ctx, customer_id, tier, interval, actor=self.actor
        )

    @operation(
        "POST",
        "/payments/cancel-subscription",
        roles=STAFF_ONLY,
        summary="Cancel now, or at the end of the paid period (the default)",
        errors=PLAN_ERRORS,
        network=True,
        tag=TAG,
    )
    def cancel_subscription(
        self, customer_id: CustomerId, at_period_end: bool = True
    ) -> PlanChange:
        from backend.services.billing import plan_changes

        return plan_changes.cancel(  # type: ignore[return-value]
            self.ctx, customer_id, at_period_end=at_period_end, actor=self.actor
        )

    # card subscriptions by number (what Stripe holds) ---------------------------------
    @operation(
        "GET",
        "/payments/card-subscriptions/{subscription_id}",
        roles=STAFF_ONLY,
        summary="A card subscription as mirrored here, with its Stripe requests still queued",
        errors=(404,),
        tag=TAG,
    )
    def card_subscription(self, subscription_id: SubscriptionId) -> dict[str, Any]:
        from backend.services.billing import card_subscriptions

        return card_subscriptions.show(self.ctx, subscription_id)

    @operation(
        "GET",
        "/payments/card-subscriptions/{subscription_id}/preview-upgrade",
        roles=STAFF_ONLY,
        summary="Stripe's proration for upgrading this card subscription now",
        errors=PLAN_ERRORS,
        network=True,
        tag=TAG,
    )
    def card_preview_upgrade(
        self, subscription_id: SubscriptionId, tier: TierId, interval: Interval
    ) -> dict[str, Any]:
        from backend.services.billing import card_subscriptions

        return card_subscriptions.preview_upgrade(
            self.ctx, subscription_id, tier=tier, interval=interval
        )

    @operation(
        "POST",
        "/payments/card-subscriptions/{subscription_id}/upgrade",
        roles=STAFF_ONLY,
        summary="Upgrade now; pass the preview's proration_date so the charge is the one shown",
        errors=PLAN_ERRORS,
        network=True,
        tag=TAG,
    )
    def card_upgrade(
        self,
        subscription_id: SubscriptionId,
        tier: TierId,
        interval: Interval,
        proration_date: ProrationDate | None = None,
    ) -> dict[str, Any]:
        from backend.services.billing import card_subscriptions

        return card_subscriptions.upgrade(
            self.ctx,
            subscription_id,
            tier=tier,
            interval=interval,
            proration_date=proration_date,
            actor=self.actor,
        )

    @operation(
        "POST",
        "/payments/card-subscriptions/{subscription_id}/downgrade",
        roles=STAFF_ONLY,
        summary="Schedule the cheaper plan from the end of the current period",
        errors=PLAN_ERRORS,
        network=True,
        tag=TAG,
    )
    def card_downgrade(
        self, subscription_id: SubscriptionId, tier: TierId, interval: Interval
    ) -> dict[str, Any]:
        from backend.services.billing import card_subscriptions

        return card_subscriptions.downgrade(
            self.ctx, subscription_id, tier=tier, interval=interval, actor=self.actor
        )

    @operation(
        "POST",
        "/payments/card-subscriptions/{subscription_id}/cancel",
        roles=STAFF_ONLY,
        summary="Cancel now, or at the end of the paid period",
        errors=PLAN_ERRORS,
        network=True,
        tag=TAG,
    )
    def card_cancel(
        self, subscription_id: SubscriptionId, at_period_end: bool = True
    ) -> dict[str, Any]:
        from backend.services.billing import card_subscriptions

        return card_subscriptions.cancel(
            self.ctx, subscription_id, at_period_end=at_period_end, actor=self.actor
        )
