"""A payment's vocabulary: its methods, its statuses, the groups screens ask about, and
the words a person reads for each. Defined once here; screens ask, they never spell a
status themselves (after Electrum's ``invoices.py``).
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any


class PaymentStatus(StrEnum):
    PENDING = "pending"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    EXPIRED = "expired"
    CANCELED = "canceled"
    REFUNDED = "refunded"
    #: paid after the request expired or was cancelled: kept and flagged for staff
    LATE = "late"


class PaymentMethod(StrEnum):
    UPI_QR = "upi_qr"
    UPI_AUTOPAY = "upi_autopay"
    STRIPE_CHECKOUT = "stripe_checkout"
    STRIPE_TERMINAL = "stripe_terminal"
    CARD_ON_FILE = "card_on_file"


S = PaymentStatus
#: the money arrived (a late payment too: it is kept, never lost)
PAID = frozenset({S.SUCCEEDED, S.LATE})
#: the customer can still pay it
OPEN = frozenset({S.PENDING})
#: nothing more will happen to it by itself
FINISHED = frozenset(set(S) - OPEN)
#: ended without money: withdrawn or refused
STOPPED = frozenset({S.CANCELED, S.FAILED})
#: money that counts as revenue (a refund is subtracted by amount)
REVENUE = frozenset({S.SUCCEEDED, S.REFUNDED})
#: paid payments a receipt or GST invoice is issued for (late money once staff accept it)
INVOICED = frozenset({S.SUCCEEDED, S.REFUNDED})

UPI_METHODS = frozenset({PaymentMethod.UPI_QR, PaymentMethod.UPI_AUTOPAY})
CARD_METHODS = frozenset(
    {PaymentMethod.STRIPE_CHECKOUT, PaymentMethod.STRIPE_TERMINAL, PaymentMethod.CARD_ON_FILE}
)

#: one or two words, for tables and filters
LABELS: dict[str, str] = {
    S.PENDING: "Pending",
    S.SUCCEEDED: "Paid",
    S.FAILED: "Failed",
    S.EXPIRED: "Expired",
    S.CANCELED: "Cancelled",
    S.REFUNDED: "Refunded",
    S.LATE: "Paid late ⚑",
}
#: a sentence for the cashier's waiting screen
EXPLANATIONS: dict[str, str] = {
    S.PENDING: "Waiting for the customer to pay…",
    S.SUCCEEDED: "Paid",
    S.LATE: "Paid after the QR expired (kept and flagged for a manager)",
    S.EXPIRED: "The QR has expired. Nothing was charged.",
    S.CANCELED: "Cancelled",
    S.FAILED: "The payment failed. Nothing was charged.",
    S.REFUNDED: "Refunded",
}
METHOD_LABELS: dict[str, str] = {
    PaymentMethod.UPI_QR: "UPI QR",
    PaymentMethod.UPI_AUTOPAY: "UPI AutoPay",
    PaymentMethod.STRIPE_CHECKOUT: "Card (Stripe)",
    PaymentMethod.STRIPE_TERMINAL: "Card reader",
    PaymentMethod.CARD_ON_FILE: "Card on file",
}


def status_of(payment: Mapping[str, Any]) -> str:
    return str(payment.get("status") or S.PENDING)


def is_paid(payment: Mapping[str, Any]) -> bool:
    return status_of(payment) in PAID


def is_open(payment: Mapping[str, Any]) -> bool:
    return status_of(payment) in OPEN


def is_finished(payment: Mapping[str, Any]) -> bool:
    return status_of(payment) in FINISHED


def is_late(payment: Mapping[str, Any]) -> bool:
    return status_of(payment) == S.LATE


def is_card(payment: Mapping[str, Any]) -> bool:
    return payment.get("method") in CARD_METHODS


def is_upi(payment: Mapping[str, Any]) -> bool:
    return payment.get("method") in UPI_METHODS


def outcome(payment: Mapping[str, Any]) -> str:
    """What the customer in front of a screen is shown: ``waiting``, ``paid``,
    ``expired`` or ``canceled`` (a failed or withdrawn payment)."""
    status = status_of(payment)
    if status in OPEN:
        return "waiting"
    if status in PAID:
        return "paid"
    if status == S.EXPIRED:
        return "expired"
    return "canceled"


def may_confirm_with_utr(payment: Mapping[str, Any]) -> bool:
    """Staff may type the payer's UTR for an open or expired UPI QR request."""
    return payment.get("method") == PaymentMethod.UPI_QR and status_of(payment) in (
        S.PENDING,
        S.EXPIRED,
    )


def may_refund(payment: Mapping[str, Any]) -> bool:
    """A paid card payment with money left to give back."""
    left = int(payment.get("amount") or 0) - int(payment.get("refunded_amount") or 0)
    return is_card(payment) and status_of(payment) in (S.SUCCEEDED, S.LATE) and left > 0


def label(payment: Mapping[str, Any]) -> str:
    return LABELS.get(status_of(payment), status_of(payment))


def explanation(payment: Mapping[str, Any]) -> str:
    return EXPLANATIONS.get(status_of(payment), status_of(payment))
