"""The rules of a UPI AutoPay mandate (pure): its terms, what fits in it, the grace
period, and the line on the receipt."""

from __future__ import annotations

from datetime import timedelta

import pytest

from backend.clock import parse_iso
from backend.domain import autopay
from backend.domain.catalog import load_catalog
from backend.domain.money import Money
from backend.errors import Conflict, ValidationError

CATALOG = load_catalog()
START = parse_iso("2026-11-26T10:00:00Z")


def terms(tier: str, interval: str = "month") -> autopay.MandateTerms:
    return autopay.mandate_terms(CATALOG, CATALOG.get(tier), interval, START)


def test_the_maximum_leaves_one_plan_step_of_headroom():
    assert terms("student").amount == CATALOG.get("employee").price("INR", "month").amount
    assert terms("employee").amount == CATALOG.get("professional").price("INR", "month").amount
    top = CATALOG.get("professional").price("INR", "year").amount
    assert terms("professional", "year").amount == top  # nothing above: its own price
    assert {terms(t).amount_type for t in ("student", "employee")} == {"maximum"}


def test_the_mandate_ends_five_years_on_and_reads_in_one_line():
    student = terms("student")
    assert student.end_date == parse_iso("2031-11-26T10:00:00Z")
    assert student.text() == "up to ₹2,399.00 per month until 26 Nov 2031"
    assert student.to_json()["frequency"] == "per month"
    assert autopay.receipt_line(student.to_json()) == (
        "UPI AutoPay mandate: up to ₹2,399.00 per month until 26 Nov 2031"
    )
    assert autopay.receipt_line(None) == ""
    again = autopay.terms_from_json(student.to_json())
    assert again == student


def test_a_debit_above_15000_rupees_needs_the_pin_each_time():
    assert terms("student", "year").pin_each_debit is True  # up to ₹23,999 a year
    assert terms("student").pin_each_debit is False


@pytest.mark.parametrize(
    ("tier", "currency", "interval", "words"),
    [
        ("enterprise", "INR", "month", "custom price"),
        ("student", "USD", "month", "rupees only"),
        ("student", "INR", "week", "monthly or yearly"),
        ("free_trial", "INR", "month", "cannot be sold"),
    ],
)
def test_what_cannot_renew_by_autopay(tier, currency, interval, words):
    with pytest.raises(ValidationError, match=words):
        autopay.check_sellable(CATALOG.get(tier), currency, interval)


def test_a_change_must_fit_in_the_mandate():
    student = terms("student")
    employee = CATALOG.get("employee").price("INR", "month")
    autopay.check_change(student, new_price=employee, interval="month", now=START)  # fits
    professional = CATALOG.get("professional").price("INR", "month")
    with pytest.raises(Conflict, match="above the UPI AutoPay mandate's maximum"):
        autopay.check_change(student, new_price=professional, interval="month", now=START)
    with pytest.raises(Conflict, match="needs a new mandate"):
        autopay.check_change(student, new_price=Money(100, "INR"), interval="year", now=START)
    later = student.end_date + timedelta(days=1)
    with pytest.raises(Conflict, match="has ended"):
        autopay.check_change(student, new_price=employee, interval="month", now=later)
    with pytest.raises(Conflict, match="no mandate"):
        autopay.check_change(None, new_price=employee, interval="month", now=START)


def test_the_grace_period_is_seven_days_from_the_failed_renewal():
    failed = parse_iso("2027-01-26T10:00:00Z")
    assert autopay.grace_until(failed) == parse_iso("2027-02-02T10:00:00Z")
    assert autopay.lapsed(failed, failed + timedelta(days=7) - timedelta(seconds=1)) is False
    assert autopay.lapsed(failed, failed + timedelta(days=7)) is True
    assert autopay.lapsed(None, failed) is False


def test_razorpay_debits_over_the_mandate_life():
    assert autopay.total_count("month") == 60
    assert autopay.total_count("year") == 5
