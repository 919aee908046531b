"""Operations on UPI AutoPay: plans paid by a UPI mandate that renew themselves — what
the mandate would be, selling one, following it, cancelling it — and the renewals that
failed (the payments needing attention: a one-time QR for the overdue period, a new
mandate, and the customer's email)."""

from __future__ import annotations

from typing import Annotated, Any

from backend.domain.records import AutopayOffer, AutopaySale, Payment
from backend.interface.bound import Bound
from backend.interface.declare import COUNTER, STAFF_ONLY, operation
from backend.interface.types import (
    MAX_ID,
    Currency,
    CustomerId,
    Field,
    Interval,
    PaymentId,
    TierId,
)

TAG = "UPI AutoPay"
AUTOPAY_ERRORS = (404, 409, 502, 503)
#: a UPI AutoPay plan's number (digits) or the id of its sign-up payment
AutopayRef = Annotated[
    str,
    Field(
        min_length=1,
        max_length=64,
        pattern=r"^[A-Za-z0-9_-]+$",
        description="An AutoPay plan's number, or its sign-up payment's id",
    ),
]
NoticeId = Annotated[int, Field(gt=0, lt=MAX_ID, description="An overdue AutoPay renewal's number")]


class AutopayOps(Bound):
    @operation(
        "GET",
        "/payments/autopay/offer",
        roles=COUNTER,
        summary="Can this plan be sold with UPI AutoPay here now, and the mandate the "
        "customer would approve (show it before they scan)",
        errors=(404,),
        tag=TAG,
    )
    def autopay_offer(
        self, tier: TierId, interval: Interval, currency: Currency = "INR"
    ) -> AutopayOffer:
        from backend.services.autopay import sales

        return sales.offer(self.ctx, tier, interval, currency)  # type: ignore[return-value]

    @operation(
        "POST",
        "/payments/autopay",
        roles=COUNTER,
        summary="Sell a plan with UPI AutoPay: the page the customer scans (`url`) to "
        "approve the mandate (`mandate`) in their UPI app",
        description="Refused, with nothing sent to the provider, when AutoPay is off or "
        "not set up (503), for a plan with a custom price or a price not in rupees (422), "
        "and for a customer who already has a plan in force (409).",
        status=201,
        errors=AUTOPAY_ERRORS,
        network=True,
        tag=TAG,
    )
    def autopay_start(
        self,
        customer_id: CustomerId,
        tier: TierId,
        interval: Interval,
        currency: Currency = "INR",
    ) -> AutopaySale:
        from backend.services.autopay import sales

        return sales.start(  # type: ignore[return-value]
            self.ctx,
            customer_id=customer_id,
            tier=tier,
            interval=interval,
            currency=currency,
            actor=self.actor,
            terminal=self.caller.terminal,
        )

    @operation(
        "GET",
        "/payments/autopay/status/{payment_id}",
        roles=COUNTER,
        summary="An AutoPay sign-up as it stands now (asks Stripe or Razorpay while it waits)",
        errors=(404, 502, 503),
        network=True,
        tag=TAG,
    )
    def autopay_status(self, payment_id: PaymentId) -> AutopaySale:
        from backend.services.autopay import sales

        return sales.status(self.ctx, payment_id, actor=self.actor)  # type: ignore[return-value]

    @operation(
        "POST",
        "/payments/autopay/cancel/{ref}",
        roles=STAFF_ONLY,
        summary="Cancel an AutoPay plan (its mandate is revoked) by its number, or withdraw "
        "a sign-up still waiting by its payment id",
        errors=AUTOPAY_ERRORS,
        network=True,
        tag=TAG,
    )
    def autopay_cancel(self, ref: AutopayRef, at_period_end: bool = False) -> dict[str, Any]:
        from backend.services.autopay import sales

        return sales.cancel(self.ctx, ref, at_period_end=at_period_end, actor=self.actor)

    @operation(
        "GET",
        "/payments/autopay/plans/{subscription_id}",
        roles=STAFF_ONLY,
        summary="An AutoPay plan with its mandate (terms, status) and grace period",
        errors=(404,),
        tag=TAG,
    )
    def autopay_plan(
        self, subscription_id: Annotated[int, Field(gt=0, lt=MAX_ID)]
    ) -> dict[str, Any]:
        from backend.services.autopay import sales

        return sales.subscription_view(self.ctx, sales.subscription(self.ctx, subscription_id))

    # renewals that failed -------------------------------------------------------------
    @operation(
        "GET",
        "/payments/attention",
        roles=STAFF_ONLY,
        summary="Payments needing attention: AutoPay renewals that failed (with their grace "
        "period) and plans whose mandate the customer revoked or paused",
        wrap="items",
        tag=TAG,
    )
    def needing_attention(self) -> list[dict[str, Any]]:
        from backend.services.autopay import dunning

        return dunning.needing_attention(self.ctx)

    @operation(
        "POST",
        "/payments/attention/{notice_id}/pay-qr",
        roles=STAFF_ONLY,
        summary="A one-time UPI QR for an overdue AutoPay period; paid, the plan is active "
        "again (and Stripe is told the invoice was paid out of band)",
        status=201,
        errors=(404, 409, 503),
        network=True,
        tag=TAG,
    )
    def autopay_pay_overdue(self, notice_id: NoticeId) -> Payment:
        from backend.services.autopay import dunning

        return dunning.pay_overdue(  # type: ignore[return-value]
            self.ctx, notice_id, actor=self.actor, terminal=self.caller.terminal
        )

    @operation(
        "POST",
        "/payments/attention/{notice_id}/new-mandate",
        roles=STAFF_ONLY,
        summary="A new AutoPay sign-up for a plan whose renewal failed (the lapsed plan ends "
        "once the customer approves it)",
        status=201,
        errors=AUTOPAY_ERRORS,
        network=True,
        tag=TAG,
    )
    def autopay_new_mandate(self, notice_id: NoticeId) -> AutopaySale:
        from backend.services.autopay import sales

        return sales.new_mandate(  # type: ignore[return-value]
            self.ctx, notice_id, actor=self.actor, terminal=self.caller.terminal
        )

    @operation(
        "POST",
        "/payments/attention/send-emails",
        roles=STAFF_ONLY,
        summary="Email the customers of failed AutoPay renewals now (each once; the sync "
        "does it too)",
        network=True,
        tag=TAG,
    )
    def send_dunning_emails(self) -> dict[str, Any]:
        from backend.services.autopay import dunning

        return dunning.send_pending(self.ctx, actor=self.actor)
