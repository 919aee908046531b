"""Build and parse ``upi://pay?…`` URIs (NPCI UPI linking specification).

Building is strict: every field we write is checked, with a message a cashier
understands, so a QR we show never fails in the customer's app. Parsing reads URIs as
banks and PSPs print them: keys in any case (``PA=``, ``Pn=``), ``+`` for a space in a
value (a real plus is ``%2B``; only ``sign``, which is base64 and never holds a space,
keeps a bare ``+``), an empty optional value taken as absent, and every other parameter
kept — ``mode``, ``orgid``, ``sign``, ``url``, ``mam``, ``tid``, ``purpose`` by name, vendor
extras (``invoiceNo``, ``qrMedium``, ``ver``, ``paytmqr``…) in ``extras`` as written. It
stays strict about what matters for money: the payee (``pa``, a VPA), a positive amount,
the currency (INR), the bill reference (``tr``) and a key given twice with two values.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal
from urllib.parse import quote, unquote, unquote_plus, urlsplit

from backend.config import Settings
from backend.domain.money import Money, format_money
from backend.errors import NotConfigured, ValidationError

SCHEME = "upi"
#: longest payee name and note we write (apps truncate or refuse longer ones)
MAX_NAME_LEN = 99
MAX_NOTE_LEN = 80
#: longest a payment request may stay open (a day)
MAX_EXPIRY_MINUTES = 24 * 60
TR_RE = re.compile(r"^[A-Za-z0-9_-]{4,35}$")
VPA_RE = re.compile(r"^[A-Za-z0-9._-]{2,256}@[A-Za-z0-9._-]{2,64}$")
MCC_RE = re.compile(r"^[0-9]{4}$")
AMOUNT_RE = re.compile(r"^[0-9]+(\.[0-9]{1,2})?$")
#: the optional parameters this module knows by name, in the order they are written
KNOWN_OPTIONAL = (
    "mc",
    "tr",
    "tn",
    "am",
    "cu",
    "mode",
    "orgid",
    "sign",
    "url",
    "mam",
    "tid",
    "purpose",
)
#: bytes left as they are when percent-encoding (``@`` keeps VPAs readable in every app)
SAFE_CHARS = "@"
#: apps that accept the same query string under their own scheme
DEEP_LINK_PREFIXES = {
    "phonepe": "phonepe://pay?",
    "gpay": "tez://upi/pay?",
    "paytm": "paytmmp://pay?",
}


@dataclass(frozen=True)
class UpiUri:
    """The parameters of one ``upi://pay`` URI. ``extras`` holds unknown ones, in order."""

    pa: str
    pn: str
    mc: str | None = None
    tr: str | None = None
    tn: str | None = None
    am: str | None = None
    cu: str | None = None
    mode: str | None = None
    orgid: str | None = None
    sign: str | None = None
    url: str | None = None
    mam: str | None = None
    tid: str | None = None
    purpose: str | None = None
    extras: tuple[tuple[str, str], ...] = field(default=())

    @property
    def amount(self) -> Money | None:
        """``am`` as Money (paise); ``None`` when the QR lets the payer choose."""
        if self.am is None:
            return None
        return Money(int(Decimal(self.am).scaleb(2)), "INR")

    def to_uri(self) -> str:
        pairs = [("pa", self.pa), ("pn", self.pn)]
        pairs += [(k, getattr(self, k)) for k in KNOWN_OPTIONAL if getattr(self, k) is not None]
        pairs += list(self.extras)
        return f"{SCHEME}://pay?" + "&".join(f"{k}={_encode(v)}" for k, v in pairs)


def _encode(value: str) -> str:
    return quote(value, safe=SAFE_CHARS, encoding="utf-8")


def check_vpa(vpa: str, what: str = "UPI ID") -> str:
    text = (vpa or "").strip()
    if not VPA_RE.fullmatch(text):
        raise ValidationError(
            f"{what} {vpa!r} is not valid: it looks like name@bank and uses only letters, "
            "digits, '.', '-' and '_'.",
            field="pa",
        )
    return text


