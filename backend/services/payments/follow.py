"""A payment in front of a customer, whatever its method: its status now, and
withdrawing it. The one place that knows a card checkout is refreshed from Stripe, a
PSP-issued QR from the PSP, a UPI AutoPay sign-up from its provider, and any other UPI
request from the store and the clock."""

from __future__ import annotations

from typing import Any

from backend.context import Context
from backend.domain.payments import CARD_METHODS, PaymentMethod
from backend.errors import NotFound

AUTOPAY = PaymentMethod.UPI_AUTOPAY


def method_of(ctx: Context, payment_id: str) -> str:
    method = ctx.store.scalar("SELECT method FROM payments WHERE id=?", (payment_id,))
    if method is None:
        raise NotFound(f"There is no payment {payment_id}.")
    return str(method)


def status_now(ctx: Context, payment_id: str, *, actor: str) -> dict[str, Any]:
    """The payment as it stands now (may ask Stripe or the PSP: call off the GUI thread)."""
    from backend.services.cards import card_checkout
    from backend.services.upi import upi_requests

    method = method_of(ctx, payment_id)
    if method == AUTOPAY:
        from backend.services.autopay import sales

        return sales.status(ctx, payment_id, actor=actor)
    if method in CARD_METHODS:
        return card_checkout.refresh(ctx, payment_id, actor=actor)
    return upi_requests.poll_psp(ctx, payment_id)


def withdraw(ctx: Context, payment_id: str, *, actor: str) -> dict[str, Any]:
    """Cancel a pending payment of any method (a card session is expired at Stripe)."""
    from backend.services.cards import card_checkout
    from backend.services.upi import upi_requests

    method = method_of(ctx, payment_id)
    if method == AUTOPAY:
        from backend.services.autopay import sales

        return sales.withdraw(ctx, payment_id, actor=actor)
    if method in CARD_METHODS:
        return card_checkout.cancel_checkout(ctx, payment_id, actor=actor)
    return upi_requests.cancel_request(ctx, payment_id, actor=actor)
