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

from dataclasses import dataclass

GST_PERCENT = 18


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
    if intra:
        half = GST_PERCENT // 2
        lines = (TaxLine("CGST", half, tax - tax // 2), TaxLine("SGST", half, tax // 2))
    else:
        lines = (TaxLine("IGST", GST_PERCENT, tax),)
    return TaxSplit(total=total, taxable=taxable, lines=lines, intra_state=intra)
