"""Billing periods, trial ends and reminder dates: pure date maths, no clock, no database.

Known examples (month ends, leap years, yearly periods) and properties (periods always
move forward, counting from the anchor never drifts beyond month-end clamping).
"""

from __future__ import annotations

import calendar
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from backend.domain.periods import (
    add_interval,
    count_periods,
    next_prepaid_period,
    period_bought,
    seconds_between,
    seconds_left,
    uncredited_prepaid,
)
from backend.domain.renewals import (
    RENEWAL_REMINDER_DAYS,
    TRIAL_REMINDER_STAGES,
    days_left,
    reminder_times,
    stages_reached,
    trial_end,
)
from backend.errors import ValidationError

DAY = timedelta(days=1)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


#: stored times: aware UTC, second precision, this century and the next
moments = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2199, 12, 31), timezones=st.just(UTC)
).map(lambda d: d.replace(microsecond=0))
intervals = st.sampled_from(["month", "year"])
counts = st.integers(min_value=1, max_value=120)


def months_apart(a: datetime, b: datetime) -> int:
    return (b.year * 12 + b.month) - (a.year * 12 + a.month)


# --- known examples ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "interval", "count", "end"),
    [
        (utc(2027, 1, 31, 9), "month", 1, utc(2027, 2, 28, 9)),  # clamped to February's end
        (utc(2028, 1, 31, 9), "month", 1, utc(2028, 2, 29, 9)),  # leap year
        (utc(2027, 1, 31, 9), "month", 2, utc(2027, 3, 31, 9)),  # from the anchor: no drift
        (utc(2027, 3, 31), "month", 1, utc(2027, 4, 30)),
        (utc(2026, 12, 31), "month", 1, utc(2027, 1, 31)),  # across the year's end
        (utc(2027, 1, 31, 9), "month", -1, utc(2026, 12, 31, 9)),
        (utc(2026, 11, 26, 10), "month", 1, utc(2026, 12, 26, 10)),
        (utc(2026, 11, 26, 10), "year", 1, utc(2027, 11, 26, 10)),
        (utc(2028, 2, 29), "year", 1, utc(2029, 2, 28)),  # 29 Feb, then a common year
        (utc(2028, 2, 29), "year", 4, utc(2032, 2, 29)),  # four years on: a leap year again
        (utc(2027, 3, 1), "year", 1, utc(2028, 3, 1)),  # a yearly period with 29 Feb: 366 days
    ],
)
def test_add_interval(start, interval, count, end):
    assert add_interval(start, interval, count) == end


def test_a_yearly_period_over_a_leap_day_is_366_days():
    assert add_interval(utc(2027, 3, 1), "year") - utc(2027, 3, 1) == timedelta(days=366)
    assert add_interval(utc(2026, 3, 1), "year") - utc(2026, 3, 1) == timedelta(days=365)


def test_renewing_period_by_period_drifts_after_a_short_month():
    # 31 Jan -> 28 Feb -> 28 Mar when each period starts at the last one's (clamped) end;
    # counting from the anchor gives 31 Mar. Renewals roll period by period.
    start = utc(2027, 1, 31, 9)
    assert add_interval(add_interval(start, "month"), "month") == utc(2027, 3, 28, 9)
    assert add_interval(start, "month", 2) == utc(2027, 3, 31, 9)


def test_add_interval_refuses_an_unknown_interval():
    with pytest.raises(ValidationError, match="month or year"):
        add_interval(utc(2027, 1, 1), "week")


def test_period_bought_by_a_new_or_late_payment_starts_at_the_payment():
    paid = utc(2026, 11, 26, 10)
    assert period_bought(paid, "month") == (paid, utc(2026, 12, 26, 10))
    late = utc(2026, 11, 20)  # the paid time ran out before the payment
    assert period_bought(paid, "month", late) == (paid, utc(2026, 12, 26, 10))


def test_an_early_renewal_starts_where_the_paid_time_ends():
    paid, end = utc(2026, 11, 26, 10), utc(2026, 11, 30, 8)
    assert period_bought(paid, "month", end) == (end, utc(2026, 12, 30, 8))
    assert period_bought(paid, "year", end) == (end, utc(2027, 11, 30, 8))


def test_next_prepaid_period_never_runs_past_what_was_paid():
    end = utc(2027, 1, 31)
    assert next_prepaid_period(end, "month", utc(2027, 6, 1)) == (end, utc(2027, 2, 28))
    assert next_prepaid_period(end, "month", utc(2027, 2, 10)) == (end, utc(2027, 2, 10))


def test_count_periods():
    start = utc(2027, 1, 31)
    assert count_periods(start, start, "month") == 0
    assert count_periods(start, utc(2027, 1, 1), "month") == 0
    assert count_periods(start, utc(2027, 2, 28), "month") == 1
    assert count_periods(start, utc(2027, 2, 28, 0, 0, 1), "month") == 2  # a part counts whole
    assert count_periods(start, utc(2027, 3, 28), "month") == 2  # stepped: 28 Feb, 28 Mar
    assert count_periods(start, utc(2029, 1, 31), "year") == 2


def test_seconds():
    start = utc(2027, 1, 31)
    assert seconds_between(start, utc(2027, 2, 28)) == 28 * 86400
    assert seconds_between(utc(2027, 2, 28), start) == -28 * 86400
    assert seconds_left(utc(2027, 2, 28), start) == 28 * 86400
    assert seconds_left(start, utc(2027, 2, 28)) == 0


