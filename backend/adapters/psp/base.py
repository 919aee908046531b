"""The port every UPI payment service provider implements.

A PSP issues a QR for one payment (its own UPI string, which we show), tells us which
payments arrived on it, closes it, and signs webhooks. Services depend on this
interface only; :mod:`backend.bootstrap` picks the implementation from settings.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from backend.domain.money import Money


@dataclass(frozen=True)
class PspQr:
    """A QR the PSP created: ``uri`` is the exact UPI string to encode."""

    psp: str
    ref: str
    uri: str
    close_by: datetime
    status: str


@dataclass(frozen=True)
class PspPayment:
    """One payment the PSP saw on a QR. ``utr`` is the bank reference (RRN) when known."""

    psp: str
    id: str
    qr_ref: str
    amount: Money
    status: str
    paid_at: datetime
    utr: str | None = None
    payer_vpa: str | None = None
    raw: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def captured(self) -> bool:
        return self.status == "captured"


class PaymentProvider(Protocol):
    name: str

    def create_qr(
        self, *, reference: str, amount: Money, close_by: datetime, description: str
    ) -> PspQr:
        """A single-use, fixed-amount UPI QR that closes itself at ``close_by``."""
        ...

    def fetch_payments(self, qr_ref: str) -> list[PspPayment]:
        """Every payment made on the QR so far."""
        ...

    def close_qr(self, qr_ref: str) -> None:
        """Stop the QR from accepting payments (already closed is fine)."""
        ...

    def parse_webhook(self, raw_body: bytes, signature: str) -> PspPayment | None:
        """Verify the signature (SignatureError if wrong); the credited payment, if any."""
        ...


@dataclass(frozen=True)
class PspSubscription:
    """A recurring UPI AutoPay subscription at the PSP. ``short_url`` is the link the
    customer opens (shown as a QR) to approve the mandate in their UPI app."""

    psp: str
    id: str
    status: str
    plan_id: str | None = None
    short_url: str | None = None
    current_start: datetime | None = None
    current_end: datetime | None = None
    charge_at: datetime | None = None
    paid_count: int = 0
    notes: dict[str, Any] = field(default_factory=dict)
    raw: dict[str, Any] = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class PspSubscriptionEvent:
    """One verified webhook about a subscription (``subscription.charged``...), with the
    payment it carries when a debit was attempted."""

    psp: str
    event: str
    subscription: PspSubscription
    payment: PspPayment | None
    created_at: datetime


class AutopayProvider(Protocol):
    """The PSP side of UPI AutoPay: plans, subscriptions whose authorisation link sets up
    the mandate, cancelling them, and their signed webhooks."""

    name: str

    def create_plan(self, *, interval: str, amount: Money, name: str, description: str) -> str:
        """A plan billed every ``interval`` (month or year) for ``amount``; its id."""
        ...

    def create_subscription(
        self, *, plan_id: str, total_count: int, expire_by: datetime, notes: dict[str, str]
    ) -> PspSubscription:
        """A subscription waiting for the customer to approve its mandate."""
        ...

    def fetch_subscription(self, subscription_id: str) -> PspSubscription: ...

    def cancel_subscription(self, subscription_id: str) -> PspSubscription:
        """Cancel now (the PSP revokes the mandate); already cancelled is fine."""
        ...

    def parse_subscription_webhook(
        self, raw_body: bytes, signature: str
    ) -> PspSubscriptionEvent | None:
        """Verify the signature (SignatureError if wrong); the subscription event, or
        None for any other event."""
        ...
