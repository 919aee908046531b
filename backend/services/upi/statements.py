"""Bank statement import (CSV): match credits to UPI requests, all or nothing.

The layout is recognised by the statement's header row, whatever the bank and the
delimiter; a preset insists on one bank's layout, and ``columns`` (``"date=…,narration=…,
credit=…"``) or a :class:`Mapping` names the columns of any other (docs/
upi-reconciliation.md).

Money is applied automatically only on proof: a credit that names the request's ``tr``,
for its exact amount, dated on or after the day the request was made (a credit from
before the request existed cannot be its payment). A credit that only carries a UTR and
the same amount — anyone can send that amount, from any VPA — is *held*: a review with
the evidence (the line, the payer's VPA, the date) waits for staff to accept or reject.
Ambiguous lines are reported, never applied. Every line is remembered by a key of its
content with its outcome: a matched or held line is never applied or held again (the same
file, or an overlapping export), while an unmatched or ambiguous one is tried again on the
next import, after staff fixed what stopped it. A malformed file or line is reported with
its line number and nothing is applied.
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import date
from pathlib import Path
from typing import Any

from backend.clock import india_date, parse_iso
from backend.context import Context
from backend.domain.bank_statements import (
    PRESETS,
    TR_IN_TEXT,
    Line,
    Mapping,
    parse_columns,
    parse_statement,
    utrs_in_line,
)
from backend.errors import CheckoutError, ValidationError
from backend.services.upi import upi_requests
from backend.store import audit

#: payments a statement credit may still belong to
OPEN_STATUSES = ("pending", "expired", "canceled")
#: a line with this outcome is never looked at again
DONE = ("matched", "held")


def _ist_date(iso: str) -> date:
    return india_date(parse_iso(iso))


def _payer_vpa(narration: str) -> str | None:
    """The payer's VPA as the bank prints it in the narration (``…/friend@oksbi/…``)."""
    found = VPA_IN_TEXT.search(narration)
    return found.group(0) if found else None


#: a payer's VPA in a narration; banks separate the narration's parts with "/" or "-",
#: so a hyphen is taken as a separator, not as part of the VPA (UPI-ARJUN R-arjun.r@okicici-…)
VPA_IN_TEXT = re.compile(r"[A-Za-z0-9._]{2,256}@[A-Za-z][A-Za-z0-9.]{1,63}")


def _match(ctx: Context, line: Line) -> tuple[str, list[str], str | None, str]:
    """(outcome, candidate payment ids, UTR found, reason) for one credit line:
    ``matched`` (proof: apply), ``held`` (evidence: a person decides), ``ambiguous`` or
    ``unmatched``."""
    text = f"{line.narration} {line.reference}"
    utrs = utrs_in_line(line.reference, line.narration)
    utr = utrs[0] if len(set(utrs)) == 1 else None
    trs = sorted({t.upper() for t in TR_IN_TEXT.findall(text)})
    if trs:
        marks = ",".join("?" * len(trs))
        rows = ctx.store.query(
            f"SELECT * FROM payments WHERE method='upi_qr' AND upi_tr IN ({marks})", trs
        )
        if len(rows) == 1:
            row = rows[0]
            if row["amount"] != line.amount:
                return "unmatched", [row["id"]], utr, "amount differs from the request"
            if line.txn_date < _ist_date(row["created_at"]):
                return "unmatched", [row["id"]], utr, "credit dated before the request existed"
            return "matched", [row["id"]], utr, "tr"
        if len(rows) > 1:
            return "ambiguous", [r["id"] for r in rows], utr, "several references"
    if utr is None:
        return "unmatched", [], None, "no request reference and no single 12-digit UTR"
    known = ctx.store.one("SELECT id FROM payments WHERE utr=?", (utr,))
    if known is not None:
        return "matched", [known["id"]], utr, "utr already recorded"
    day = line.txn_date
    rows = ctx.store.query(
        "SELECT * FROM payments WHERE method='upi_qr' AND amount=? AND status IN (?, ?, ?) "
        "AND id NOT IN (SELECT payment_id FROM payment_reviews "
        "WHERE line_key=? AND status='rejected')",
        (line.amount, *OPEN_STATUSES, line.key),
    )
    candidates = [
        r for r in rows if _ist_date(r["created_at"]) <= day <= _ist_date(r["expires_at"])
    ]
    if len(candidates) == 1:
        # a UTR and an amount are not proof: anyone can send that amount
        return "held", [candidates[0]["id"]], utr, "utr and amount only: held for review"
    if candidates:
        return "ambiguous", [r["id"] for r in candidates], utr, "several requests of that amount"
    return "unmatched", [], utr, "no request of that amount on that day"


