"""Upgrade proration in integer minor units: known examples in INR and USD, and properties
(credits stay within the price, used + unused is the whole price, charges are never
negative, everything is an int)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from backend.domain.money import Money
from backend.domain.periods import add_interval
from backend.domain.proration import (
    MIN_UPGRADE_CHARGE,
    prepaid_credit,
    prorate,
    quote_upgrade,
    split_period,
    unused_value,
)

DAY = 86400


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def inr(amount: int) -> Money:
    return Money(amount, "INR")


def usd(amount: int) -> Money:
    return Money(amount, "USD")


# --- known examples ---------------------------------------------------------------------


def test_upgrade_halfway_through_a_month_in_inr():
    # Student ₹799/mo -> Employee ₹2,399/mo on 16 Nov of a 1 Nov..1 Dec period (30 days)
    quote = quote_upgrade(
        old_price=inr(79900),
        new_price=inr(239900),
        from_interval="month",
        to_interval="month",
        period_start=utc(2026, 11, 1),
        period_end=utc(2026, 12, 1),
        now=utc(2026, 11, 16),
    )
    assert (quote.remaining_seconds, quote.period_seconds) == (15 * DAY, 30 * DAY)
    assert quote.unused_value == inr(39950)
    assert quote.charge == inr(80000)  # ₹800.00: half the ₹1,600 difference
    assert (quote.new_period_start, quote.new_period_end) == (utc(2026, 11, 16), utc(2026, 12, 1))
    assert not quote.below_minimum


def test_upgrade_halfway_through_a_month_in_usd():
    # $9.99 -> $29.99 at noon on 16 Jan of a 1 Jan..1 Feb period (31 days: 15.5 left)
    quote = quote_upgrade(
        old_price=usd(999),
        new_price=usd(2999),
        from_interval="month",
        to_interval="month",
        period_start=utc(2027, 1, 1),
        period_end=utc(2027, 2, 1),
        now=utc(2027, 1, 16, 12),
    )
    assert quote.charge == usd(1000)
    assert quote.unused_value == usd(499)  # 499.5 cents, rounded down
    assert quote.charge.currency == "USD"


def test_a_third_of_a_period_rounds_down_to_the_paisa():
    # ₹799 × 1/3 = 266.333.. -> ₹266.33
    assert unused_value(79900, 10 * DAY, 30 * DAY) == 26633
    assert split_period(79900, 10 * DAY, 30 * DAY) == (53267, 26633)


def test_the_period_is_the_one_as_paid_31_jan_to_28_feb_is_28_days():
    quote = quote_upgrade(
        old_price=inr(79900),
        new_price=inr(239900),
        from_interval="month",
        to_interval="month",
        period_start=utc(2027, 1, 31),
        period_end=add_interval(utc(2027, 1, 31), "month"),
        now=utc(2027, 2, 14),
    )
    assert (quote.remaining_seconds, quote.period_seconds) == (14 * DAY, 28 * DAY)
    assert quote.charge == inr(80000)


def test_upgrade_to_yearly_credits_the_rest_of_the_month_and_prepaid_periods():
    quote = quote_upgrade(
        old_price=inr(79900),
        new_price=inr(2399900),
        from_interval="month",
        to_interval="year",
        period_start=utc(2026, 11, 1),
        period_end=utc(2026, 12, 1),
        now=utc(2026, 11, 21),
        prepaid=inr(79900),
    )
    assert quote.unused_value == inr(26633)
    assert quote.prepaid_credit == inr(79900)
    assert quote.charge == inr(2399900 - 26633 - 79900)
    assert (quote.new_period_start, quote.new_period_end) == (utc(2026, 11, 21), utc(2027, 11, 21))


def test_a_leap_year_yearly_period_is_366_days():
    start = utc(2027, 3, 1)
    quote = quote_upgrade(
        old_price=inr(799900),
        new_price=inr(2399900),
        from_interval="year",
        to_interval="year",
        period_start=start,
        period_end=add_interval(start, "year"),
        now=start + timedelta(days=183),
    )
    assert quote.period_seconds == 366 * DAY
    assert quote.charge == inr(1600000 * 183 // 366)  # exactly half: ₹8,000.00


def test_a_tiny_charge_is_raised_to_the_minimum():
    quote = quote_upgrade(
        old_price=inr(79900),
        new_price=inr(239900),
        from_interval="month",
        to_interval="month",
        period_start=utc(2026, 11, 1),
        period_end=utc(2026, 12, 1),
        now=utc(2026, 12, 1) - timedelta(seconds=60),
    )
    assert quote.charge == inr(MIN_UPGRADE_CHARGE) == inr(100)
    assert quote.below_minimum


def test_credit_worth_more_than_the_new_price_is_flagged_not_refunded():
    quote = quote_upgrade(
        old_price=inr(79900),
        new_price=inr(799900),
        from_interval="month",
        to_interval="year",
        period_start=utc(2026, 11, 1),
        period_end=utc(2026, 12, 1),
        now=utc(2026, 11, 1),
        prepaid=inr(79900 * 11),
    )
    assert quote.below_minimum
    assert quote.charge == inr(100)


def test_a_period_after_its_end_has_nothing_left():
    assert unused_value(79900, 0, 30 * DAY) == 0
    quote = quote_upgrade(
        old_price=inr(79900),
        new_price=inr(239900),
        from_interval="month",
        to_interval="month",
        period_start=utc(2026, 11, 1),
        period_end=utc(2026, 12, 1),
        now=utc(2026, 12, 5),
    )
    assert (quote.remaining_seconds, quote.unused_value) == (0, inr(0))


def test_prorate_floors_and_refuses_an_empty_period():
    assert prorate(1, 1, 2) == 0
    assert prorate(-1, 1, 2) == -1  # floor, not towards zero (a cheaper "upgrade")
    with pytest.raises(ValueError, match="positive"):
        prorate(79900, 0, 0)


def test_prepaid_credit_counts_periods_as_they_roll():
    end = utc(2027, 1, 31)
    assert prepaid_credit(79900, end, end, "month") == 0
    assert prepaid_credit(79900, end, utc(2027, 2, 28), "month") == 79900
    assert prepaid_credit(79900, end, utc(2027, 3, 28), "month") == 2 * 79900


def test_currencies_are_not_mixed():
    with pytest.raises(ValueError, match="one currency"):
        quote_upgrade(
            old_price=inr(79900),
            new_price=usd(2999),
            from_interval="month",
            to_interval="month",
            period_start=utc(2026, 11, 1),
            period_end=utc(2026, 12, 1),
            now=utc(2026, 11, 16),
        )


# --- properties -------------------------------------------------------------------------

prices = st.integers(min_value=0, max_value=10**9)  # up to ₹1 crore in paise
periods = st.integers(min_value=1, max_value=400 * DAY)


@st.composite
def period_and_remaining(draw):
    period = draw(periods)
    return period, draw(st.integers(min_value=0, max_value=period))


@given(prices, period_and_remaining())
def test_the_credit_is_between_nothing_and_the_full_price(price, pr):
    period, remaining = pr
    unused = unused_value(price, remaining, period)
    assert isinstance(unused, int)
    assert 0 <= unused <= price
    # rounded down: at most one paisa under the exact value, never over it
    assert unused * period <= price * remaining < (unused + 1) * period


@given(prices, period_and_remaining())
def test_used_plus_unused_is_the_whole_price_no_paisa_lost(price, pr):
    period, remaining = pr
    used, unused = split_period(price, remaining, period)
    assert isinstance(used, int)
    assert isinstance(unused, int)
    assert used + unused == price
    assert used >= 0
    assert unused >= 0


@given(prices, periods, st.data())
def test_more_time_left_is_never_worth_less(price, period, data):
    a = data.draw(st.integers(min_value=0, max_value=period))
    b = data.draw(st.integers(min_value=a, max_value=period))
    assert unused_value(price, a, period) <= unused_value(price, b, period)


moments = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2150, 12, 31), timezones=st.just(UTC)
).map(lambda d: d.replace(microsecond=0))


@given(
    old=prices,
    new=prices,
    start=moments,
    from_interval=st.sampled_from(["month", "year"]),
    to_interval=st.sampled_from(["month", "year"]),
    prepaid=st.integers(min_value=0, max_value=10**10),
    currency=st.sampled_from(["INR", "USD"]),
    data=st.data(),
)
def test_an_upgrade_charge_is_never_negative_and_always_an_int(
    old, new, start, from_interval, to_interval, prepaid, currency, data
):
    end = add_interval(start, from_interval)
    now = start + timedelta(seconds=data.draw(st.integers(0, int((end - start).total_seconds()))))
    quote = quote_upgrade(
        old_price=Money(old, currency),
        new_price=Money(new, currency),
        from_interval=from_interval,
        to_interval=to_interval,
        period_start=start,
        period_end=end,
        now=now,
        prepaid=Money(prepaid, currency) if from_interval != to_interval else None,
    )
    for amount in (quote.charge, quote.unused_value, quote.prepaid_credit):
        assert isinstance(amount.amount, int)
        assert amount.currency == currency
    assert quote.charge.amount >= MIN_UPGRADE_CHARGE > 0
    assert 0 <= quote.unused_value.amount <= old
    assert 0 <= quote.remaining_seconds <= quote.period_seconds
    assert quote.new_period_start == now <= quote.new_period_end
    if from_interval == to_interval:
        # the difference for the time left, rounded down: never more than the difference
        assert quote.charge.amount <= max(new - old, MIN_UPGRADE_CHARGE)
        assert quote.new_period_end == end
    else:
        raw = new - quote.unused_value.amount - prepaid
        assert quote.charge.amount == max(raw, MIN_UPGRADE_CHARGE)
        assert quote.below_minimum == (raw < MIN_UPGRADE_CHARGE)
        assert quote.new_period_end == add_interval(now, to_interval)
    if quote.below_minimum:
        assert quote.charge.amount == MIN_UPGRADE_CHARGE


@given(st.integers(min_value=0, max_value=10**7), moments, st.integers(min_value=0, max_value=40))
def test_prepaid_credit_is_whole_periods_of_the_price(price, end, months):
    until = add_interval(end, "month", months)
    credit = prepaid_credit(price, end, until, "month")
    assert isinstance(credit, int)
    if price:
        assert credit % price == 0
    else:
        assert credit == 0
    assert credit >= price * months  # stepping can only lag the anchor: never fewer periods
