"""Reading a bank statement: the credit lines of a CSV export, whatever the bank.

Pure (text in, lines out). The layout is *recognised by its header row*: the row that
has a date, a narration and a credit column under one of the names Indian banks use
(``Tran Date`` / ``PARTICULARS`` / ``CR`` for Axis, ``Amount`` + ``Dr / Cr`` for Kotak…),
compared ignoring case, spaces, punctuation and a trailing ``(INR)``. The delimiter
(``,`` ``;`` tab ``|``) is the one under which such a header row is found. A
:class:`Mapping` names the columns instead, for a layout with other names (built from
``parse_columns("date=…,narration=…,credit=…")``) or for a preset bank layout, which
must then be the file's.

Dates are read **day first**, as Indian banks print them: ``03/04/2026`` is 3 April.
Month-first dates are never tried: one that can only be month-first (``11/26/2026``) is a
line error, so a file re-saved by US-locale software is refused rather than read with day
and month swapped.

Matching lines to payments is the service's (:mod:`backend.services.upi.statements`).
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from backend.errors import ValidationError

UTR_IN_TEXT = re.compile(r"(?<![0-9])([0-9]{12})(?![0-9])")
TR_IN_TEXT = re.compile(r"AC[0-9A-F]{16}", re.IGNORECASE)

#: tried in this order; the one under which a header row is recognised wins
DELIMITERS = (",", ";", "\t", "|")
#: at most this many errors are spelled out
MAX_ERRORS_SHOWN = 20

#: the names banks give each column, after :func:`column_key`; earlier names win when a
#: statement has several (ICICI's "Transaction Date" over its "Value Date")
COLUMN_NAMES: dict[str, tuple[str, ...]] = {
    "date": (
        "date",
        "txndate",
        "trandate",
        "transactiondate",
        "transdate",
        "trxndate",
        "txndt",
        "trandt",
        "transactiondt",
        "postingdate",
        "postdate",
        "posteddate",
        "bookingdate",
        "valuedate",
        "valuedt",
        "valdate",
    ),
    "narration": (
        "narration",
        "particulars",
        "description",
        "transactionremarks",
        "remarks",
        "details",
        "transactiondetails",
        "transactiondescription",
        "transactionparticulars",
        "transactionnarration",
        "txndetails",
        "txndescription",
        "trandetails",
        "narrative",
    ),
    "credit": (
        "credit",
        "credits",
        "creditamount",
        "creditamt",
        "cr",
        "cramount",
        "cramt",
        "deposit",
        "deposits",
        "depositamt",
        "depositamount",
        "depositcr",
        "creditcr",
        "amountcr",
        "paidin",
        "moneyin",
    ),
    "reference": (
        "reference",
        "referenceno",
        "referencenumber",
        "ref",
        "refno",
        "refnumber",
        "chqrefno",
        "chqrefnumber",
        "chequerefno",
        "refnochequeno",
        "refnochqno",
        "chqnorefno",
        "chequenorefno",
        "chequenumber",
        "chequeno",
        "chqno",
        "chqnumber",
        "utr",
        "utrno",
        "utrnumber",
        "rrn",
        "rrnno",
        "transactionid",
        "txnid",
        "transactionreference",
        "transactionrefno",
        "instrumentno",
        "instrumentid",
    ),
    # a single amount column with a Dr/Cr indicator (Kotak)
    "amount": (
        "amount",
        "amt",
        "txnamount",
        "transactionamount",
        "tranamount",
        "txnamt",
        "transactionamt",
    ),
    "dr_cr": (
        "drcr",
        "crdr",
        "drcrindicator",
        "crdrindicator",
        "drcrflag",
        "debitcredit",
        "creditdebit",
        "type",
        "txntype",
        "trantype",
        "transactiontype",
    ),
}
ROLES = tuple(COLUMN_NAMES)
ROLE_WORDS = {
    "date": "the date",
    "narration": "the narration",
    "credit": "the credit amount",
    "reference": "the reference",
    "amount": "the amount",
    "dr_cr": "the Dr/Cr indicator",
}
COLUMNS_USAGE = (
    'give --columns "date=…,narration=…,credit=…,reference=…" with the column names as '
    "the statement prints them (reference is optional; a single amount column with a "
    "Dr/Cr column is amount=…,dr_cr=… instead of credit=…)"
)
CREDIT_MARKS = {"cr", "c", "credit", "deposit"}
DEBIT_MARKS = {"dr", "d", "debit", "withdrawal"}


def column_key(name: str) -> str:
    """A column name compared ignoring case, spaces, punctuation and a currency suffix:
    ``"Deposit Amount (INR )"`` → ``depositamount``, ``"Chq./Ref.No."`` → ``chqrefno``."""
    words = re.findall(r"[^\W_]+", name.replace("\ufeff", "").casefold())
    while len(words) > 1 and words[-1] in ("inr", "rs"):
        words.pop()
    return "".join(words)


@dataclass(frozen=True)
class Mapping:
    """Which CSV columns hold what (a preset bank layout, or names an admin gave).

    The credit is either its own column (``credit``), or an ``amount`` column whose line
    is a credit when ``dr_cr`` (or a ``Cr`` after the amount) says so. ``date_formats``
    are ``strptime`` formats tried before the built-in day-first ones.
    """

    date: str
    narration: str
    reference: str | None = None
    credit: str | None = None
    date_formats: tuple[str, ...] = ()
    amount: str | None = None
    dr_cr: str | None = None
    name: str = ""  # a preset's name, for messages

    def __post_init__(self) -> None:
        _check_roles({r: v for r in ROLES if (v := getattr(self, r))}, "The column mapping")

    @classmethod
    def from_columns(cls, columns: dict[str, str]) -> Mapping:
        """From ``{"date": …, "narration": …, "credit": …, "reference": …}``."""
        unknown = sorted(set(columns) - set(ROLES))
        if unknown:
            raise ValidationError(
                f"The column mapping names {', '.join(unknown)}: use only {', '.join(ROLES)}.",
                field="columns",
            )
        return cls(
            date=columns.get("date", ""),
            narration=columns.get("narration", ""),
            reference=columns.get("reference") or None,
            credit=columns.get("credit") or None,
            amount=columns.get("amount") or None,
            dr_cr=columns.get("dr_cr") or None,
        )

    def columns(self) -> dict[str, str]:
        return {role: name for role in ROLES if (name := getattr(self, role))}


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


@dataclass(frozen=True)
class Statement:
    """The credit lines of a statement and how it was read."""

    lines: list[Line]
    delimiter: str
    header_line: int
    columns: dict[str, str] = field(default_factory=dict)  # role -> the header's name


# the column mapping given on the command line ---------------------------------------


def _check_roles(columns: dict[str, str], what: str) -> None:
    def refuse(problem: str) -> None:
        raise ValidationError(f"{what} {problem}; {COLUMNS_USAGE}.", field="columns")

    for role in ("date", "narration"):
        if role not in columns:
            refuse(f"does not name {ROLE_WORDS[role]} column")
    if "credit" in columns and ("amount" in columns or "dr_cr" in columns):
        refuse("names both a credit column and an amount column: give one of them")
    if "credit" not in columns and "amount" not in columns:
        refuse("does not name the credit amount column")
    if "dr_cr" in columns and "amount" not in columns:
        refuse("names a Dr/Cr column without the amount column it qualifies")
    seen: dict[str, str] = {}
    for role, name in columns.items():
        if role == "reference":
            continue  # the reference may well be read from the narration
        if column_key(name) in seen:
            refuse(f"names {name!r} for both {seen[column_key(name)]} and {role}")
        seen[column_key(name)] = role


def parse_columns(text: str) -> dict[str, str]:
    """``"date=Value Dt,narration=Remarks,credit=Cr Amt,reference=Ref"`` as a dict.

    A column name may contain a comma as long as what follows it is not ``key=``.
    """
    if not isinstance(text, str) or not text.strip():
        raise ValidationError(f"The column mapping is empty; {COLUMNS_USAGE}.", field="columns")
    columns: dict[str, str] = {}
    for piece in re.split(r",\s*(?=[^,=]+=)", text.strip()):
        key, sep, value = piece.partition("=")
        role, value = key.strip().casefold().replace("-", "_"), value.strip()
        if not sep or "=" in value:
            raise ValidationError(
                f"The column mapping {text.strip()!r} cannot be read at {piece.strip()!r}; "
                f"{COLUMNS_USAGE}.",
                field="columns",
            )
        if role not in ROLES:
            raise ValidationError(
                f"The column mapping names {key.strip()!r}, which is not one of "
                f"{', '.join(ROLES)}; {COLUMNS_USAGE}.",
                field="columns",
            )
        if role in columns:
            raise ValidationError(
                f"The column mapping gives {role} twice; {COLUMNS_USAGE}.", field="columns"
            )
        if not value:
            raise ValidationError(
                f"The column mapping gives no column name for {role}; {COLUMNS_USAGE}.",
                field="columns",
            )
        columns[role] = value
    _check_roles(columns, "The column mapping")
    return columns


PRESETS: dict[str, Mapping] = {
    "hdfc": Mapping("Date", "Narration", "Chq./Ref.No.", "Deposit Amt.", name="hdfc"),
    "icici": Mapping(
        "Transaction Date",
        "Transaction Remarks",
        "Cheque Number",
        "Deposit Amount (INR )",
        name="icici",
    ),
    "sbi": Mapping("Txn Date", "Description", "Ref No./Cheque No.", "Credit", name="sbi"),
    "generic": Mapping("date", "narration", "reference", "credit", name="generic"),
}


# dates ---------------------------------------------------------------------------------

MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}
_TIME = re.compile(r"(?:\s+|T)\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:\s*[AaPp]\.?[Mm]\.?)?$")
_ISO = re.compile(r"(\d{4})([-/.])(\d{1,2})\2(\d{1,2})")
_DAY_FIRST = re.compile(r"(\d{1,2})([-/.])(\d{1,2})\2(\d{4}|\d{2})")
_DAY_MONTH_NAME = re.compile(r"(\d{1,2})[-/ .]*([A-Za-z]{3,9})\.?[-/ .,]*(\d{4}|\d{2})")
_MONTH_NAME_DAY = re.compile(r"([A-Za-z]{3,9})\.?[ -]*(\d{1,2}),?[ -]*(\d{4})")


def _year(text: str) -> int:
    return int(text) if len(text) == 4 else 2000 + int(text)


def parse_date(text: str, formats: tuple[str, ...] = ()) -> date:
    """A statement's date, day first: ``26/11/2026``, ``26/11/26``, ``26-11-2026``,
    ``26.11.2026``, ``26-Nov-2026``, ``26 Nov 2026``, ``2026-11-26``, with or without a
    time after it. ValueError (with the reason) for anything else."""
    raw = text.strip()
    for fmt in formats:
        try:
            return datetime.strptime(raw, fmt).date()
        except ValueError:
            continue
    bare = _TIME.sub("", raw)
    ymd: tuple[int, int, int] | None = None
    if m := _ISO.fullmatch(bare):
        ymd = (int(m[1]), int(m[3]), int(m[4]))
    elif m := _DAY_FIRST.fullmatch(bare):
        day, month = int(m[1]), int(m[3])
        if month > 12 and day <= 12:
            raise ValueError(
                f"the date {text!r} reads month first (as US software writes dates); "
                "statements are read day first, as Indian banks print them (26/11/2026): "
                "export the statement again from net banking"
            )
        ymd = (_year(m[4]), month, day)
    elif (m := _DAY_MONTH_NAME.fullmatch(bare)) and m[2].casefold() in MONTHS:
        ymd = (_year(m[3]), MONTHS[m[2].casefold()], int(m[1]))
    elif (m := _MONTH_NAME_DAY.fullmatch(bare)) and m[1].casefold() in MONTHS:
        ymd = (int(m[3]), MONTHS[m[1].casefold()], int(m[2]))
    if ymd is None:
        raise ValueError(
            f"the date {text!r} is not a date this importer reads "
            "(such as 26/11/2026, 26-11-26, 26-Nov-2026 or 2026-11-26)"
        )
    try:
        return date(*ymd)
    except ValueError:
        raise ValueError(f"the date {text!r} is not a real date") from None


# amounts -------------------------------------------------------------------------------

_AMOUNT = re.compile(
    r"(?P<sign>[-+])?\s*(?:₹|INR|Rs\.?)?\s*(?P<sign2>[-+])?\s*"
    r"(?P<number>[0-9][0-9,]*(?:\.[0-9]*)?)\s*(?:₹|INR|Rs\.?)?\s*(?P<mark>Cr|Dr)?\.?",
    re.IGNORECASE,
)
#: whole rupees as written: plain, Western (1,234,567) or Indian (12,34,567) groups
_RUPEES = re.compile(r"[0-9]+|[0-9]{1,3}(?:,[0-9]{3})+|[0-9]{1,2}(?:,[0-9]{2})*,[0-9]{3}")


def parse_amount(text: str) -> tuple[int, str | None] | None:
    """``(paise, "cr" | "dr" | None)`` for an amount cell (``1,23,456.00``, ``₹799``,
    ``799.00 Cr``); None when it is empty, a dash or zero. ValueError when it is not an
    amount, negative or has more than two decimals."""
    raw = text.strip()
    negative = raw.startswith("(") and raw.endswith(")")  # as accountants write it
    if negative:
        raw = raw[1:-1].strip()
    if not raw.strip("-–— "):
        return None
    m = _AMOUNT.fullmatch(raw)
    if m is None:
        raise ValueError(f"the amount {text!r} is not a number")
    rupees, _, paise = m["number"].partition(".")
    if not _RUPEES.fullmatch(rupees):
        raise ValueError(
            f"the amount {text!r} is not a valid amount (commas group thousands and lakhs; "
            "paise come after a '.', as in 1,23,456.00)"
        )
    value = Decimal(f"{rupees.replace(',', '')}.{paise or '0'}")
    if value == 0:  # a debit line, however the bank writes its empty credit (0, 0.0, ₹0)
        return None
    if negative or "-" in (m["sign"], m["sign2"]):
        raise ValueError(f"the amount {text!r} is negative")
    if len(paise) > 2:
        raise ValueError(f"the amount {text!r} has more than two decimals")
    mark = m["mark"].casefold() if m["mark"] else None
    return int(value.scaleb(2)), mark


def _credit(row: list[str], at: dict[str, int]) -> int | None:
    """The line's credit in paise; None for a debit line."""
    if "credit" in at:
        found = parse_amount(row[at["credit"]])
        if found is None:
            return None
        paise, mark = found
        if mark == "dr":
            raise ValueError(
                f"the credit amount {row[at['credit']].strip()!r} is marked Dr (a debit)"
            )
        return paise
    indicator = column_key(row[at["dr_cr"]]) if "dr_cr" in at else ""
    side = "cr" if indicator in CREDIT_MARKS else "dr" if indicator in DEBIT_MARKS else None
    if indicator and side is None:
        raise ValueError(f"the Dr/Cr column says {row[at['dr_cr']].strip()!r}, neither Cr nor Dr")
    if side == "dr":
        return None  # a debit line
    found = parse_amount(row[at["amount"]])
    if found is None:
        return None
    paise, mark = found
    if side is None and mark is None:
        raise ValueError(
            f"the amount {row[at['amount']].strip()!r} says neither Cr nor Dr, so it cannot "
            "be told from a debit"
        )
    if side is not None and mark is not None and mark != side:
        raise ValueError(f"the amount {row[at['amount']].strip()!r} contradicts its Dr/Cr column")
    return paise if (side or mark) == "cr" else None


