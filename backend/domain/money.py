"""Money as integer minor units plus an ISO 4217 code; never a float.

People type amounts; :func:`parse_amount` reads them with :class:`~decimal.Decimal` and
refuses anything a till should not accept. :func:`format_money` writes amounts the way a
customer reads them (INR with lakh grouping: ``₹1,23,456.00``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from backend.errors import ValidationError

#: currency -> (symbol, number of decimals). Only currencies the shop sells in.
CURRENCIES: dict[str, tuple[str, int]] = {
    "INR": ("₹", 2),
    "USD": ("$", 2),
}

#: what a typed amount may look like once symbols, grouping and spaces are gone
TYPED_AMOUNT = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)")

#: Largest amount accepted anywhere, in major units (a till never takes a crore at once).
MAX_MAJOR = Decimal("10000000")


def check_currency(code: str) -> str:
    """Return the upper-cased code, or refuse a currency the shop does not sell in."""
    upper = (code or "").strip().upper()
    if upper not in CURRENCIES:
        known = ", ".join(sorted(CURRENCIES))
        raise ValidationError(f"Unknown currency {code!r}: use one of {known}.", field="currency")
    return upper


def exponent(currency: str) -> int:
    return CURRENCIES[check_currency(currency)][1]


@dataclass(frozen=True, order=True)
class Money:
    """An amount in minor units (paise, cents) of one currency."""

    amount: int
    currency: str

    def __post_init__(self) -> None:
        if isinstance(self.amount, bool) or not isinstance(self.amount, int):
            raise TypeError("Money.amount must be an int of minor units")
        object.__setattr__(self, "currency", check_currency(self.currency))

    def __add__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount - other.amount, self.currency)

    def _same(self, other: Money) -> None:
        if other.currency != self.currency:
            raise ValueError(f"cannot mix {self.currency} and {other.currency}")

    @property
    def major(self) -> Decimal:
        """The amount in major units, exact."""
        return Decimal(self.amount).scaleb(-exponent(self.currency))

    def decimal_string(self) -> str:
        """``1234.50`` — exactly the currency's decimals, no grouping (UPI ``am``, CSV)."""
        places = exponent(self.currency)
        return f"{self.major:.{places}f}"

    def format(self) -> str:
        return format_money(self)

    def to_json(self) -> dict[str, object]:
        return {"amount": self.amount, "currency": self.currency}


def parse_amount(text: str | int | Decimal, currency: str) -> Money:
    """Read an amount typed by a person (``"799"``, ``"₹7,999.00"``, ``"1,23,456.5"``).

    Refuses, with a message a cashier understands: empty text, letters, NaN/infinity,
    negatives, more decimals than the currency has, and absurd sizes.
    """
    currency = check_currency(currency)
    symbol, places = CURRENCIES[currency]
    if isinstance(text, bool):
        raise ValidationError("Enter an amount such as 799.00.", field="amount")
    if isinstance(text, int | Decimal):
        raw = format(text, "f") if isinstance(text, Decimal) and text.is_finite() else str(text)
    else:
        raw = str(text).strip().replace(symbol, "").replace(currency, "").replace(",", "")
        raw = raw.replace(" ", "").replace("\u00a0", "")
    if not raw:
        raise ValidationError("Enter an amount such as 799.00.", field="amount")
    try:
        if not TYPED_AMOUNT.fullmatch(raw):  # Decimal alone takes 1e3 and 1_000
            raise InvalidOperation
        value = Decimal(raw)
    except InvalidOperation:
        raise ValidationError(
            f"{text!s} is not an amount: use digits and at most one decimal point.",
            field="amount",
        ) from None
    if not value.is_finite():
        raise ValidationError(f"{text!s} is not an amount.", field="amount")
    if value.is_signed() and value != 0:
        raise ValidationError("The amount cannot be negative.", field="amount")
    exp = value.as_tuple().exponent
    if isinstance(exp, int) and -exp > places:
        raise ValidationError(
            f"{currency} amounts have at most {places} decimals; {text!s} has more.",
            field="amount",
        )
    if value > MAX_MAJOR:
        raise ValidationError(
            f"{text!s} is too large: the most this till accepts at once is "
            f"{format_money(Money(int(MAX_MAJOR.scaleb(places)), currency))}.",
            field="amount",
        )
    return Money(int(value.scaleb(places)), currency)


def _group_lakh(digits: str) -> str:
    """Indian grouping: last three digits, then pairs (12,34,567)."""
    if len(digits) <= 3:
        return digits
    head, tail = digits[:-3], digits[-3:]
    pairs: list[str] = []
    while len(head) > 2:
        pairs.insert(0, head[-2:])
        head = head[:-2]
    if head:
        pairs.insert(0, head)
    return ",".join([*pairs, tail])


def _group_thousands(digits: str) -> str:
    return f"{int(digits):,}"


def format_money(money: Money, *, symbol: bool = True) -> str:
    """``₹1,23,456.00`` for INR (lakh grouping), ``$1,234.56`` for USD."""
    sym, places = CURRENCIES[money.currency]
    sign = "-" if money.amount < 0 else ""
    whole, frac = divmod(abs(money.amount), 10**places)
    grouper = _group_lakh if money.currency == "INR" else _group_thousands
    text = grouper(str(whole))
    if places:
        text += "." + str(frac).zfill(places)
    return f"{sign}{sym if symbol else ''}{text}"
