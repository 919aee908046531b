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