# the header row ------------------------------------------------------------------------


def _recognise(keys: list[str]) -> dict[str, int]:
    """Role -> column index, for the roles a header row's names read as."""
    found: dict[str, int] = {}
    for role in ("date", "narration", "credit", "reference", "amount"):
        for name in COLUMN_NAMES[role]:
            if name in keys:
                found[role] = keys.index(name)
                break
    indicators = [i for i, key in enumerate(keys) if key in COLUMN_NAMES["dr_cr"]]
    if "amount" in found and indicators:  # Kotak: Amount, Dr / Cr, Balance, Dr / Cr
        amount = found["amount"]
        found["dr_cr"] = min(indicators, key=lambda i: (abs(i - amount), i < amount))
    return found


def _complete(found: dict[str, int]) -> dict[str, int] | None:
    """The roles to read, when a header has all that is needed (a credit column first)."""
    if "date" not in found or "narration" not in found:
        return None
    if "credit" in found:
        return {r: i for r, i in found.items() if r not in ("amount", "dr_cr")}
    if "amount" in found and "dr_cr" in found:
        return found
    return None


def _named(keys: list[str], mapping: Mapping) -> dict[str, int] | None:
    wanted = {role: column_key(name) for role, name in mapping.columns().items()}
    if all(key in keys for key in wanted.values()):
        return {role: keys.index(key) for role, key in wanted.items()}
    return None


