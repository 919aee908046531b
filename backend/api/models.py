"""Request bodies and response shapes of the API (pydantic).

Requests forbid unknown fields and bound every value, so bad input is a clear 422 and
never reaches SQLite as, say, an integer too large for a column. Responses document
the main fields and allow more, because they are the service functions' own dicts.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import Path, Query
from pydantic import BaseModel, ConfigDict, Field, StrictBool

MAX_ID = 2**53  # larger numbers cannot be stored or sent as JSON numbers safely
CustomerId = Annotated[int, Field(gt=0, lt=MAX_ID, description="Customer number")]
CustomerIdQuery = Annotated[int, Query(gt=0, lt=MAX_ID, description="Customer number")]
CustomerIdPath = Annotated[int, Path(gt=0, lt=MAX_ID, description="Customer number")]
TierId = Annotated[
    str, Field(pattern=r"^[a-z][a-z0-9_]{0,31}$", description="Plan id, e.g. `student`")
]
Interval = Literal["month", "year"]
Currency = Literal["INR", "USD"]
PaymentId = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]


class Request(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Open(BaseModel):
    """A response object: the listed fields, and possibly more."""

    model_config = ConfigDict(extra="allow")


class Price(Open):
    currency: str
    interval: str
    amount: int = Field(description="Minor units (paise, cents)")
    amount_text: str


class TierOut(Open):
    id: str
    name: str
    recommended: bool
    contact_sales: bool
    trial_days: int | None
    features: list[str]
    prices: list[Price]
    limits: dict[str, int | None]


class Pricing(Open):
    tiers: list[TierOut]
    currencies: list[str]
    intervals: list[str]


class Health(Open):
    status: str
    time: str


class CreateCustomer(Request):
    name: str = Field(min_length=1, max_length=100)
    email: str | None = Field(default=None, max_length=254)
    phone: str | None = Field(default=None, max_length=32)
    state: str | None = Field(default=None, max_length=64)


class Customer(Open):
    id: int
    name: str
    email: str | None
    phone: str | None
    state: str | None
    created_at: str


class CustomerList(Open):
    customers: list[Customer]


class CustomerRef(Request):
    customer_id: CustomerId


class TrialOut(Open):
    customer: int
    status: str
    started_at: str
    ends_at: str
    credits: int | None = None
    credits_left: int | None = None


class TrialStatus(Open):
    customer_id: int
    trial: TrialOut | None = Field(description="null if the customer never had a trial")


class UsageReport(Request):
    """One thing AUTOOS wants to do for a customer, with AUTOOS's own event id."""

    customer_id: CustomerId
    kind: Literal["workflow", "agent_start", "agent_stop"]
    event_id: str = Field(
        min_length=1,
        max_length=200,
        pattern=r"^[\x20-\x7e]+$",
        description="AUTOOS's id for this event; sending it again returns the first answer",
    )


class UsageAnswer(Open):
    allowed: bool
    reason: str | None = Field(
        description="Why not: no_credits, monthly_limit, agent_limit, trial_expired, no_plan"
    )
    credits_left: int | None = Field(description="null when the plan is not credit-based")


class UsageSummary(Open):
    customer: int
    tier: str | None
    workflows_used: int
    workflows_limit: int | None
    agents_running: int
    agents_limit: int | None
    credits_left: int


class QrCodeRequest(Request):
    customer_id: CustomerId
    tier: TierId
    interval: Interval
    purpose: Literal["new", "renewal", "upgrade"] | None = Field(
        default=None, description="Worked out when omitted; `upgrade` charges the proration"
    )
    checkout_id: str | None = Field(
        default=None,
        max_length=64,
        pattern=r"^[A-Za-z0-9_-]+$",
        description="The till's checkout: a new request for it cancels its pending one",
    )


class UtrConfirmation(Request):
    utr: str = Field(min_length=1, max_length=32, description="The payer's 12-digit UPI UTR")


class UpiPayment(Open):
    id: str
    customer_id: int
    uri: str = Field(description="The exact text encoded in the QR (upi://pay?...)")
    amount: int
    currency: str
    amount_text: str
    status: str = Field(description="pending, succeeded, expired, canceled, failed or late")
    expires_at: str | None
    tier: str | None
    interval: str | None
    paid_at: str | None
    receipt_no: str | None


class WebhookResult(Open):
    """What a provider's webhook delivery did (applied once; a repeat changes nothing)."""


class PlanChoice(Request):
    customer_id: CustomerId
    tier: TierId
    interval: Interval


