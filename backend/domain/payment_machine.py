"""The life of a payment: the one state machine every method follows.

A payment moves only by an :class:`Event`; :func:`next_status` says where an event takes
it from where it is, or refuses. The services apply events through one writer
(:mod:`backend.services.payments.payment_events`), which stores the new status and the
event's row in the same transaction; nothing else writes a payment's status.

Money is applied automatically only on proof: a PSP's signed word, Stripe's, a UTR typed
by staff, or a bank statement line naming the request's ``tr`` and its exact amount.
Weaker evidence is *held* (the status does not move) for a person to accept or reject.
"""

from __future__ import annotations

from enum import StrEnum

from backend.domain.payments import PaymentStatus as S
from backend.errors import StateError


class Event(StrEnum):
    """What can happen to a payment. The values are the kinds its history records."""

    #: a request or checkout was made (its first status: pending)
    CREATED = "created"
    #: proof that the money arrived in time (PSP, UTR, statement, Stripe's session)
    PAID = "succeeded"
    #: proof of money that arrived after the request expired or was withdrawn: kept
    PAID_LATE = "late"
    #: staff accepted late money (or confirmed it themselves): the plan starts
    LATE_ACCEPTED = "late_accepted"
    #: the provider took a different amount than asked: the money is kept as late (or,
    #: on a paid payment, recorded for a refund) for a person to settle
    WRONG_AMOUNT = "needs_review"
    #: evidence that is not proof (a UTR and an amount only): held for a person
    HELD_FOR_REVIEW = "held_for_review"
    #: staff accepted held evidence as this payment's money
    REVIEW_ACCEPTED = "review_accepted"
    #: staff rejected held evidence (not this payment's money)
    REVIEW_REJECTED = "review_rejected"
    #: the card was declined; in Stripe Checkout the customer may try another card
    CARD_DECLINED = "card_declined"
    #: its time ran out (computed from the clock; a card session expired at Stripe)
    EXPIRED = "expired"
    #: withdrawn by staff, by the customer, or replaced by a new request
    CANCELED = "canceled"
    #: could not be started (Stripe refused the checkout)
    FAILED = "failed"
    #: the rest of the money given back
    REFUNDED = "refunded"
    #: part of the money given back (the payment stays paid)
    PARTLY_REFUNDED = "partly_refunded"
    #: Stripe collected money by itself (a renewal, a proration): born paid
    COLLECTED = "collected"
    #: Stripe tried to collect and could not: born failed
    NOT_COLLECTED = "not_collected"


