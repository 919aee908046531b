"""UPI AutoPay: the rules of a recurring UPI mandate, written once (pure).

A mandate is what the customer approves once in their UPI app: *up to* an amount, at a
frequency (the plan's interval), until an end date. Later debits happen by themselves
within those terms; the provider sends the RBI pre-debit notification 24 hours before
each, and a debit above ₹15,000 needs the customer's UPI PIN each time.

The shop's choices (docs/decisions.md, "UPI AutoPay"):

- the mandate is a **maximum** (``amount_type = "maximum"``): the plan's price with one
  step of headroom — the next plan up at the same interval (the plan's own price for the
  top plan) — so an upgrade by one step is charged within it; a bigger jump, or a change
  of interval (the mandate's frequency), needs a new mandate;
- it ends **five years** after it is set up (a new mandate is needed after that);
- a renewal that fails leaves the plan working for a **grace period of 7 days** from
  the failed renewal (``past_due``); after that the plan lapses until it is paid.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from backend.clock import IST, to_iso
from backend.domain.catalog import Tier
from backend.domain.money import Money, format_money
from backend.domain.periods import add_interval
from backend.errors import Conflict, ValidationError

METHOD = "upi_autopay"
PROVIDERS = ("stripe", "razorpay")
#: a mandate is set up for this many years
MANDATE_YEARS = 5
#: a past-due plan keeps working this long after the renewal failed
GRACE = timedelta(days=7)
#: RBI: a recurring debit above ₹15,000 needs the customer's PIN each time (paise)
PIN_EACH_DEBIT_ABOVE = 15_000_00
#: the customer has this long to approve the mandate in their UPI app (Razorpay's
#: authorisation link; Stripe Checkout's page has its own expiry setting)
APPROVE_WITHIN = timedelta(minutes=30)
AMOUNT_TYPES = ("fixed", "maximum")
FREQUENCY_WORDS = {"month": "per month", "year": "per year"}


@dataclass(frozen=True)
class MandateTerms:
    """What the customer approves: debits of up to ``amount`` (or exactly, when
    ``amount_type`` is fixed) per ``interval``, until ``end_date``."""

    amount: int
    currency: str
    amount_type: str
    interval: str
    end_date: datetime
    description: str

    @property
    def money(self) -> Money:
        return Money(self.amount, self.currency)

    @property
    def pin_each_debit(self) -> bool:
        return self.amount > PIN_EACH_DEBIT_ABOVE

    def text(self) -> str:
        """``up to ₹7,999.00 per month until 26 Nov 2031`` (the end date in India)."""
        amount = format_money(self.money)
        lead = f"up to {amount}" if self.amount_type == "maximum" else amount
        until = self.end_date.astimezone(IST).strftime("%d %b %Y")
        return f"{lead} {FREQUENCY_WORDS.get(self.interval, 'each period')} until {until}"

    def to_json(self) -> dict[str, Any]:
        return {
            "amount": self.amount,
            "currency": self.currency,
            "amount_text": format_money(self.money),
            "amount_type": self.amount_type,
            "interval": self.interval,
            "frequency": FREQUENCY_WORDS.get(self.interval, self.interval),
            "end_date": to_iso(self.end_date),
            "description": self.description,
            "pin_each_debit": self.pin_each_debit,
            "text": self.text(),
        }


def terms_from_json(data: dict[str, Any]) -> MandateTerms:
    from backend.clock import parse_iso

    return MandateTerms(
        amount=int(data["amount"]),
        currency=str(data.get("currency") or "INR"),
        amount_type=str(data.get("amount_type") or "maximum"),
        interval=str(data["interval"]),
        end_date=parse_iso(str(data["end_date"])),
        description=str(data.get("description") or ""),
    )


def receipt_line(terms: dict[str, Any] | None) -> str:
    """The line printed on an AutoPay payment's receipt ("" when it has no mandate)."""
    if not terms or not terms.get("text"):
        return ""
    return f"UPI AutoPay mandate: {terms['text']}"


def headroom_price(tiers: Iterable[Tier], tier: Tier, interval: str) -> Money:
    """The mandate's maximum for ``tier``: the price of the next purchasable plan up at
    the same interval in rupees, or the plan's own price for the top plan."""
    own = tier.price("INR", interval)
    higher = [
        t for t in tiers if t.order > tier.order and t.purchasable and ("INR", interval) in t.prices
    ]
    if not higher:
        return own
    nxt = min(higher, key=lambda t: t.order)
    return max(own, nxt.price("INR", interval), key=lambda m: m.amount)


def mandate_terms(
    tiers: Iterable[Tier], tier: Tier, interval: str, start: datetime
) -> MandateTerms:
    """The mandate a new AutoPay plan asks the customer to approve."""
    check_sellable(tier, "INR", interval)
    maximum = headroom_price(tiers, tier, interval)
    return MandateTerms(
        amount=maximum.amount,
        currency="INR",
        amount_type="maximum",
        interval=interval,
        end_date=add_interval(start, "year", MANDATE_YEARS),
        description=f"AUTOOS {tier.name} plan, {interval}ly"[:200],
    )


def check_sellable(tier: Tier, currency: str, interval: str) -> Money:
    """Refuse what cannot renew by UPI AutoPay; the price per period if it can."""
    if not tier.purchasable or tier.is_trial:
        raise ValidationError(
            f"{tier.name} cannot be sold with UPI AutoPay: "
            + ("it has a custom price; contact sales." if tier.contact_sales else "no price."),
            field="tier",
        )
    if currency.upper() != "INR":
        raise ValidationError(
            "UPI AutoPay takes rupees only: choose the ₹ INR price.", field="currency"
        )
    if interval not in FREQUENCY_WORDS:
        raise ValidationError("Choose monthly or yearly billing.", field="interval")
    return tier.price("INR", interval)


def check_change(
    terms: MandateTerms | None, *, new_price: Money, interval: str, now: datetime
) -> None:
    """A plan change billed through the mandate must fit in it: the same frequency, a
    new price per period within the maximum, and a mandate still running. Conflict
    (with what to do) otherwise."""
    if terms is None:
        raise Conflict("This AutoPay plan has no mandate on record; start a new mandate.")
    if interval != terms.interval:
        raise Conflict(
            f"The UPI AutoPay mandate is {FREQUENCY_WORDS[terms.interval]}; changing to "
            f"{interval}ly billing needs a new mandate: cancel this plan and start AutoPay "
            "again for the new plan."
        )
    if new_price.amount > terms.amount:
        raise Conflict(
            f"The new plan costs {format_money(new_price)} "
            f"{FREQUENCY_WORDS.get(interval, '')}, above the UPI AutoPay mandate's maximum of "
            f"{format_money(terms.money)}: the customer must approve a new mandate "
            "(cancel this plan and start AutoPay again for the new plan)."
        )
    if terms.end_date <= now:
        raise Conflict("The UPI AutoPay mandate has ended; the customer must approve a new one.")


def grace_until(past_due_since: datetime) -> datetime:
    return past_due_since + GRACE


def lapsed(past_due_since: datetime | None, now: datetime) -> bool:
    """A past-due plan has lapsed once its grace period is over."""
    return past_due_since is not None and now >= grace_until(past_due_since)


def total_count(interval: str) -> int:
    """How many debits a Razorpay subscription allows over the mandate's life."""
    return MANDATE_YEARS * (12 if interval == "month" else 1)