def _check_text(value: str, what: str, key: str, max_len: int, *, required: bool) -> str:
    text = unicodedata.normalize("NFC", value or "").strip()
    if not text:
        if required:
            raise ValidationError(f"The {what} cannot be empty.", field=key)
        return text
    if any(unicodedata.category(ch).startswith("C") for ch in text):
        raise ValidationError(f"The {what} contains control characters.", field=key)
    if len(text) > max_len:
        raise ValidationError(
            f"The {what} is {len(text)} characters long; at most {max_len} fit in a UPI QR.",
            field=key,
        )
    return text


def check_payee_name(name: str) -> str:
    return _check_text(name, "payee name", "pn", MAX_NAME_LEN, required=True)


def check_note(note: str) -> str:
    return _check_text(note, "payment note", "tn", MAX_NOTE_LEN, required=False)


def check_tr(tr: str) -> str:
    if not isinstance(tr, str) or not TR_RE.fullmatch(tr):
        raise ValidationError(
            f"The bill reference {tr!r} is not valid: 4 to 35 letters, digits, '-' or '_'.",
            field="tr",
        )
    return tr


def check_mcc(mcc: str) -> str:
    if not isinstance(mcc, str) or not MCC_RE.fullmatch(mcc):
        raise ValidationError(f"The merchant category code {mcc!r} must be 4 digits.", field="mc")
    return mcc


def check_currency(cu: str) -> str:
    if cu != "INR":
        raise ValidationError(f"UPI payments are in INR only, not {cu!r}.", field="cu")
    return cu


def check_amount(amount: Money, max_amount: Money) -> str:
    """The ``am`` text for ``amount``: above zero, INR, not above the per-payment limit."""
    if not isinstance(amount, Money):
        raise ValidationError("The amount must be given in paise (Money).", field="am")
    check_currency(amount.currency)
    if amount.amount <= 0:
        raise ValidationError("The amount must be above ₹0.00.", field="am")
    if amount.amount > max_amount.amount:
        raise ValidationError(
            f"{format_money(amount)} is above the UPI limit of {format_money(max_amount)} "
            "for one payment.",
            field="am",
        )
    return amount.decimal_string()


def _check_am_text(text: str) -> str:
    """Parsing: ``am`` from a printed QR; banks write ``3``, ``3.5`` or ``3.50``."""
    if not AMOUNT_RE.fullmatch(text):
        raise ValidationError(
            f"The amount {text!r} in the QR is not a number like 799.00.", field="am"
        )
    value = Decimal(text)  # the pattern admits only plain decimals
    if value <= 0:
        raise ValidationError("The amount in the QR must be above ₹0.00.", field="am")
    return f"{value:.2f}"


def build_uri(
    *,
    pa: str,
    pn: str,
    amount: Money,
    tr: str,
    max_amount: Money,
    tn: str = "",
    mc: str | None = None,
) -> str:
    """A merchant (dynamic) QR's URI: payee, exact amount in INR, bill reference, note."""
    uri = UpiUri(
        pa=check_vpa(pa),
        pn=check_payee_name(pn),
        mc=check_mcc(mc) if mc else None,
        tr=check_tr(tr),
        tn=check_note(tn) or None,
        am=check_amount(amount, max_amount),
        cu="INR",
    )
    return uri.to_uri()