Rows = list[tuple[int, list[str]]]  # (line number where the row starts, cells)


@dataclass
class _Reading:
    delimiter: str
    rows: Rows
    error: str | None
    header: int | None = None  # index into rows
    at: dict[str, int] = field(default_factory=dict)


def _read_rows(text: str, delimiter: str) -> tuple[Rows, str | None]:
    # universal newlines: exports ending lines with a bare CR read as lines too
    reader = csv.reader(io.StringIO(text, newline=None), delimiter=delimiter)
    rows: Rows = []
    start = 1
    try:
        for row in reader:
            rows.append((start, row))
            start = reader.line_num + 1
    except csv.Error as exc:  # e.g. an unclosed quote running into the field size limit
        return rows, (
            f"The statement cannot be read as CSV at line {reader.line_num}: {exc}; "
            "nothing was imported."
        )
    return rows, None


def _best_guess(rows: Rows) -> tuple[tuple[int, int, int], list[str]]:
    """The row most like a header (most names read as a role, then most cells with
    words, then the first): its score and its names, for messages."""
    best: tuple[int, int, int] = (-1, -1, 0)
    names: list[str] = []
    for index, (_, row) in enumerate(rows[:200]):
        worded = sum(1 for c in row if any(ch.isalpha() for ch in c))
        score = (len(_recognise([column_key(c) for c in row])), worded, -index)
        if score > best and worded:
            best, names = score, [c.strip() for c in row if c.strip()]
    return best, names


