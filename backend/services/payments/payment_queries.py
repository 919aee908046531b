"""Read-only lists of payments for the staff screens (filters by status, method, dates).

The payments table and a customer's history both read through here, so both show the
same columns with the amount already written the way a cashier reads it.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from backend.context import Context
from backend.domain.money import Money, format_money
from backend.domain.payments import PaymentMethod, PaymentStatus
from backend.errors import ValidationError

MAX_ROWS = 2000


def list_payments(
    ctx: Context,
    *,
    status: str | None = None,
    method: str | None = None,
    date_from: date | str | None = None,
    date_to: date | str | None = None,
    customer_id: int | None = None,
    limit: int = 500,
) -> list[dict[str, Any]]:
    """Newest first. ``date_from``/``date_to`` are inclusive calendar days (UTC)."""
    where: list[str] = []
    params: list[Any] = []
    if status:
        if status not in set(PaymentStatus):
            raise ValidationError(f"Unknown payment status {status!r}.", field="status")
        where.append("p.status = ?")
        params.append(status)
    if method:
        if method not in set(PaymentMethod):
            raise ValidationError(f"Unknown payment method {method!r}.", field="method")
        where.append("p.method = ?")
        params.append(method)
    if date_from:
        where.append("p.created_at >= ?")
        params.append(f"{_day(date_from, 'date_from').isoformat()}T00:00:00Z")
    if date_to:
        where.append("p.created_at < ?")
        params.append(f"{(_day(date_to, 'date_to') + timedelta(days=1)).isoformat()}T00:00:00Z")
    if customer_id is not None:
        where.append("p.customer_id = ?")
        params.append(int(customer_id))
    sql = (
        "SELECT p.id, p.customer_id, c.name AS customer_name, p.method, p.status, p.amount, "
        "p.currency, p.tier, p.interval, p.purpose, p.created_at, p.expires_at, p.paid_at, "
        "p.receipt_no, p.refunded_amount, p.upi_tr AS tr, p.utr, p.stripe_session_id AS "
        "session_id, p.psp, p.psp_ref, p.stripe_payment_intent_id, p.confirmed_by, s.mandate_id "
        "FROM payments p JOIN customers c ON c.id = p.customer_id "
        "LEFT JOIN subscriptions s ON s.id = p.subscription_id AND p.method = 'upi_autopay'"
    )
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY p.created_at DESC, p.id DESC LIMIT ?"
    params.append(max(1, min(int(limit), MAX_ROWS)))
    rows = ctx.store.query(sql, params)
    for row in rows:
        row["amount_text"] = format_money(Money(row["amount"], row["currency"]))
    return rows


def _day(value: date | str, field: str) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValidationError(f"{value!r} is not a date like 2026-11-26.", field=field) from None