def parse_uri(text: str) -> UpiUri:
    """Read a ``upi://pay`` URI (from our QR or one printed by a bank or PSP)."""
    if not isinstance(text, str):
        raise ValidationError("A UPI link must be text.")
    raw = text.strip()
    try:
        parts = urlsplit(raw)
    except ValueError:  # e.g. an unbalanced "[" taken for an IPv6 host
        raise ValidationError(
            "This is not a UPI payment link (it must start with upi://pay?)."
        ) from None
    if parts.scheme.lower() != SCHEME or (parts.netloc or parts.path.strip("/")).lower() != "pay":
        raise ValidationError("This is not a UPI payment link (it must start with upi://pay?).")
    values: dict[str, str] = {}
    extras: list[tuple[str, str]] = []
    given: dict[str, str] = {}  # key as compared (lower case) -> value
    for chunk in parts.query.split("&"):
        if not chunk:
            continue
        raw_key, _, raw_value = chunk.partition("=")
        try:
            key = unquote(raw_key, errors="strict").strip()
            name = key.lower()
            # base64 (sign) has '+' but never a space; elsewhere '+' is a space
            decode = unquote if name == "sign" else unquote_plus
            value = decode(raw_value, errors="strict")
        except UnicodeDecodeError:
            raise ValidationError(f"The UPI link's {raw_key!r} is not valid UTF-8.") from None
        if name in given:
            if given[name] != value:
                raise ValidationError(
                    f"The UPI link gives {name!r} twice, with different values.", field=name
                )
            continue  # the same value twice: harmless
        given[name] = value
        if name in ("pa", "pn", *KNOWN_OPTIONAL):
            if name in ("am", "cu", "mc", "tr"):
                value = value.strip()
            if value.strip() or name in ("pa", "pn"):  # an empty optional value: absent
                values[name] = value
        else:
            extras.append((key, value))
    if "pa" not in values:
        raise ValidationError("The UPI link has no payee UPI ID (pa).", field="pa")
    if "pn" not in values:
        raise ValidationError("The UPI link has no payee name (pn).", field="pn")
    values["pa"] = check_vpa(values["pa"], "Payee UPI ID")
    values["pn"] = check_payee_name(values["pn"])
    if "tn" in values:
        values["tn"] = check_note(values["tn"])
    if "mc" in values:
        check_mcc(values["mc"])
    if "tr" in values:
        check_tr(values["tr"])
    if "cu" in values:
        values["cu"] = check_currency(values["cu"].upper())
    if "am" in values:
        values["am"] = _check_am_text(values["am"])
    return UpiUri(**values, extras=tuple(extras))


def deep_links(uri: str) -> dict[str, str]:
    """The same payment for PhonePe, Google Pay and Paytm (same query, their schemes)."""
    parse_uri(uri)
    query = urlsplit(uri.strip()).query
    return {app: prefix + query for app, prefix in DEEP_LINK_PREFIXES.items()}


@dataclass(frozen=True)
class Merchant:
    """Who is paid: from settings, never hard-coded."""

    vpa: str
    name: str
    mcc: str | None
    merchant_id: str
    max_amount: Money


def merchant_from_settings(settings: Settings) -> Merchant:
    upi = settings.upi
    if not upi.vpa.strip():
        raise NotConfigured(
            "UPI payments are not set up: enter the shop's merchant UPI ID "
            "([upi] vpa in settings, or UPI_DEFAULT_VPA)."
        )
    name = upi.payee_name.strip() or settings.shop.name.strip()
    if not name:
        raise NotConfigured(
            "UPI payments are not set up: enter the payee name "
            "([upi] payee_name or UPI_PAYEE_NAME)."
        )
    try:
        vpa = check_vpa(upi.vpa, "The shop's UPI ID")
        mcc = check_mcc(upi.mcc.strip()) if upi.mcc.strip() else None
        check_payee_name(name)
    except ValidationError as exc:
        raise NotConfigured(f"UPI payments are not set up: {exc}") from None
    if upi.max_amount_inr <= 0:
        raise NotConfigured("UPI payments are not set up: [upi] max_amount_inr must be above 0.")
    if not 1 <= upi.expiry_minutes <= MAX_EXPIRY_MINUTES:
        raise NotConfigured(
            "UPI payments are not set up: [upi] expiry_minutes must be 1 to "
            f"{MAX_EXPIRY_MINUTES} (a QR that has expired before it is shown cannot be paid)."
        )
    return Merchant(
        vpa=vpa,
        name=name,
        mcc=mcc,
        merchant_id=upi.merchant_id.strip(),
        max_amount=Money(upi.max_amount_inr * 100, "INR"),
    )
