from decimal import Decimal

import pytest

from backend.domain.money import Money, format_money, parse_amount
from backend.errors import ValidationError


@pytest.mark.parametrize(
    ("typed", "currency", "minor"),
    [
        ("799", "INR", 79900),
        ("₹7,999.00", "INR", 799900),
        ("1,23,456.5", "INR", 12345650),
        ("$1,234.56", "USD", 123456),
        ("0.01", "usd", 1),
        (Decimal("9.99"), "USD", 999),
        (42, "INR", 4200),
    ],
)
def test_parse_amount_reads_what_people_type(typed, currency, minor):
    assert parse_amount(typed, currency) == Money(minor, currency.upper())


@pytest.mark.parametrize(
    ("typed", "words"),
    [
        ("", "Enter an amount"),
        ("abc", "not an amount"),
        ("NaN", "not an amount"),
        ("Infinity", "not an amount"),
        ("-5", "negative"),
        ("1.234", "at most 2 decimals"),
        ("1e12", "not an amount"),  # exponent notation is not how money is typed
        ("1e3", "not an amount"),  # (it used to read as ₹1,000.00)
        ("1_000", "not an amount"),
        ("99999999999", "too large"),
    ],
)
def test_parse_amount_refuses_with_a_clear_message(typed, words):
    with pytest.raises(ValidationError, match=words):
        parse_amount(typed, "INR")


def test_unknown_currency_is_refused():
    with pytest.raises(ValidationError, match="Unknown currency"):
        parse_amount("1", "EUR")


@pytest.mark.parametrize(
    ("money", "text"),
    [
        (Money(12345600, "INR"), "₹1,23,456.00"),
        (Money(1000000000, "INR"), "₹1,00,00,000.00"),
        (Money(99900, "INR"), "₹999.00"),
        (Money(123456, "USD"), "$1,234.56"),
        (Money(5, "USD"), "$0.05"),
        (Money(-250, "USD"), "-$2.50"),
        (Money(0, "INR"), "₹0.00"),
    ],
)
def test_format_money(money, text):
    assert format_money(money) == text


def test_money_refuses_floats_and_mixing():
    with pytest.raises(TypeError):
        Money(9.99, "USD")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="cannot mix"):
        Money(1, "USD") + Money(1, "INR")
