"""A payment's vocabulary: its methods, its statuses, the groups screens ask about, and
the words a person reads for each. Defined once here; screens ask, they never spell a
status themselves (after Electrum's ``invoices.py``).

Beside it, the states of what a payment buys as staff read them on the till: a
subscription (in force or not), a free trial (running or not) and the email of a trial
reminder (sent or not).
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
#: paid on a provider's page (Stripe Checkout, Razorpay's authorisation link): the
#: customer scans its ``url``, and the provider is asked how it stands
PAGE_METHODS = CARD_METHODS | {PaymentMethod.UPI_AUTOPAY}

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
#: an AutoPay sign-up is not a payment yet: the customer approves a mandate first
AUTOPAY_WAITING = "Waiting for the customer to approve the AutoPay mandate in their UPI app…"
#: the words for a method wherever a person reads one: the Payments table and its filter,
#: the Customers tab, receipts and GST invoices
METHOD_LABELS: dict[str, str] = {
    PaymentMethod.UPI_QR: "UPI QR",
    PaymentMethod.UPI_AUTOPAY: "UPI AutoPay",
    PaymentMethod.STRIPE_CHECKOUT: "Card (Stripe)",
    PaymentMethod.STRIPE_TERMINAL: "Card reader",
    PaymentMethod.CARD_ON_FILE: "Card on file",
    # a plan's own method (``subscriptions.method``): how each of its periods is paid
    "upi": "UPI QR",
    "card": "Card (Stripe)",
}


def method_label(method: str | None) -> str:
    """The words for a payment's or a plan's method (the code itself if it has none)."""
    return METHOD_LABELS.get(str(method or ""), str(method or ""))


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


def is_autopay(payment: Mapping[str, Any]) -> bool:
    """A UPI AutoPay payment: a mandate's sign-up (or a debit through one)."""
    return payment.get("method") == PaymentMethod.UPI_AUTOPAY


def pays_on_page(payment: Mapping[str, Any]) -> bool:
    """Paid on a provider's page: the customer scans its ``url`` (else a UPI ``uri``)."""
    return payment.get("method") in PAGE_METHODS


class Outcome(StrEnum):
    """What the customer in front of a screen is shown about a payment."""

    WAITING = "waiting"
    PAID = "paid"
    EXPIRED = "expired"
    #: failed or withdrawn: nothing was charged
    CANCELED = "canceled"


def outcome(payment: Mapping[str, Any]) -> Outcome:
    """``waiting``, ``paid``, ``expired`` or ``canceled`` (a failed or withdrawn payment)."""
    status = status_of(payment)
    if status in OPEN:
        return Outcome.WAITING
    if status in PAID:
        return Outcome.PAID
    if status == S.EXPIRED:
        return Outcome.EXPIRED
    return Outcome.CANCELED


#: ended without money in a way the cashier answers with a new request
RETRYABLE = frozenset({S.EXPIRED, S.FAILED})


def may_retry(payment: Mapping[str, Any]) -> bool:
    """The request expired or failed: the cashier may make a new one for the same sale."""
    return status_of(payment) in RETRYABLE


def may_confirm_with_utr(payment: Mapping[str, Any]) -> bool:
    """Staff may type the payer's UTR for an open or expired UPI QR request."""
    return payment.get("method") == PaymentMethod.UPI_QR and status_of(payment) in (
        S.PENDING,
        S.EXPIRED,
    )


def taken_by_stripe(payment: Mapping[str, Any]) -> bool:
    """A card payment, or a UPI AutoPay one Stripe debited (it has a PaymentIntent):
    Stripe can give its money back."""
    return is_card(payment) or (
        payment.get("method") == PaymentMethod.UPI_AUTOPAY
        and payment.get("psp") in (None, "stripe")
        and bool(payment.get("stripe_payment_intent_id"))
    )


def may_refund(payment: Mapping[str, Any]) -> bool:
    """A paid payment Stripe took with money left to give back."""
    left = int(payment.get("amount") or 0) - int(payment.get("refunded_amount") or 0)
    return taken_by_stripe(payment) and status_of(payment) in (S.SUCCEEDED, S.LATE) and left > 0


def label(payment: Mapping[str, Any]) -> str:
    return LABELS.get(status_of(payment), status_of(payment))


def explanation(payment: Mapping[str, Any]) -> str:
    if is_autopay(payment) and is_open(payment):
        return AUTOPAY_WAITING
    return EXPLANATIONS.get(status_of(payment), status_of(payment))


def reference(payment: Mapping[str, Any]) -> str:
    """What a cashier quotes to find the money: the bank's UTR once known, else the UPI
    bill reference, a UPI AutoPay mandate's id, the payment provider's own id (a
    Razorpay subscription or payment) or the Stripe Checkout session."""
    mandate = payment.get("mandate") or {}
    return str(
        payment.get("utr")
        or payment.get("tr")
        or payment.get("mandate_id")
        or mandate.get("id")
        or payment.get("psp_ref")
        or payment.get("session_id")
        or ""
    )


# -- what a payment buys, as staff read it on the till -----------------------------------
class SubscriptionStatus(StrEnum):
    TRIALING = "trialing"
    ACTIVE = "active"
    PAST_DUE = "past_due"
    CANCELED = "canceled"
    INCOMPLETE = "incomplete"


#: a plan in force: it can be upgraded, downgraded or cancelled
LIVE_SUBSCRIPTIONS = frozenset(
    {SubscriptionStatus.TRIALING, SubscriptionStatus.ACTIVE, SubscriptionStatus.PAST_DUE}
)
SUBSCRIPTION_LABELS: dict[str, str] = {
    SubscriptionStatus.TRIALING: "in its card trial",
    SubscriptionStatus.ACTIVE: "active",
    SubscriptionStatus.PAST_DUE: "past due",
    SubscriptionStatus.CANCELED: "cancelled",
    SubscriptionStatus.INCOMPLETE: "incomplete",
}


def is_live(subscription: Mapping[str, Any]) -> bool:
    """The plan is in force (its plan can be changed or cancelled)."""
    return subscription.get("status") in LIVE_SUBSCRIPTIONS


def subscription_label(subscription: Mapping[str, Any]) -> str:
    status = str(subscription.get("status") or "")
    return SUBSCRIPTION_LABELS.get(status, status.replace("_", " "))


class TrialStatus(StrEnum):
    ACTIVE = "active"
    EXPIRED = "expired"
    CONVERTED = "converted"


def trial_running(trial: Mapping[str, Any]) -> bool:
    """The free trial is still on (its days and credits can be used)."""
    return trial.get("status") == TrialStatus.ACTIVE


#: a customer's standing for usage (``usage_summary``'s ``plan_status``) when a plan is
#: in force; any other value is the reason usage is refused (``trial_expired``...)
PLAN_IN_FORCE = "active"


def plan_refusal(usage: Mapping[str, Any]) -> str:
    """Why the customer's usage is refused, in words (``""`` while a plan is in force)."""
    standing = str(usage.get("plan_status") or PLAN_IN_FORCE)
    return "" if standing == PLAN_IN_FORCE else standing.replace("_", " ")


#: a trial reminder's email, as staff read it in the reminders list
REMINDER_EMAIL_LABELS: dict[str, str] = {
    "pending": "to send",
    "sending": "sending",
    "sent": "sent",
    "failed": "failed",
    "skipped": "no email",
    "unknown": "may not have gone out",
}


def reminder_email_label(reminder: Mapping[str, Any]) -> str:
    status = str(reminder.get("email_status") or "")
    return REMINDER_EMAIL_LABELS.get(status, status)
