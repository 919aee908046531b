"""Reading a bank statement: the credit lines of a CSV export, whatever the bank.

Pure (text in, lines out): which columns hold the date, the narration, the reference and
the credit (a :class:`Mapping`, or a preset of a common Indian bank's export), and the
UTRs and request references written in a line. Matching lines to payments is the
service's (:mod:`backend.services.upi.statements`).
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from backend.errors import ValidationError

UTR_IN_TEXT = re.compile(r"(?<![0-9])([0-9]{12})(?![0-9])")
TR_IN_TEXT = re.compile(r"AC[0-9A-F]{16}", re.IGNORECASE)


@dataclass(frozen=True)
class Mapping:
    """Which CSV columns hold what, and how the bank writes dates."""

    date: str
    narration: str
    reference: str
    credit: str
    date_formats: tuple[str, ...]


PRESETS: dict[str, Mapping] = {
    "hdfc": Mapping("Date", "Narration", "Chq./Ref.No.", "Deposit Amt.", ("%d/%m/%y", "%d/%m/%Y")),
    "icici": Mapping(
        "Transaction Date",
        "Transaction Remarks",
        "Cheque Number",
        "Deposit Amount (INR )",
        ("%d/%m/%Y", "%d-%m-%Y"),
    ),
    "sbi": Mapping(
        "Txn Date", "Description", "Ref No./Cheque No.", "Credit", ("%d %b %Y", "%d-%b-%Y")
    ),
    "generic": Mapping("date", "narration", "reference", "credit", ("%Y-%m-%d", "%d/%m/%Y")),
}


@dataclass(frozen=True)
class Line:
    line_no: int
    txn_date: date
    narration: str
    reference: str
    amount: int  # paise

    @property
    def key(self) -> str:
        raw = f"{self.txn_date}|{self.narration}|{self.reference}|{self.amount}"
        return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def _norm(name: str) -> str:
    return " ".join(name.replace("\ufeff", "").split()).casefold()


def _amount(text: str, line_no: int) -> int | None:
    raw = text.strip().replace(",", "").replace("₹", "").replace("INR", "").strip()
    if raw in ("", "-"):
        return None
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise ValueError(f"line {line_no}: the credit amount {text!r} is not a number") from None
    if value == 0:  # a debit line, however the bank writes its empty credit (0, 0.0, 0.000)
        return None
    if not value.is_finite() or value < 0 or value.as_tuple().exponent < -2:  # type: ignore[operator]
        raise ValueError(f"line {line_no}: the credit amount {text!r} is not a valid amount")
    return int(value.scaleb(2))


def _date(text: str, formats: tuple[str, ...], line_no: int) -> date:
    for fmt in formats:
        try:
            return datetime.strptime(text.strip(), fmt).date()
        except ValueError:
            continue
    raise ValueError(f"line {line_no}: the date {text!r} is not in the bank's format")


def parse_statement(text: str, mapping: Mapping) -> list[Line]:
    """The credit lines of a statement; ValidationError naming every bad line."""
    # universal newlines: exports ending lines with a bare CR read as lines too
    reader = csv.reader(io.StringIO(text, newline=None))
    try:
        rows = list(reader)
    except csv.Error as exc:  # e.g. an unclosed quote running into the field size limit
        raise ValidationError(
            f"The statement cannot be read as CSV at line {reader.line_num}: {exc}; "
            "nothing was imported."
        ) from None
    wanted = [
        _norm(c) for c in (mapping.date, mapping.narration, mapping.reference, mapping.credit)
    ]
    header_at = None
    for index, row in enumerate(rows):
        cells = [_norm(c) for c in row]
        if all(w in cells for w in wanted):
            header_at = index
            columns = [cells.index(w) for w in wanted]
            break
    if header_at is None:
        names = (mapping.date, mapping.narration, mapping.reference, mapping.credit)
        raise ValidationError(
            f"No header row with the columns {', '.join(repr(c) for c in names)} was found; "
            "choose the preset of your bank or give the column names."
        )
    lines, errors = [], []
    for index in range(header_at + 1, len(rows)):
        row, line_no = rows[index], index + 1
        if not any(c.strip() for c in row):
            continue
        if len(row) <= max(columns):
            if len([c for c in row if c.strip()]) <= 1:  # footer text such as "*** End ***"
                continue
            errors.append(f"line {line_no}: has {len(row)} columns, expected {max(columns) + 1}")
            continue
        try:
            amount = _amount(row[columns[3]], line_no)
            if amount is None:
                continue  # a debit line
            lines.append(
                Line(
                    line_no=line_no,
                    txn_date=_date(row[columns[0]], mapping.date_formats, line_no),
                    narration=row[columns[1]].strip(),
                    reference=row[columns[2]].strip(),
                    amount=amount,
                )
            )
        except ValueError as exc:
            errors.append(str(exc))
    if errors:
        raise ValidationError(
            "The statement has lines that cannot be read, so nothing was imported: "
            + "; ".join(errors[:20])
            + (f" (and {len(errors) - 20} more)" if len(errors) > 20 else "")
        )
    return lines


def utrs_in_reference(reference: str) -> list[str]:
    """HDFC pads the UTR to 16 digits with zeros (``0000401234567890``)."""
    digits = reference.strip()
    if digits.isdigit() and len(digits) > 12 and set(digits[:-12]) == {"0"}:
        return [digits[-12:]]
    return UTR_IN_TEXT.findall(reference)
