"""GST on GST-inclusive prices, in integer paise (pure; no I/O).

Prices in the catalog include 18% GST. The tax is split out of the total so that the
printed lines add up exactly:

* taxable value = total × 100 / 118, rounded half up to the paisa;
* tax = total − taxable value (so taxable + tax == total, always);
* same state (intra-state supply): CGST 9% + SGST 9%, the tax halved, an odd paisa
  going to CGST; different states (inter-state): IGST 18% = the whole tax.

A buyer whose state is unknown is an unregistered person without an address on record,
for whom the place of supply is the supplier's location: intra-state.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from backend.errors import ValidationError

GST_PERCENT = 18
#: state code, PAN (5 letters, 4 digits, a letter), entity number, Z, check character
GSTIN_RE = re.compile(r"^[0-9]{2}[A-Z]{5}[0-9]{4}[A-Z][0-9A-Z]Z[0-9A-Z]$")
_BASE36 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
#: states and union territories by their GST state code (the first two GSTIN digits)
STATE_CODES: dict[str, tuple[str, ...]] = {
    "Jammu and Kashmir": ("01",),
    "Himachal Pradesh": ("02",),
    "Punjab": ("03",),
    "Chandigarh": ("04",),
    "Uttarakhand": ("05",),
    "Haryana": ("06",),
    "Delhi": ("07",),
    "Rajasthan": ("08",),
    "Uttar Pradesh": ("09",),
    "Bihar": ("10",),
    "Sikkim": ("11",),
    "Arunachal Pradesh": ("12",),
    "Nagaland": ("13",),
    "Manipur": ("14",),
    "Mizoram": ("15",),
    "Tripura": ("16",),
    "Meghalaya": ("17",),
    "Assam": ("18",),
    "West Bengal": ("19",),
    "Jharkhand": ("20",),
    "Odisha": ("21",),
    "Chhattisgarh": ("22",),
    "Madhya Pradesh": ("23",),
    "Gujarat": ("24",),
    "Dadra and Nagar Haveli and Daman and Diu": ("26", "25"),
    "Maharashtra": ("27",),
    "Karnataka": ("29",),
    "Goa": ("30",),
    "Lakshadweep": ("31",),
    "Kerala": ("32",),
    "Tamil Nadu": ("33",),
    "Puducherry": ("34",),
    "Andaman and Nicobar Islands": ("35",),
    "Telangana": ("36",),
    "Andhra Pradesh": ("37", "28"),
    "Ladakh": ("38",),
}


@dataclass(frozen=True)
class TaxLine:
    name: str  # CGST, SGST or IGST
    percent: int
    amount: int  # paise


@dataclass(frozen=True)
class TaxSplit:
    total: int
    taxable: int
    lines: tuple[TaxLine, ...]
    intra_state: bool

    @property
    def tax(self) -> int:
        return sum(line.amount for line in self.lines)


def gstin_check_character(first14: str) -> str:
    """The 15th character of a GSTIN: base 36, weights 1 and 2 in turn (the GSTN rule)."""
    total = 0
    for i, char in enumerate(first14):
        product = _BASE36.index(char) * (2 if i % 2 else 1)
        total += product // 36 + product % 36
    return _BASE36[(36 - total % 36) % 36]


def check_gstin(gstin: str) -> str:
    """A GSTIN in capitals, or a :class:`ValidationError` that says what is wrong."""
    text = "".join((gstin or "").split()).upper()
    if not GSTIN_RE.fullmatch(text):
        raise ValidationError(
            f"{gstin.strip()!r} is not a GSTIN: it is 15 characters, like 27AAPFU0939F1ZV.",
            field="gstin",
        )
    if gstin_check_character(text[:14]) != text[14]:
        raise ValidationError(
            f"GSTIN {text} has a typing mistake (its last character does not match): "
            "copy it from the GST certificate.",
            field="gstin",
        )
    return text


def check_state(name: str) -> str:
    """An Indian state or union territory in its usual spelling, or a ValidationError."""
    wanted = normalize_state(name)
    for state in STATE_CODES:
        if normalize_state(state) == wanted:
            return state
    raise ValidationError(
        f"{name.strip()!r} is not an Indian state or union territory (e.g. Karnataka).",
        field="state",
    )


def check_gstin_state(gstin: str, state: str) -> None:
    """A GSTIN's first two digits name the state it was issued in: they must agree with
    the shop's state, or the tax is split the wrong way (IGST against CGST+SGST)."""
    codes = STATE_CODES.get(check_state(state), ())
    if gstin[:2] not in codes:
        issued = next((s for s, c in STATE_CODES.items() if gstin[:2] in c), "another state")
        raise ValidationError(
            f"GSTIN {gstin} was issued in {issued} (code {gstin[:2]}), but the shop's "
            f"state is {state}: correct one of them.",
            field="state",
        )


def normalize_state(name: str | None) -> str:
    return " ".join((name or "").split()).casefold()


def is_intra_state(seller_state: str | None, buyer_state: str | None) -> bool:
    buyer = normalize_state(buyer_state)
    return not buyer or buyer == normalize_state(seller_state)


def split_inclusive(total: int, seller_state: str | None, buyer_state: str | None) -> TaxSplit:
    """Split a GST-inclusive ``total`` (paise) into taxable value and tax lines."""
    if isinstance(total, bool) or not isinstance(total, int) or total < 0:
        raise ValueError("total must be a non-negative int of paise")
    base = 100 + GST_PERCENT
    taxable = (200 * total + base) // (2 * base)  # total*100/118, half up
    tax = total - taxable
    intra = is_intra_state(seller_state, buyer_state)
    lines: tuple[TaxLine, ...]
    if intra:
        half = GST_PERCENT // 2
        lines = (TaxLine("CGST", half, tax - tax // 2), TaxLine("SGST", half, tax // 2))
    else:
        lines = (TaxLine("IGST", GST_PERCENT, tax),)
    return TaxSplit(total=total, taxable=taxable, lines=lines, intra_state=intra)