def _outcomes(ctx: Context, lines: list[Line]) -> dict[str, str]:
    """How each line ended when it was imported before (line key -> outcome)."""
    found: dict[str, str] = {}
    keys = [line.key for line in lines]
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        marks = ",".join("?" * len(chunk))
        for row in ctx.store.query(
            f"SELECT line_key, outcome FROM statement_lines WHERE line_key IN ({marks})", chunk
        ):
            found[row["line_key"]] = row["outcome"]
    return found


def import_statement(
    ctx: Context,
    path: str | Path,
    *,
    preset: str = "generic",
    mapping: Mapping | None = None,
    columns: str | dict[str, str] | None = None,
    actor: str,
) -> dict[str, Any]:
    """Import one CSV export; returns the report of matched / unmatched / ambiguous lines."""
    chosen = statement_mapping(preset, mapping, columns)  # a bad --columns before the file
    text, name = read_statement(path)
    return import_statement_text(
        ctx, text, filename=name, preset=preset, mapping=chosen, actor=actor
    )


def statement_mapping(
    preset: str = "generic",
    mapping: Mapping | None = None,
    columns: str | dict[str, str] | None = None,
) -> Mapping | None:
    """The columns to read: given (``columns`` or ``mapping``), a bank's preset layout, or
    None to recognise the layout by its header row (the ``generic`` preset)."""
    if columns is not None and (mapping is not None or preset not in ("", "generic")):
        raise ValidationError(
            "Give either the column names or a bank's layout (preset), not both.",
            field="columns",
        )
    if columns is not None:
        names = parse_columns(columns) if isinstance(columns, str) else columns
        return Mapping.from_columns(names)
    if mapping is not None:
        return mapping
    if preset in ("", "generic"):
        return None
    if preset not in PRESETS:
        raise ValidationError(
            f"Unknown statement preset {preset!r}: use one of {', '.join(PRESETS)}, or leave "
            "it out to have the columns recognised.",
            field="preset",
        )
    return PRESETS[preset]


def read_statement(path: str | Path) -> tuple[str, str]:
    """A statement file's text and name (UTF-8 with or without BOM, UTF-16 with its BOM as
    Excel's "Unicode Text" writes it, else Windows-1252)."""
    file = Path(path)
    try:
        data = file.read_bytes()
    except OSError as exc:
        raise ValidationError(f"Cannot read {file}: {exc.strerror}.") from None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), file.name
        except UnicodeDecodeError:
            raise ValidationError(f"{file.name} is not a readable text (CSV) file.") from None
    if b"\x00" in data:
        raise ValidationError(f"{file.name} is not a text (CSV) file.")
    try:
        return data.decode("utf-8-sig"), file.name
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace"), file.name  # older bank exports