def _shown(names: list[str]) -> str:
    names = [n.replace("\ufeff", "") for n in names]
    return ", ".join(names[:25]) + (f", … ({len(names) - 25} more)" if len(names) > 25 else "")


def _refuse(readings: list[_Reading], mapping: Mapping | None) -> ValidationError:
    if not any(row for r in readings for _, row in r.rows):
        return ValidationError("The statement is empty: nothing was imported.")
    guesses = [(_best_guess(r.rows), r) for r in readings]
    (_, names), reading = max(guesses, key=lambda g: g[0])
    if reading.error:
        return ValidationError(reading.error)
    if not names:
        return ValidationError(f"The statement has no column names; {COLUMNS_USAGE}.")
    found = f"This statement's columns are: {_shown(names)}"
    if mapping is not None:
        wanted = ", ".join(repr(n) for n in mapping.columns().values())
        advice = (
            f"it is not the {mapping.name} layout: import it without a preset (its columns "
            f"are then recognised), or {COLUMNS_USAGE}"
            if mapping.name
            else f"check the names given; {COLUMNS_USAGE}"
        )
        return ValidationError(
            f"No header row with the columns {wanted} was found. {found}; {advice}."
        )
    recognised = _recognise([column_key(n) for n in names])
    missing = [ROLE_WORDS[r] for r in ("date", "narration") if r not in recognised]
    if "credit" not in recognised:
        missing.append(
            "the credit amount (there is an amount column but no Dr/Cr column)"
            if "amount" in recognised
            else "the credit amount"
        )
    roles = " or ".join([", ".join(missing[:-1]), missing[-1]] if len(missing) > 1 else missing)
    return ValidationError(
        f"{found} — none of them reads as {roles}; {COLUMNS_USAGE}. Nothing was imported."
    )


