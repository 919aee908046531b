"""The records that cross layers: what the backend hands to a screen, a program or the
command line. TypedDicts, because the services build them as dicts from SQL rows and
every front end reads them by key; the types say which keys there are.

Each record lists the keys every front end may rely on; a service may add more (the REST
API passes them through). Money is an integer of minor units beside its ``currency`` and,
where a person reads it, its ``amount_text``; times are ISO 8601 UTC text.
"""

from dataclasses import dataclass
from typing import Any, NotRequired, TypedDict


class Price(TypedDict):
    currency: str
    interval: str
    amount: int
    amount_text: str


class Tier(TypedDict):
    """A plan as sold now (only the prices and plans the shop offers)."""

    id: str
    name: str
    recommended: bool
    contact_sales: bool
    trial_days: int | None
    features: list[str]
    prices: list[Price]
    limits: dict[str, int | None]


class Pricing(TypedDict):
    tiers: list[Tier]
    currencies: list[str]
    intervals: list[str]


class Customer(TypedDict):
    id: int
    name: str
    email: str | None
    phone: str | None
    state: str | None
    created_at: str


class StaffMember(TypedDict):
    id: int
    name: str
    role: str


class Trial(TypedDict):
    customer: int
    status: str
    started_at: str
    ends_at: str
    credits: NotRequired[int | None]
    credits_left: NotRequired[int | None]


class Payment(TypedDict):
    """A payment of any method; ``uri`` (UPI) or ``url`` (card page) is what the
    customer scans."""

    id: str
    method: str
    status: str
    amount: int
    currency: str
    amount_text: str
    expires_at: str | None
    tier: str | None
    interval: str | None
    receipt_no: str | None
    customer_id: NotRequired[int]
    uri: NotRequired[str]
    url: NotRequired[str | None]
    paid_at: NotRequired[str | None]


class Subscription(TypedDict):
    id: int
    customer_id: int
    tier: str
    interval: str
    currency: str
    amount: int
    method: str
    status: str
    current_period_end: str | None


class PlanChange(TypedDict):
    """A plan sold or changed: who bills it, the plan now, and anything left to pay."""

    method: str
    subscription: NotRequired[Subscription | None]
    payment: NotRequired[dict[str, Any] | None]


class ProrationPreview(TypedDict):
    method: str
    tier: str
    interval: str
    amount: int
    currency: str
    amount_text: str


class MandateTerms(TypedDict):
    """A UPI AutoPay mandate as the customer reads it before approving it (and on the
    receipt): debits of up to ``amount`` per ``interval`` until ``end_date``; ``text``
    says it in one line. Once approved it also has its ``id`` and ``status``."""

    amount: int
    currency: str
    amount_text: str
    amount_type: str
    interval: str
    frequency: str
    end_date: str
    description: str
    pin_each_debit: bool
    text: str
    id: NotRequired[str | None]
    status: NotRequired[str | None]
    provider: NotRequired[str | None]


class AutopayOffer(TypedDict):
    """Can this plan be sold with UPI AutoPay here now (``reason`` when not), and the
    mandate the customer would approve."""

    tier: str
    tier_name: str
    interval: str
    currency: str
    amount: int | None
    amount_text: str | None
    provider: str
    enabled: bool
    reason: str
    mandate: MandateTerms | None


class AutopaySale(TypedDict):
    """A UPI AutoPay sign-up: ``url`` is what the customer scans (Stripe's page or
    Razorpay's authorisation link); ``mandate`` the terms they approve."""

    id: str
    url: str | None
    status: str
    mandate: MandateTerms | None
    method: str
    provider: str
    customer_id: int
    amount: int
    currency: str
    amount_text: str
    tier: str | None
    interval: str | None
    expires_at: str | None
    subscription_id: int | None
    subscription_status: str | None
    receipt_no: str | None
    paid_at: str | None


class CardStatus(TypedDict):
    configured: bool
    reason: str | None


class SyncState(TypedDict):
    online: bool | None
    waiting: int
    failed: int


class UsageAnswer(TypedDict):
    allowed: bool
    reason: str | None
    credits_left: int | None
    event_id: str


class EventRefusal(TypedDict):
    """Why one event of a batch was refused: the error's stable ``code`` and its words."""

    code: str
    message: str
    field: NotRequired[str | None]


class UsageResult(TypedDict):
    """One event's answer in a batch: as :class:`UsageAnswer`, or ``error`` when the event
    itself was refused (malformed, no such customer, its id reused for something else)."""

    event_id: str | None
    allowed: NotRequired[bool]
    reason: NotRequired[str | None]
    credits_left: NotRequired[int | None]
    error: NotRequired[EventRefusal]


class UsageSummary(TypedDict):
    customer: int
    tier: str | None
    workflows_used: int
    workflows_limit: int | None
    agents_running: int
    agents_limit: int | None
    credits_left: int


class SaleMethod(TypedDict):
    """One way to pay for a sale, and why it cannot be used now (``reason``)."""

    method: str
    label: str
    enabled: bool
    reason: str


class EditableSetting(TypedDict):
    section: str
    key: str
    label: str
    kind: str
    value: bool | int | str
    locked_by: str | None


class EditableSettings(TypedDict):
    path: str | None
    fields: list[EditableSetting]


class PaymentMethods(TypedDict):
    payment_methods: list[dict[str, Any]]
    offline: bool


class PaymentMethodLink(TypedDict):
    customer_id: int
    url: str


class History(TypedDict):
    payments: list[dict[str, Any]]
    refunds: list[dict[str, Any]]
    invoices: list[dict[str, Any]]


class InvoiceList(TypedDict):
    customer_id: int
    invoices: list[dict[str, Any]]
    stripe_invoices: list[dict[str, Any]]
    offline: bool


class Health(TypedDict):
    status: str
    time: str


@dataclass(frozen=True)
class Document:
    """A file a front end saves, prints, mails or serves: a PDF invoice, a QR image."""

    name: str
    media_type: str
    content: bytes


class PaymentChange(TypedDict):
    """One change of one payment: what happened (``kind``) and where it stands now."""

    event_id: int
    payment_id: str
    kind: str
    status: str
    method: str
    terminal: str | None
    at: str
