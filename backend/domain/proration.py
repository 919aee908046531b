"""Proration of UPI plan upgrades, in integer minor units (docs/decisions.md).

The unused part of the current period is worth ``price × remaining_seconds /
period_seconds``. An upgrade in the same interval costs the price difference for the
remaining time and keeps the period's end; an upgrade to another interval (monthly to
yearly) costs the new price minus the unused value and minus any period already paid in
advance, and starts a new period now.

Rounding: every proportional amount is **rounded down** (floor) to the paisa/cent, so
the customer never pays a fraction of a paisa more; the used part is what is left of the
price, so used + unused is always the whole price. What is asked for is at least
:data:`MIN_UPGRADE_CHARGE`. Seconds and amounts are ints; nothing here is a float.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from backend.domain.money import Money
from backend.domain.periods import add_interval, count_periods, seconds_between, seconds_left

#: the least an upgrade asks for, in minor units (₹1.00): a smaller UPI request is not
#: worth the customer's time, and a negative one would be a refund
MIN_UPGRADE_CHARGE = 100


def prorate(amount: int, part_seconds: int, period_seconds: int) -> int:
    """``amount × part / period``, rounded down (floor, also for a negative amount)."""
    if period_seconds <= 0:
        raise ValueError("a period lasts a positive number of seconds")
    return amount * part_seconds // period_seconds


def split_period(price: int, remaining_seconds: int, period_seconds: int) -> tuple[int, int]:
    """``(used, unused)`` value of a period ``price`` with ``remaining_seconds`` left.

    The unused value (a credit) is rounded down; the used value takes the remainder, so
    the two always add up to ``price`` exactly and no paisa is lost or invented.
    """
    unused = prorate(price, remaining_seconds, period_seconds)
    return price - unused, unused


def unused_value(price: int, remaining_seconds: int, period_seconds: int) -> int:
    """What is left of a period paid ``price``, rounded down (the credit on upgrade)."""
    return split_period(price, remaining_seconds, period_seconds)[1]


def prepaid_credit(price: int, paid_from: datetime, paid_until: datetime, interval: str) -> int:
    """What periods paid in advance cost, ``price`` each: the periods from ``paid_from``
    (the current period's end) to ``paid_until``, stepped one interval at a time as they
    would have been rolled, a partial last one counted whole (it was paid whole)."""
    return price * count_periods(paid_from, paid_until, interval)


@dataclass(frozen=True)
class UpgradeQuote:
    """What an upgrade costs now, and the period it buys."""

    charge: Money  #: what to ask for, at least the minimum
    unused_value: Money  #: the rest of the current period at the old price, rounded down
    prepaid_credit: Money  #: periods paid in advance (credited on an interval change only)
    remaining_seconds: int
    period_seconds: int
    new_period_start: datetime
    new_period_end: datetime
    below_minimum: bool  #: the computed charge was under the minimum and was raised to it


def quote_upgrade(
    *,
    old_price: Money,
    new_price: Money,
    from_interval: str,
    to_interval: str,
    period_start: datetime,
    period_end: datetime,
    now: datetime,
    prepaid: Money | None = None,
    minimum: int = MIN_UPGRADE_CHARGE,
) -> UpgradeQuote:
    """Quote an upgrade made at ``now`` from a period ``period_start``..``period_end``
    paid ``old_price`` to a plan costing ``new_price`` per ``to_interval``.

    The period is the one as paid (31 Jan → 28 Feb is 28 days, not 31). Same interval:
    ``(new − old) × remaining / period``, rounded down, and the period end stays. Other
    interval: ``new − unused − prepaid``, a new period from ``now``. Either way at least
    ``minimum``; ``below_minimum`` tells the caller it was raised (a prepaid customer
    whose credit covers the new price should renew instead).
    """
    credit = prepaid if prepaid is not None else Money(0, old_price.currency)
    if not old_price.currency == new_price.currency == credit.currency:
        raise ValueError("an upgrade is quoted in one currency")
    period_s = seconds_between(period_start, period_end)
    remaining_s = seconds_left(period_end, now)
    unused = unused_value(old_price.amount, remaining_s, period_s)
    if to_interval == from_interval:
        charge = prorate(new_price.amount - old_price.amount, remaining_s, period_s)
        new_start, new_end = now, period_end
    else:
        charge = new_price.amount - unused - credit.amount
        new_start, new_end = now, add_interval(now, to_interval)
    currency = new_price.currency
    return UpgradeQuote(
        charge=Money(max(charge, minimum), currency),
        unused_value=Money(unused, currency),
        prepaid_credit=Money(credit.amount, currency),
        remaining_seconds=remaining_s,
        period_seconds=period_s,
        new_period_start=new_start,
        new_period_end=new_end,
        below_minimum=charge < minimum,
    )
