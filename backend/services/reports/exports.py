"""CSV exports of payments, subscriptions, customers and usage for a date range.

A pure function given a progress/cancel object (after Orange's widget workers), so the
same code runs in the GUI's export dialog, the CLI and tests without Qt. Rows stream
from a read-only connection in batches; the file is written next to the target as
``.part`` and renamed only when complete, so a cancelled or failed export never leaves
a half file under the chosen name. Text that a spreadsheet would run as a formula
(starting with ``= + - @``) is prefixed with ``'``.
"""

from __future__ import annotations

import csv
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from backend.context import Context
from backend.domain.money import Money
from backend.domain.periods import DateRange
from backend.errors import ValidationError
from backend.store.reader import reading

BATCH = 5000
_NUMBER = re.compile(r"-?\d+(\.\d+)?")


class Progress(Protocol):
    """What an export reports to and asks of its caller."""

    def set_progress(self, done: int, total: int) -> None: ...

    def is_cancelled(self) -> bool: ...


class NoProgress:
    """For callers that neither show progress nor cancel (the CLI)."""

    def set_progress(self, done: int, total: int) -> None:
        return None

    def is_cancelled(self) -> bool:
        return False


@dataclass(frozen=True)
class ExportResult:
    kind: str
    path: str
    rows: int
    cancelled: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "path": self.path,
            "rows": self.rows,
            "cancelled": self.cancelled,
        }


def _money(amount: int | None, currency: str) -> str:
    return "" if amount is None else Money(int(amount), currency).decimal_string()


@dataclass(frozen=True)
class _Spec:
    columns: tuple[str, ...]
    sql: str  # FROM ... WHERE <time column> in the range (two ? placeholders)
    select: str
    order: str
    shape: Callable[[Any], list[Any]]


def _cols(names: str) -> tuple[str, ...]:
    return tuple(names.split())


def _payment_row(r: Any) -> list[Any]:
    cur = r["currency"]
    return [
        r["id"], r["created_at"], r["paid_at"], r["status"], r["method"], cur,
        _money(r["amount"], cur), r["amount"], _money(r["refunded_amount"], cur),
        r["tier"], r["interval"], r["purpose"], r["customer_id"], r["customer_name"],
        r["receipt_no"], r["upi_tr"], r["utr"], r["stripe_payment_intent_id"], r["created_by"],
    ]  # fmt: skip


def _subscription_row(r: Any) -> list[Any]:
    return [
        r["id"], r["customer_id"], r["customer_name"], r["tier"], r["interval"], r["currency"],
        _money(r["amount"], r["currency"]), r["amount"], r["method"], r["status"],
        r["current_period_start"], r["current_period_end"], r["cancel_at_period_end"],
        r["created_at"], r["canceled_at"],
    ]  # fmt: skip


SPECS: dict[str, _Spec] = {
    "payments": _Spec(
        columns=_cols(
            "id created_at paid_at status method currency amount amount_minor "
            "refunded tier interval purpose customer_id customer_name receipt_no "
            "upi_tr utr stripe_payment_intent_id created_by"
        ),
        select="p.*, c.name AS customer_name",
        sql="FROM payments p LEFT JOIN customers c ON c.id = p.customer_id "
        "WHERE p.created_at >= ? AND p.created_at < ?",
        order="p.created_at, p.id",
        shape=_payment_row,
    ),
    "subscriptions": _Spec(
        columns=_cols(
            "id customer_id customer_name tier interval currency amount "
            "amount_minor method status current_period_start current_period_end "
            "cancel_at_period_end created_at canceled_at"
        ),
        select="s.*, c.name AS customer_name",
        sql="FROM subscriptions s LEFT JOIN customers c ON c.id = s.customer_id "
        "WHERE s.created_at >= ? AND s.created_at < ?",
        order="s.created_at, s.id",
        shape=_subscription_row,
    ),
    "customers": _Spec(
        columns=_cols("id name email phone state created_at trial_status trial_ends_at"),
        select="c.id, c.name, c.email, c.phone, c.state, c.created_at, "
        "t.status AS trial_status, t.ends_at AS trial_ends_at",
        sql="FROM customers c LEFT JOIN trials t ON t.customer_id = c.id "
        "WHERE c.created_at >= ? AND c.created_at < ?",
        order="c.created_at, c.id",
        shape=lambda r: [r[k] for k in SPECS["customers"].columns],
    ),
    "usage": _Spec(
        columns=("event_id", "at", "customer_id", "kind", "allowed", "reason", "credits_left"),
        select="u.event_id, u.at, u.customer_id, u.kind, u.allowed, u.reason, u.credits_left",
        sql="FROM usage_events u WHERE u.at >= ? AND u.at < ?",
        order="u.at, u.event_id",
        shape=lambda r: [r[k] for k in SPECS["usage"].columns],
    ),
}
KINDS = tuple(SPECS)


def _safe(value: Any) -> Any:
    """Defuse spreadsheet formulas in text cells; numbers pass unchanged."""
    formula = isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r")
    if formula and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


def export_csv(
    ctx: Context,
    kind: str,
    period: DateRange,
    out: str | Path,
    progress: Progress | None = None,
) -> ExportResult:
    """Write ``kind`` rows created in ``period`` to ``out`` (UTF-8 CSV with a header)."""
    if kind not in SPECS:
        raise ValidationError(f"Export one of: {', '.join(KINDS)}.", field="kind")
    spec = SPECS[kind]
    progress = progress or NoProgress()
    target = Path(out)
    if target.is_dir():
        raise ValidationError(f"{target} is a folder: give a file name.", field="out")
    partial = target.with_name(target.name + ".part")
    params = (period.start_iso, period.end_iso)
    done = 0
    try:
        with reading(ctx.store) as reader, open(partial, "w", newline="", encoding="utf-8") as fh:
            total = reader.scalar(f"SELECT COUNT(*) {spec.sql}", params) or 0
            progress.set_progress(0, total)
            writer = csv.writer(fh)
            writer.writerow(spec.columns)
            cursor = reader.cursor(f"SELECT {spec.select} {spec.sql} ORDER BY {spec.order}", params)
            while True:
                if progress.is_cancelled():
                    raise _Cancelled
                batch = cursor.fetchmany(BATCH)
                if not batch:
                    break
                writer.writerows([_safe(v) for v in spec.shape(row)] for row in batch)
                done += len(batch)
                progress.set_progress(done, total)
    except _Cancelled:
        partial.unlink(missing_ok=True)
        return ExportResult(kind, str(target), done, cancelled=True)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise ValidationError(f"Cannot write {target}: {exc.strerror}.", field="out") from None
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    os.replace(partial, target)
    return ExportResult(kind, str(target), done)


class _Cancelled(Exception):
    """Internal: the caller asked to stop."""
