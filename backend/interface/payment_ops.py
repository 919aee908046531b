"""Operations on payments: UPI QR requests, card checkouts through Stripe, the payment
in front of a customer whatever its method, refunds, lists and bank statements."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from backend.domain.records import (
    CardStatus,
    Document,
    Payment,
    PaymentChange,
    PaymentMethods,
    SaleMethod,
)
from backend.interface.bound import Bound
from backend.interface.declare import ADMIN_ONLY, COUNTER, KIOSK, STAFF_ONLY, operation
from backend.interface.types import (
    CheckoutId,
    Currency,
    CustomerId,
    Day,
    EventNumber,
    Interval,
    PaymentId,
    PaymentMethodName,
    PaymentStatusName,
    Purpose,
    QrSize,
    Reason,
    RefundAmount,
    ReviewId,
    RowLimit,
    TerminalName,
    TierId,
    Utr,
)

UPI = "UPI"
CARD = "card"
#: what a self-service screen may see of other people's payments: enough to follow the
#: newest request (its details come from /payments/qr-code/{id}), nothing about whom
KIOSK_FIELDS = ("id", "method", "status", "created_at", "expires_at")
KIOSK_MAX_ROWS = 5


class PaymentOps(Bound):
    # the sale -------------------------------------------------------------------------
    @operation(
        "GET",
        "/payments/sale-methods",
        roles=COUNTER,
        summary="How a plan may be paid here now, and why a way cannot be used",
        errors=(404,),
        tag=UPI,
    )
    def sale_methods(self, tier: TierId, currency: Currency) -> list[SaleMethod]:
        from backend.adapters.stripe_gateway import card_status
        from backend.domain.selling import sale_methods

        settings = self.ctx.settings
        return sale_methods(
            self.ctx.catalog.get(tier),
            currency,
            features=vars(settings.features),
            upi_vpa=settings.upi.vpa,
            card=card_status(self.ctx),
        )

    @operation(
        "GET",
        "/payments/status/{payment_id}",
        roles=COUNTER,
        summary="The payment as it stands now, whatever its method (asks Stripe or the PSP)",
        errors=(404, 502, 503),
        network=True,
        tag=UPI,
    )
    def payment_status(self, payment_id: PaymentId) -> Payment:
        from backend.services.payments import follow

        return follow.status_now(self.ctx, payment_id, actor=self.actor)  # type: ignore[return-value]

    @operation(
        "POST",
        "/payments/cancel/{payment_id}",
        roles=COUNTER,
        summary="Withdraw a pending payment of any method (money arriving later is kept)",
        errors=(404, 409, 502, 503),
        network=True,
        tag=UPI,
    )
    def cancel_payment(self, payment_id: PaymentId) -> Payment:
        from backend.services.payments import follow

        return follow.withdraw(self.ctx, payment_id, actor=self.actor)  # type: ignore[return-value]

    @operation(
        None,
        None,
        roles=COUNTER,
        summary="Payment changes as they happen (only one terminal's, when it is named)",
        description="Over REST this is the server-sent event stream `GET /payments/stream`.",
    )
    def watch_payments(
        self, listener: Callable[[PaymentChange], None], terminal: str | None = None
    ) -> Callable[[], None]:
        """Call ``listener`` (on a background thread) with each change from now on;
        returns the function that stops it."""
        from backend.services.payments.feed import feed_of

        return feed_of(self.ctx).subscribe(listener, terminal)

    @operation(
        "GET",
        "/payments/changes",
        roles=COUNTER,
        summary="Payment changes after an event number (what a screen missed; the stream's "
        "fallback while it is down)",
        wrap="changes",
        tag=UPI,
    )
    def payment_changes(
        self, after: EventNumber = 0, terminal: TerminalName | None = None
    ) -> list[PaymentChange]:
        from backend.services.payments.feed import feed_of

        return feed_of(self.ctx).since(after, terminal)

    # UPI ------------------------------------------------------------------------------
    @operation(
        "POST",
        "/payments/qr-code",
        roles=COUNTER,
        summary="A UPI QR payment request for a plan (the QR text is `uri`)",
        status=201,
        errors=(404, 409, 503),
        tag=UPI,
    )
    def create_request(
        self,
        customer_id: CustomerId,
        tier: TierId,
        interval: Interval,
        purpose: Purpose | None = None,
        checkout_id: CheckoutId | None = None,
    ) -> Payment:
        from backend.services.upi import upi_requests

        return upi_requests.create_request(  # type: ignore[return-value]
            self.ctx,
            customer_id=customer_id,
            tier=tier,
            interval=interval,
            actor=self.actor,
            checkout_id=checkout_id,
            purpose=purpose,
            terminal=self.caller.terminal,
        )

    @operation(
        "GET",
        "/payments/qr-code/{payment_id}.png",
        roles=COUNTER,
        summary="The request's QR as a PNG (sharp modules, quiet zone included)",
        errors=(404,),
        media_type="image/png",
        tag=UPI,
    )
    def qr_png(self, payment_id: PaymentId, size: QrSize = 512) -> Document:
        from backend.adapters.upi.qr import render_png
        from backend.services.upi import upi_requests

        payment = upi_requests.get_payment(self.ctx, payment_id)
        return Document(f"qr-{payment_id}.png", "image/png", render_png(payment["uri"], size))

    @operation(
        "GET",
        "/payments/qr-code/{payment_id}.svg",
        roles=COUNTER,
        summary="The request's QR as SVG (scales to any size)",
        errors=(404,),
        media_type="image/svg+xml",
        tag=UPI,
    )
    def qr_svg(self, payment_id: PaymentId) -> Document:
        from backend.adapters.upi.qr import render_svg
        from backend.services.upi import upi_requests

        payment = upi_requests.get_payment(self.ctx, payment_id)
        svg = render_svg(payment["uri"]).encode()
        return Document(f"qr-{payment_id}.svg", "image/svg+xml", svg)

    @operation(
        "GET",
        "/payments/qr-code/{payment_id}/status",
        roles=COUNTER,
        summary="Has it been paid? (asks the PSP when one issued the QR; else from the clock)",
        errors=(404, 503),
        network=True,
        tag=UPI,
    )
    def poll_psp(self, payment_id: PaymentId) -> Payment:
        from backend.services.upi import upi_requests

        return upi_requests.poll_psp(self.ctx, payment_id)  # type: ignore[return-value]

    @operation(
        "GET",
        "/payments/qr-code/{payment_id}",
        roles=COUNTER,
        summary="The request as stored, its status brought up to the clock",
        errors=(404,),
        tag=UPI,
    )
    def get_payment(self, payment_id: PaymentId) -> Payment:
        from backend.services.upi import upi_requests

        return upi_requests.get_payment(self.ctx, payment_id)  # type: ignore[return-value]

    @operation(
        "POST",
        "/payments/qr-code/{payment_id}/cancel",
        roles=COUNTER,
        summary="Withdraw a pending request (money arriving later is kept as `late`)",
        errors=(404, 409),
        tag=UPI,
    )
    def cancel_request(self, payment_id: PaymentId) -> Payment:
        from backend.services.upi import upi_requests

        return upi_requests.cancel_request(self.ctx, payment_id, actor=self.actor)  # type: ignore[return-value]

    @operation(
        "POST",
        "/payments/qr-code/{payment_id}/confirm",
        roles=STAFF_ONLY,
        summary="Confirm a payment with the payer's UTR (one UTR confirms one payment)",
        errors=(404, 409),
        tag=UPI,
    )
    def confirm_with_utr(self, payment_id: PaymentId, utr: Utr) -> Payment:
        from backend.services.upi import upi_requests

        return upi_requests.confirm_with_utr(  # type: ignore[return-value]
            self.ctx, payment_id, utr, actor=self.actor
        )

    @operation(
        "POST",
        "/payments/qr-code/{payment_id}/accept-late",
        roles=STAFF_ONLY,
        summary="Accept money that arrived after the request expired (the plan then starts)",
        errors=(404, 409),
        tag=UPI,
    )
    def accept_late(self, payment_id: PaymentId) -> Payment:
        from backend.services.upi import upi_requests

        return upi_requests.accept_late(self.ctx, payment_id, actor=self.actor)  # type: ignore[return-value]

    @operation(
        "POST",
        "/payments/statements",
        roles=STAFF_ONLY,
        summary="Import a bank statement (CSV text): credits matched to UPI requests",
        description=(
            "The columns are recognised by the header row; `preset` insists on one bank's "
            "layout, `columns` names the columns of any other "
            "(`date=…,narration=…,credit=…,reference=…`)."
        ),
        errors=(409,),
        tag=UPI,
    )
    def import_statement(
        self,
        content: str,
        filename: str = "statement.csv",
        preset: str = "generic",
        columns: str | None = None,
    ) -> dict[str, Any]:
        from backend.services.upi import statements

        return statements.import_statement_text(
            self.ctx,
            content,
            filename=filename,
            preset=preset,
            columns=columns,
            actor=self.actor,
        )

    @operation(
        None,
        None,
        roles=STAFF_ONLY,
        summary="Import a bank statement file (CSV) from this computer",
    )
    def import_statement_file(
        self, path: str, preset: str = "generic", columns: str | None = None
    ) -> dict[str, Any]:
        from backend.services.upi import statements

        return statements.import_statement(
            self.ctx, path, preset=preset, columns=columns, actor=self.actor
        )

    @operation(
        "GET",
        "/payments/reviews",
        roles=STAFF_ONLY,
        summary="Evidence held for a person: statement credits that name no request",
        wrap="reviews",
        tag=UPI,
    )
    def reviews(self) -> list[dict[str, Any]]:
        from backend.services.upi import upi_requests

        return upi_requests.reviews(self.ctx)

    @operation(
        "POST",
        "/payments/reviews/{review_id}/accept",
        roles=STAFF_ONLY,
        summary="Accept held evidence as the payment (its plan starts, a receipt is issued)",
        errors=(404, 409),
        tag=UPI,
    )
    def accept_review(self, review_id: ReviewId) -> Payment:
        from backend.services.upi import upi_requests

        return upi_requests.accept_review(self.ctx, review_id, actor=self.actor)  # type: ignore[return-value]

    @operation(
        "POST",
        "/payments/reviews/{review_id}/reject",
        roles=STAFF_ONLY,
        summary="Reject held evidence: not this request's money (the request stays as it was)",
        errors=(404, 409),
        tag=UPI,
    )
    def reject_review(self, review_id: ReviewId) -> Payment:
        from backend.services.upi import upi_requests

        return upi_requests.reject_review(self.ctx, review_id, actor=self.actor)  # type: ignore[return-value]

    # card -----------------------------------------------------------------------------
    @operation(
        "GET",
        "/payments/card-status",
        roles=COUNTER,
        summary="Can this store take cards now (Stripe configured)?",
        tag=CARD,
    )
    def card_status(self) -> CardStatus:
        from backend.adapters.stripe_gateway import card_status

        return card_status(self.ctx)  # type: ignore[return-value]

    @operation(
        "POST",
        "/payments/create-intent",
        roles=COUNTER,
        summary="A Stripe Checkout Session for a plan; show its `url` to the customer as a QR",
        description="Needs Stripe online: 503 when it cannot be reached or is not configured.",
        status=201,
        errors=(404, 409, 502, 503),
        network=True,
        tag=CARD,
    )
    def start_checkout(
        self, customer_id: CustomerId, tier: TierId, interval: Interval, currency: Currency
    ) -> Payment:
        from backend.services.cards import card_checkout
        from backend.services.shop import customers

        customers.get_customer(self.ctx, customer_id)
        return card_checkout.start_checkout(  # type: ignore[return-value]
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
        "/payments/card/{payment_id}",
        roles=COUNTER,
        summary="A card checkout, refreshed from Stripe (paid, expired...)",
        errors=(404, 502, 503),
        network=True,
        tag=CARD,
    )
    def get_card_payment(self, payment_id: PaymentId) -> Payment:
        from backend.services.cards import card_checkout

        return card_checkout.refresh(self.ctx, payment_id, actor=self.actor)  # type: ignore[return-value]

    @operation(
        "POST",
        "/payments/card/{payment_id}/cancel",
        roles=COUNTER,
        summary="Withdraw a card checkout (a payment arriving later is kept as `late`)",
        errors=(404, 409, 502, 503),
        network=True,
        tag=CARD,
    )
    def cancel_checkout(self, payment_id: PaymentId) -> Payment:
        from backend.services.cards import card_checkout

        return card_checkout.cancel_checkout(self.ctx, payment_id, actor=self.actor)  # type: ignore[return-value]

    @operation(
        "POST",
        "/payments/update-payment-method",
        roles=STAFF_ONLY,
        summary="A Stripe page (show its `url`) where the customer replaces their card",
        description="Stripe makes the new card the default; the sync mirrors it. 409 when the "
        "customer has no Stripe record yet (nothing to update).",
        errors=(404, 409, 502, 503),
        network=True,
        tag=CARD,
    )
    def update_payment_method(self, customer_id: CustomerId) -> dict[str, Any]:
        from backend.services.cards import card_methods

        return card_methods.payment_method_update_link(self.ctx, customer_id, actor=self.actor)

    @operation(
        "GET",
        "/payments/payment-methods",
        roles=STAFF_ONLY,
        summary="The customer's saved cards (from Stripe, or the local copy when offline)",
        errors=(404,),
        network=True,
        tag=CARD,
    )
    def payment_methods(self, customer_id: CustomerId) -> PaymentMethods:
        from backend.services.cards import card_billing

        return card_billing.payment_methods(self.ctx, customer_id)  # type: ignore[return-value]

    @operation(
        "POST",
        "/payments/card/{payment_id}/refund",
        roles=ADMIN_ONLY,
        summary="Refund all or part of a card payment (queued; sent to Stripe when online)",
        errors=(404, 409, 502, 503),
        tag=CARD,
        network=True,  # sent to Stripe at once when online (outbox.send_now)
    )
    def refund(
        self,
        payment_id: PaymentId,
        amount: RefundAmount | None = None,
        currency: Currency | None = None,
        reason: Reason | None = None,
    ) -> dict[str, Any]:
        from backend.domain.money import Money
        from backend.errors import ValidationError
        from backend.services.cards import card_refunds

        money = None
        if amount is not None:
            if currency is None:
                raise ValidationError("Give the currency with the amount.", field="currency")
            money = Money(amount, currency)
        return card_refunds.refund(
            self.ctx, payment_id, amount=money, reason=reason, actor=self.actor
        )

    # lists ----------------------------------------------------------------------------
    @operation(
        "GET",
        "/payments/list",
        roles=COUNTER,
        summary="Payments, newest first, by status, method, dates (UTC days) or customer",
        description=f"A kiosk token gets at most {KIOSK_MAX_ROWS} rows with only "
        f"{', '.join(KIOSK_FIELDS)}.",
        wrap="payments",
        tag="store",
    )
    def list_payments(
        self,
        status: PaymentStatusName | None = None,
        method: PaymentMethodName | None = None,
        date_from: Day | None = None,
        date_to: Day | None = None,
        customer_id: CustomerId | None = None,
        limit: RowLimit = 500,
    ) -> list[dict[str, Any]]:
        from backend.services.payments import payment_queries

        kiosk = self.caller.role == KIOSK
        rows = payment_queries.list_payments(
            self.ctx,
            status=status,
            method=method,
            date_from=date_from,
            date_to=date_to,
            customer_id=None if kiosk else customer_id,
            limit=min(limit, KIOSK_MAX_ROWS) if kiosk else limit,
        )
        if kiosk:
            rows = [{key: row.get(key) for key in KIOSK_FIELDS} for row in rows]
        return rows