E = Event
#: (status now, event) -> status after; what is not here is refused
TRANSITIONS: dict[tuple[str, Event], str] = {
    (S.PENDING, E.PAID): S.SUCCEEDED,
    (S.PENDING, E.PAID_LATE): S.LATE,
    (S.PENDING, E.LATE_ACCEPTED): S.SUCCEEDED,
    (S.PENDING, E.HELD_FOR_REVIEW): S.PENDING,
    (S.PENDING, E.REVIEW_ACCEPTED): S.SUCCEEDED,
    (S.PENDING, E.REVIEW_REJECTED): S.PENDING,
    (S.PENDING, E.CARD_DECLINED): S.PENDING,
    (S.PENDING, E.EXPIRED): S.EXPIRED,
    (S.PENDING, E.CANCELED): S.CANCELED,
    (S.PENDING, E.FAILED): S.FAILED,
    # stored expired only because nobody had paid when it was read: money proven to have
    # arrived in time is simply paid
    (S.EXPIRED, E.PAID): S.SUCCEEDED,
    # after its time: money is kept, as late (or accepted at once when staff confirm it)
    (S.EXPIRED, E.PAID_LATE): S.LATE,
    (S.EXPIRED, E.LATE_ACCEPTED): S.SUCCEEDED,
    (S.EXPIRED, E.HELD_FOR_REVIEW): S.EXPIRED,
    (S.EXPIRED, E.REVIEW_ACCEPTED): S.SUCCEEDED,
    (S.EXPIRED, E.REVIEW_REJECTED): S.EXPIRED,
    (S.EXPIRED, E.CARD_DECLINED): S.EXPIRED,
    (S.CANCELED, E.PAID_LATE): S.LATE,
    (S.CANCELED, E.LATE_ACCEPTED): S.SUCCEEDED,
    (S.CANCELED, E.HELD_FOR_REVIEW): S.CANCELED,
    (S.CANCELED, E.REVIEW_ACCEPTED): S.SUCCEEDED,
    (S.CANCELED, E.REVIEW_REJECTED): S.CANCELED,
    (S.CANCELED, E.CARD_DECLINED): S.CANCELED,
    (S.PENDING, E.WRONG_AMOUNT): S.LATE,
    (S.EXPIRED, E.WRONG_AMOUNT): S.LATE,
    (S.CANCELED, E.WRONG_AMOUNT): S.LATE,
    (S.LATE, E.WRONG_AMOUNT): S.LATE,
    (S.SUCCEEDED, E.WRONG_AMOUNT): S.SUCCEEDED,
    (S.REFUNDED, E.WRONG_AMOUNT): S.REFUNDED,
    (S.FAILED, E.PAID_LATE): S.LATE,
    (S.FAILED, E.LATE_ACCEPTED): S.SUCCEEDED,
    # money kept and flagged, waiting for a person
    (S.LATE, E.LATE_ACCEPTED): S.SUCCEEDED,
    (S.LATE, E.HELD_FOR_REVIEW): S.LATE,
    (S.LATE, E.REFUNDED): S.REFUNDED,
    (S.LATE, E.PARTLY_REFUNDED): S.LATE,
    # paid: a second payment's evidence is recorded for a refund, never applied again
    (S.SUCCEEDED, E.HELD_FOR_REVIEW): S.SUCCEEDED,
    (S.SUCCEEDED, E.REVIEW_REJECTED): S.SUCCEEDED,
    (S.SUCCEEDED, E.PARTLY_REFUNDED): S.SUCCEEDED,
    (S.SUCCEEDED, E.REFUNDED): S.REFUNDED,
    (S.REFUNDED, E.HELD_FOR_REVIEW): S.REFUNDED,
    (S.REFUNDED, E.REVIEW_REJECTED): S.REFUNDED,
}

#: how a payment may begin
INITIAL: dict[Event, str] = {
    E.CREATED: S.PENDING,
    E.COLLECTED: S.SUCCEEDED,
    E.NOT_COLLECTED: S.FAILED,
}

#: events that take money in (each may happen once per payment)
MONEY_IN = frozenset({E.PAID, E.PAID_LATE, E.COLLECTED, E.LATE_ACCEPTED})


def initial_status(event: Event) -> str:
    try:
        return INITIAL[event]
    except KeyError:
        raise StateError(f"A payment cannot begin with {event.value!r}.") from None


def next_status(status: str, event: Event) -> str:
    """Where ``event`` takes a payment that is ``status``; StateError if it may not."""
    try:
        return TRANSITIONS[(status, event)]
    except KeyError:
        raise StateError(_refusal(status, event)) from None


def may(status: str, event: Event) -> bool:
    return (status, event) in TRANSITIONS


def _refusal(status: str, event: Event) -> str:
    if event in MONEY_IN and status in (S.SUCCEEDED, S.REFUNDED, S.LATE):
        return "This payment was already paid; a second payment for it needs a refund."
    if event is E.CANCELED:
        return f"This payment is {status}; only a pending one can be cancelled."
    if event is E.LATE_ACCEPTED:
        return f"This payment is {status}, not a late payment."
    if event in (E.REFUNDED, E.PARTLY_REFUNDED):
        return f"This payment is {status}; only a paid one can be refunded."
    return f"A {status} payment cannot be {event.value.replace('_', ' ')}."