class CardCheckoutRequest(PlanChoice):
    currency: Currency


class SubscribeRequest(PlanChoice):
    currency: Currency = "INR"
    method: Literal["upi", "card"]
    trial_days: int | None = Field(
        default=None, ge=1, le=90, description="Card only: a card-billed trial, no card needed"
    )
    checkout_id: str | None = Field(default=None, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")


class UpgradeRequest(PlanChoice):
    proration_date: int | None = Field(
        default=None,
        ge=0,
        lt=2**40,
        description="Card: the preview's proration_date, so the charge is the one shown",
    )
    checkout_id: str | None = Field(default=None, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")


class PeriodEnd(Request):
    at_period_end: bool = Field(
        default=True, description="true: at the end of the paid period; false: now"
    )


class CancelRequest(PeriodEnd):
    customer_id: CustomerId


class CardPayment(Open):
    id: str
    url: str | None = Field(description="Stripe's payment page: show it as a QR")
    status: str
    expires_at: str | None
    amount: int
    currency: str
    amount_text: str


class CardStatus(Open):
    configured: bool
    reason: str | None


class SubscriptionOut(Open):
    id: int
    customer_id: int
    tier: str
    interval: str
    currency: str
    amount: int
    method: str
    status: str
    current_period_end: str | None


class PlanChange(Open):
    method: str = Field(description="upi or card: who bills the plan")
    subscription: SubscriptionOut | None = None
    payment: dict | None = Field(
        default=None, description="A UPI request or card checkout to pay, if any"
    )


class CurrentSubscription(Open):
    customer_id: int
    subscription: SubscriptionOut | None


class ProrationPreview(Open):
    method: str
    tier: str
    interval: str
    amount: int = Field(description="What the upgrade costs now, minor units")
    currency: str
    amount_text: str


class PaymentMethods(Open):
    payment_methods: list[dict]
    offline: bool


class UpdatePaymentMethod(Request):
    customer_id: CustomerId


class PaymentMethodLink(Open):
    customer_id: int
    url: str = Field(description="Stripe's page for the new card: show it as a QR or link")


class History(Open):
    payments: list[dict]
    refunds: list[dict]
    invoices: list[dict]


class InvoiceList(Open):
    customer_id: int
    invoices: list[dict] = Field(description="Receipts and GST invoices for paid payments")
    stripe_invoices: list[dict]
    offline: bool


class PinLogin(Request):
    name: str = Field(min_length=1, max_length=100)
    pin: str = Field(min_length=1, max_length=16)


class NewStaff(Request):
    name: str = Field(min_length=1, max_length=100)
    role: Literal["staff", "admin"]
    pin: str = Field(min_length=4, max_length=8)


class StaffOut(Open):
    id: int
    name: str
    role: str


class StaffList(Open):
    staff: list[StaffOut]


SettingKey = Annotated[str, Field(min_length=1, max_length=40)]
SettingValue = (
    StrictBool
    | Annotated[int, Field(ge=-(2**31), le=2**31)]
    | Annotated[str, Field(max_length=300)]
)


class SettingsChanges(Request):
    """Only the settings to change, by section; each value is checked like the GUI's."""

    shop: dict[SettingKey, SettingValue] | None = None
    upi: dict[SettingKey, SettingValue] | None = None
    features: dict[SettingKey, SettingValue] | None = None
    mail: dict[SettingKey, SettingValue] | None = None
    ui: dict[SettingKey, SettingValue] | None = None


class EditableSetting(Open):
    section: str
    key: str
    label: str
    kind: str
    value: bool | int | str
    locked_by: str | None = Field(description="The environment variable that sets it, if any")


class EditableSettings(Open):
    path: str | None = Field(description="The settings file changes are saved to")
    fields: list[EditableSetting]


class RefundRequest(Request):
    amount: int | None = Field(
        default=None, gt=0, lt=10**12, description="Minor units; omit to refund what is left"
    )
    currency: Currency | None = None
    reason: str | None = Field(default=None, max_length=200)


class EmailInvoice(Request):
    to: str | None = Field(default=None, max_length=254, description="Default: the customer")


class SubscriptionChange(Request):
    tier: TierId
    interval: Interval


class CardUpgrade(SubscriptionChange):
    proration_date: int | None = Field(default=None, ge=0, lt=2**40)


class SyncState(Open):
    online: bool | None = Field(description="null until the first contact with Stripe")
    waiting: int
    failed: int