def _choose(text: str, mapping: Mapping | None) -> _Reading:
    readings = []
    for delimiter in DELIMITERS:
        rows, error = _read_rows(text, delimiter)
        reading = _Reading(delimiter, rows, error)
        for index, (_, row) in enumerate(rows):
            keys = [column_key(c) for c in row]
            at = _named(keys, mapping) if mapping else _complete(_recognise(keys))
            if at is not None:
                reading.header, reading.at = index, at
                break
        readings.append(reading)
    found = [r for r in readings if r.header is not None]
    if not found:
        raise _refuse(readings, mapping)
    # a header split into more columns is the right delimiter (a ';' may sit in a name)
    return max(found, key=lambda r: (len(r.rows[r.header or 0][1]), -DELIMITERS.index(r.delimiter)))


# the statement -------------------------------------------------------------------------


def _names_only(cells: list[str]) -> bool:
    """A row of names (letters, no digits) in several cells: another table's header."""
    text = "".join(cells)
    return (
        len(cells) > 1 and not any(ch.isdigit() for ch in text) and any(ch.isalpha() for ch in text)
    )


def read_statement_text(text: str, mapping: Mapping | None = None) -> Statement:
    """The credit lines of a statement and how it was read; ValidationError naming every
    bad line (and then no line at all), or the columns found when the layout is not
    recognised. Without ``mapping`` the layout is recognised by its header row."""
    text = text.removeprefix("\ufeff")
    reading = _choose(text, mapping)
    if reading.error:
        raise ValidationError(reading.error)
    assert reading.header is not None
    at = reading.at
    header_line, header = reading.rows[reading.header]
    header_keys = [column_key(c) for c in header]
    width = max(at.values()) + 1
    formats = mapping.date_formats if mapping else ()
    lines: list[Line] = []
    errors: list[str] = []
    in_table = True  # False after another table's header (HDFC's statement summary)
    for line_no, row in reading.rows[reading.header + 1 :]:
        filled = [c.strip() for c in row if c.strip()]
        if len(filled) <= 1 or [column_key(c) for c in row] == header_keys:
            continue  # blank, a title or footer ("*** End ***"), the header on each page
        if _names_only(filled):
            in_table = False
            continue
        if len(row) < width:
            if in_table:
                errors.append(f"line {line_no}: has {len(row)} columns, expected {width}")
            continue
        when = row[at["date"]].strip()
        if not any(ch.isdigit() for ch in when):
            continue  # no date: opening balance, totals, a narration's second line
        try:
            day = parse_date(when, formats)
        except ValueError as exc:
            if in_table:  # after a summary's header, only dated rows are transactions
                errors.append(f"line {line_no}: {exc}")
            continue
        in_table = True
        try:
            amount = _credit(row, at)
        except ValueError as exc:
            errors.append(f"line {line_no}: {exc}")
            continue
        if amount is None:
            continue  # a debit line
        lines.append(
            Line(
                line_no=line_no,
                txn_date=day,
                narration=row[at["narration"]].strip(),
                reference=row[at["reference"]].strip() if "reference" in at else "",
                amount=amount,
            )
        )
    if errors:
        raise ValidationError(
            "The statement has lines that cannot be read, so nothing was imported: "
            + "; ".join(errors[:MAX_ERRORS_SHOWN])
            + (
                f" (and {len(errors) - MAX_ERRORS_SHOWN} more)"
                if len(errors) > MAX_ERRORS_SHOWN
                else ""
            )
        )
    return Statement(
        lines=lines,
        delimiter=reading.delimiter,
        header_line=header_line,
        columns={role: header[index].strip().replace("\ufeff", "") for role, index in at.items()},
    )


def parse_statement(text: str, mapping: Mapping | None = None) -> list[Line]:
    """The credit lines of a statement (see :func:`read_statement_text`)."""
    return read_statement_text(text, mapping).lines


def utrs_in_line(reference: str, narration: str) -> list[str]:
    """The UTRs a credit line names: in its reference column, else in its narration.

    A request's own reference (``AC`` + 16 hex digits) is taken out first: its hex digits
    can hold twelve decimal digits in a row (about one request in a hundred), and those
    are not a UTR. Left in, they made a line name two UTRs, so it was applied without one.
    """
    return utrs_in_reference(TR_IN_TEXT.sub(" ", reference)) or UTR_IN_TEXT.findall(
        TR_IN_TEXT.sub(" ", narration)
    )


def utrs_in_reference(reference: str) -> list[str]:
    """HDFC pads the UTR to 16 digits with zeros (``0000401234567890``)."""
    digits = reference.strip()
    if digits.isdigit() and len(digits) > 12 and set(digits[:-12]) == {"0"}:
        return [digits[-12:]]
    return UTR_IN_TEXT.findall(reference)