def import_statement_text(
    ctx: Context,
    text: str,
    *,
    filename: str = "statement.csv",
    preset: str = "generic",
    mapping: Mapping | None = None,
    columns: str | dict[str, str] | None = None,
    actor: str,
) -> dict[str, Any]:
    """Import a statement's text; the same file imported again applies nothing twice."""
    mapping = statement_mapping(preset, mapping, columns)
    text = text.removeprefix("\ufeff")
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    lines = parse_statement(text, mapping)
    report: dict[str, Any] = {
        "file": filename,
        "preset": (mapping.name or "custom") if mapping is not None else "generic",
        "matched": [],
        "held": [],
        "unmatched": [],
        "ambiguous": [],
        "known": [],
        "already_imported": False,
    }
    with ctx.store.transaction():
        # checked inside the transaction: two terminals importing the file at once
        seen = _outcomes(ctx, lines)
        previous = ctx.store.one("SELECT * FROM statement_imports WHERE file_sha256=?", (digest,))
        if previous is not None:
            if all(seen.get(line.key) in DONE for line in lines):
                return {**json.loads(previous["report"]), "already_imported": True, "applied": 0}
            # staff may have fixed what left lines unmatched: those are tried again
            import_id = previous["id"]
            report["already_imported"] = True
        else:
            new_id = ctx.store.insert(
                "INSERT INTO statement_imports (file_sha256, filename, preset, imported_at, "
                "actor) VALUES (?, ?, ?, ?, ?) RETURNING id",
                (digest, filename, report["preset"], ctx.now_iso(), actor),
            )
            import_id = new_id
        for line in lines:
            entry: dict[str, Any] = {
                "line": line.line_no,
                "date": line.txn_date.isoformat(),
                "amount": line.amount,
                "narration": line.narration,
                "reference": line.reference,
            }
            before = seen.get(line.key)
            if before in DONE:  # applied, found paid or held once: never again
                report["known"].append({**entry, "reason": "imported before"})
                continue
            if before is not None:
                entry["retried"] = before
            outcome, ids, utr, reason = _match(ctx, line)
            entry.update(payment_ids=ids, utr=utr, reason=reason)
            if outcome == "matched" and reason != "utr already recorded":
                row = ctx.store.one("SELECT * FROM payments WHERE id=?", (ids[0],))
                assert row is not None
                if row["status"] in upi_requests.PAID_STATUSES:
                    entry["reason"] = "already confirmed"
                else:
                    late = row["status"] == "canceled" or line.txn_date > _ist_date(
                        row["expires_at"]
                    )
                    try:  # a line that fails half-way leaves nothing of itself behind
                        with ctx.store.savepoint():
                            result = upi_requests.confirm_from_statement(
                                ctx,
                                ids[0],
                                utr=utr,
                                late=late,
                                actor=actor,
                                evidence={
                                    "statement_line": line.line_no,
                                    "statement_file": filename,
                                    "txn_date": line.txn_date.isoformat(),
                                    "narration": line.narration,
                                },
                            )
                    except CheckoutError as exc:
                        outcome, entry["reason"] = "unmatched", str(exc)
                    else:
                        entry["status"] = result["status"]
            elif outcome == "held":
                entry["review"] = upi_requests.hold_for_review(
                    ctx,
                    ids[0],
                    source="bank_statement",
                    line_key=line.key,
                    utr=utr,
                    amount=line.amount,
                    evidence={
                        "statement_line": line.line_no,
                        "statement_file": filename,
                        "txn_date": line.txn_date.isoformat(),
                        "narration": line.narration,
                        "reference": line.reference,
                        "payer_vpa": _payer_vpa(line.narration),
                    },
                    actor=actor,
                )
            ctx.store.execute(
                "INSERT INTO statement_lines (line_key, import_id, line_no, txn_date, narration, "
                "reference, amount, outcome, payment_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT(line_key) DO UPDATE SET import_id=excluded.import_id, "
                "line_no=excluded.line_no, outcome=excluded.outcome, "
                "payment_id=excluded.payment_id",
                (
                    line.key,
                    import_id,
                    line.line_no,
                    line.txn_date.isoformat(),
                    line.narration,
                    line.reference,
                    line.amount,
                    outcome,
                    ids[0] if outcome in DONE else None,
                ),
            )
            report[outcome].append(entry)
        report["applied"] = sum(1 for e in report["matched"] if "status" in e)
        ctx.store.execute(
            "UPDATE statement_imports SET report=? WHERE id=?",
            (json.dumps(report, default=str), import_id),
        )
        report["retried"] = sum(
            1
            for k in ("matched", "held", "unmatched", "ambiguous")
            for e in report[k]
            if "retried" in e
        )
        audit.record(
            ctx,
            actor,
            "statement.import",
            "statement_import",
            import_id,
            file=filename,
            retried=report["retried"],
            matched=len(report["matched"]),
            held=len(report["held"]),
            unmatched=len(report["unmatched"]),
            ambiguous=len(report["ambiguous"]),
        )
    return report