def test_uncredited_prepaid_time():
    end, prepaid = utc(2026, 12, 26), utc(2027, 1, 26)
    assert uncredited_prepaid(end, None, None) == timedelta(0)
    assert uncredited_prepaid(end, prepaid, None) == timedelta(days=31)  # nothing credited
    assert uncredited_prepaid(end, prepaid, prepaid) == timedelta(0)  # all credited
    assert uncredited_prepaid(end, prepaid, utc(2027, 1, 6)) == timedelta(days=20)
    assert uncredited_prepaid(end, prepaid, utc(2027, 2, 1)) == timedelta(0)  # never negative


def test_trial_end_and_days_left():
    start = utc(2026, 11, 26, 10)
    ends = trial_end(start, 30)
    assert ends == utc(2026, 12, 26, 10)
    assert days_left(ends, start) == 30
    assert days_left(ends, ends - timedelta(seconds=1)) == 1  # any part of a day counts
    assert days_left(ends, ends - DAY) == 1
    assert days_left(ends, ends - DAY - timedelta(seconds=1)) == 2
    assert days_left(ends, ends) == 0
    assert days_left(ends, ends + DAY) == 0


def test_renewal_reminders_are_7_3_and_1_days_before():
    due = utc(2026, 12, 26, 10)
    assert RENEWAL_REMINDER_DAYS == (7, 3, 1)
    assert reminder_times(due) == [
        utc(2026, 12, 19, 10),
        utc(2026, 12, 23, 10),
        utc(2026, 12, 25, 10),
    ]


def test_trial_reminder_stages_reached():
    ends = utc(2026, 12, 26, 10)
    assert stages_reached(ends, ends - 8 * DAY, TRIAL_REMINDER_STAGES) == []
    assert stages_reached(ends, ends - 7 * DAY, TRIAL_REMINDER_STAGES) == ["7d"]
    assert stages_reached(ends, ends - 2 * DAY, TRIAL_REMINDER_STAGES) == ["7d", "3d"]
    assert stages_reached(ends, ends, TRIAL_REMINDER_STAGES) == ["7d", "3d", "1d", "expired"]


# --- properties -------------------------------------------------------------------------


@given(moments, intervals, counts)
def test_a_period_ends_after_it_starts(start, interval, count):
    end = add_interval(start, interval, count)
    assert end > start
    assert add_interval(start, interval, -count) < start


@given(moments, counts)
def test_n_months_from_the_anchor_only_clamp_never_drift(start, n):
    end = add_interval(start, "month", n)
    assert months_apart(start, end) == n
    last_day = calendar.monthrange(end.year, end.month)[1]
    assert end.day == min(start.day, last_day)
    assert (end.hour, end.minute, end.second, end.tzinfo) == (
        start.hour,
        start.minute,
        start.second,
        start.tzinfo,
    )


@given(moments, counts)
def test_stepping_one_month_at_a_time_stays_in_the_anchored_month_never_later(start, n):
    stepped = start
    for _ in range(n):
        stepped = add_interval(stepped, "month")
    anchored = add_interval(start, "month", n)
    assert (stepped.year, stepped.month) == (anchored.year, anchored.month)
    assert stepped.day <= anchored.day


@given(moments, st.integers(min_value=-50, max_value=50))
def test_a_year_is_twelve_months(start, n):
    assert add_interval(start, "year", n) == add_interval(start, "month", 12 * n)


@given(moments)
def test_a_month_is_28_to_31_days_and_a_year_365_or_366(start):
    assert 28 * DAY <= add_interval(start, "month") - start <= 31 * DAY
    assert add_interval(start, "year") - start in (365 * DAY, 366 * DAY)


@given(moments, intervals, st.one_of(st.none(), moments))
def test_a_payment_buys_one_whole_period_never_before_the_payment(paid, interval, paid_to):
    start, end = period_bought(paid, interval, paid_to)
    assert start >= paid
    assert start == (paid_to if paid_to is not None and paid_to > paid else paid)
    assert end == add_interval(start, interval) > start


@given(moments, intervals, st.integers(min_value=0, max_value=40 * 366 * 86400))
def test_count_periods_covers_until_and_no_more(start, interval, seconds):
    until = start + timedelta(seconds=seconds)
    n = count_periods(start, until, interval)
    edges = [start]
    for _ in range(n):
        edges.append(add_interval(edges[-1], interval))
    assert edges[-1] >= until  # the periods counted reach ``until``
    assert n == 0 or edges[-2] < until  # and each of them starts before it


@given(moments, moments)
def test_days_left_is_the_ceiling_of_the_time_left(ends, now):
    left = days_left(ends, now)
    assert isinstance(left, int)
    if ends <= now:
        assert left == 0
    else:
        assert (left - 1) * DAY < ends - now <= left * DAY


@given(moments, moments)
def test_reminder_stages_come_in_order(ends, now):
    reached = stages_reached(ends, now, TRIAL_REMINDER_STAGES)
    assert reached == list(TRIAL_REMINDER_STAGES)[: len(reached)]
    later = stages_reached(ends, now + DAY, TRIAL_REMINDER_STAGES)
    assert len(later) >= len(reached)


@given(moments, st.integers(min_value=1, max_value=365))
def test_trial_reminders_fall_inside_the_trial(start, trial_days):
    ends = trial_end(start, trial_days)
    assert days_left(ends, start) == trial_days
    for at in reminder_times(ends, [d for d in RENEWAL_REMINDER_DAYS if d <= trial_days]):
        assert start <= at < ends
