"""The argument types of the operations, with their bounds.

The bounds are checked where input arrives from outside the process (the REST API
refuses a bad value with 422 before any service runs, so an integer too large for a
column never reaches the store); the services still check what they mean (a phone
number, a UTR) and say what is wrong in a cashier's words.

A bound is a :class:`Field` here, a plain record the REST layer turns into pydantic's
own: the windows import this module, and pydantic would cost them 50 ms at start-up.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, Literal


@dataclass(frozen=True)
class Field:
    """Bounds and a description for an argument (pydantic's names and meanings)."""

    gt: int | None = None
    ge: int | None = None
    lt: int | None = None
    le: int | None = None
    min_length: int | None = None
    max_length: int | None = None
    pattern: str | None = None
    description: str | None = None

    def options(self) -> dict[str, Any]:
        return {k: v for k, v in vars(self).items() if v is not None}


MAX_ID = 2**53  # larger numbers cannot be stored or sent as JSON numbers safely

CustomerId = Annotated[int, Field(gt=0, lt=MAX_ID, description="Customer number")]
SubscriptionId = Annotated[int, Field(gt=0, lt=MAX_ID, description="Subscription number")]
ReminderId = Annotated[int, Field(gt=0, lt=MAX_ID, description="Reminder number")]
StaffId = Annotated[int, Field(gt=0, lt=MAX_ID, description="Staff member's number")]
ReviewId = Annotated[int, Field(gt=0, lt=MAX_ID, description="Held evidence's number")]
PaymentId = Annotated[
    str,
    Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$", description="Payment id"),
]
TierId = Annotated[
    str, Field(pattern=r"^[a-z][a-z0-9_]{0,31}$", description="Plan id, e.g. `student`")
]
Interval = Literal["month", "year"]
Currency = Literal["INR", "USD"]
CheckoutId = Annotated[
    str,
    Field(
        max_length=64,
        pattern=r"^[A-Za-z0-9_-]+$",
        description="The till's checkout: a new request for it cancels its pending one",
    ),
]
Name = Annotated[str, Field(min_length=1, max_length=100)]
Email = Annotated[str, Field(max_length=254)]
Phone = Annotated[str, Field(max_length=32)]
State = Annotated[str, Field(max_length=64, description="Indian state, for GST")]
Pin = Annotated[str, Field(min_length=1, max_length=16)]
NewPin = Annotated[str, Field(min_length=4, max_length=8, description="4 to 8 digits")]
StaffRole = Literal["staff", "admin"]
Utr = Annotated[str, Field(min_length=1, max_length=32, description="The payer's 12-digit UTR")]
EventId = Annotated[
    str,
    Field(
        min_length=1,
        max_length=200,
        pattern=r"^[\x20-\x7e]+$",
        description="AUTOOS's id for this event; sending it again returns the first answer",
    ),
]
UsageKind = Literal["workflow", "agent_start", "agent_stop"]
#: a batch's events as sent: each is checked on its own (a malformed one is refused in
#: its own answer slot, not with the whole request), so the items are not typed here
UsageEvents = Annotated[
    list[Any],
    Field(
        description="Up to 1,000 events, each `{customer_id, kind, event_id}` as for "
        "`POST /payments/usage`"
    ),
]
Purpose = Literal["new", "renewal", "upgrade"]
SaleMethodName = Literal["upi", "card", "upi_autopay"]
TrialDays = Annotated[
    int, Field(ge=1, le=90, description="Card only: a card-billed trial, no card needed")
]
ProrationDate = Annotated[
    int,
    Field(ge=0, lt=2**40, description="Card: the preview's proration_date, so the charge is shown"),
]
RefundAmount = Annotated[
    int, Field(gt=0, lt=10**12, description="Minor units; omit to refund what is left")
]
Reason = Annotated[str, Field(max_length=200)]
Query = Annotated[str, Field(max_length=254)]
Limit = Annotated[int, Field(ge=1, le=100)]
RowLimit = Annotated[int, Field(ge=1, le=2000)]
Day = Annotated[str, Field(pattern=r"^\d{4}-\d{2}-\d{2}$", description="YYYY-MM-DD (UTC day)")]
PaymentStatusName = Literal[
    "pending", "succeeded", "failed", "expired", "canceled", "refunded", "late"
]
PaymentMethodName = Literal[
    "upi_qr", "upi_autopay", "stripe_checkout", "stripe_terminal", "card_on_file"
]
QrSize = Annotated[int, Field(ge=64, le=4096, description="Width and height in pixels")]
TokenRole = Literal["kiosk", "staff", "admin", "autoos"]
EventNumber = Annotated[int, Field(ge=0, lt=MAX_ID, description="A payment event's number")]
TerminalName = Annotated[
    str, Field(min_length=1, max_length=100, description="A till's, kiosk's or display's name")
]
TokenRef = Annotated[str, Field(min_length=1, max_length=100, description="Number or name")]

SettingKey = Annotated[str, Field(min_length=1, max_length=40)]
SettingValue = (
    bool | Annotated[int, Field(ge=-(2**31), le=2**31)] | Annotated[str, Field(max_length=300)]
)
SettingsSection = dict[SettingKey, SettingValue]
#: ``{"shop": {"gstin": "…"}, …}``: only the settings to change, by section
SettingsChanges = dict[Literal["shop", "upi", "features", "mail", "ui"], SettingsSection]

Row = dict[str, Any]
