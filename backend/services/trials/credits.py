"""Credits: an append-only ledger per customer, and balances derived from it.

Two buckets: ``granted`` (trial credits, which expire with the trial) and ``purchased``
(bought or adjusted by an admin, which do not). Debits take granted credits before
purchased ones. A balance is always the sum of the ledger and never below zero; the
store's trigger refuses any entry that would overdraw a bucket, even from a second
process. Every entry carries an idempotency key, so a retried call changes nothing.
"""

from __future__ import annotations

from typing import Any

from backend.context import Context
from backend.errors import (
    Conflict,
    ConstraintViolation,
    IdempotencyConflict,
    NotFound,
    ValidationError,
)
from backend.store import audit

BUCKETS = ("granted", "purchased")
KINDS = ("grant", "debit", "expire", "adjust")
#: the largest single adjustment an admin can make (a typo guard, not a business rule)
MAX_ADJUST = 1_000_000
ENTRY_COLUMNS = "id, customer_id, at, kind, bucket, amount, reason, idempotency_key, actor"


def balances(ctx: Context, customer_id: int) -> dict[str, int]:
    """``{"granted": g, "purchased": p, "total": g + p}`` summed from the ledger."""
    rows = ctx.store.fetchall(
        "SELECT bucket, COALESCE(SUM(amount), 0) FROM credit_ledger WHERE customer_id=? "
        "GROUP BY bucket",
        (customer_id,),
    )
    result = dict.fromkeys(BUCKETS, 0)
    for bucket, total in rows:
        result[bucket] = total
    result["total"] = result["granted"] + result["purchased"]
    return result


def balance(ctx: Context, customer_id: int) -> int:
    return balances(ctx, customer_id)["total"]


def entries(
    ctx: Context, customer_id: int, *, limit: int | None = None, kind: str | None = None
) -> list[dict[str, Any]]:
    """Ledger entries of one customer, oldest first (``limit``: only the newest N)."""
    if kind is not None and kind not in KINDS:
        raise ValidationError(f"Unknown ledger entry kind {kind!r}.", field="kind")
    where = "customer_id=?" + (" AND kind=?" if kind else "")
    params: list[Any] = [customer_id, *([kind] if kind else [])]
    if limit is None:
        return ctx.store.query(
            f"SELECT {ENTRY_COLUMNS} FROM credit_ledger WHERE {where} ORDER BY id", params
        )
    rows = ctx.store.query(
        f"SELECT {ENTRY_COLUMNS} FROM credit_ledger WHERE {where} ORDER BY id DESC LIMIT ?",
        [*params, limit],
    )
    return rows[::-1]


def totals(ctx: Context, customer_id: int) -> dict[str, int]:
    """What happened to a customer's credits: granted, purchased, used, expired, left."""
    sums = dict(
        ctx.store.fetchall(
            "SELECT kind, COALESCE(SUM(amount), 0) FROM credit_ledger WHERE customer_id=? "
            "GROUP BY kind",
            (customer_id,),
        )
    )
    left = balances(ctx, customer_id)
    return {
        "granted": sums.get("grant", 0),
        "adjusted": sums.get("adjust", 0),
        "used": -sums.get("debit", 0),
        "expired": -sums.get("expire", 0),
        "left": left["total"],
        "left_granted": left["granted"],
        "left_purchased": left["purchased"],
    }


def _existing(ctx: Context, key: str) -> dict[str, Any] | None:
    return ctx.store.one(
        f"SELECT {ENTRY_COLUMNS} FROM credit_ledger WHERE idempotency_key=?", (key,)
    )


def _same_or_conflict(found: dict[str, Any], customer_id: int, kind: str, amount: int) -> None:
    if (found["customer_id"], found["kind"], found["amount"]) != (customer_id, kind, amount):
        raise IdempotencyConflict(
            f"The key {found['idempotency_key']!r} was already used for a different "
            "credit change; use a new key."
        )


def append(
    ctx: Context,
    customer_id: int,
    *,
    kind: str,
    bucket: str,
    amount: int,
    reason: str,
    idempotency_key: str,
    actor: str,
) -> dict[str, Any]:
    """Write one ledger entry inside the caller's transaction (or return the earlier one).

    A key already used for the same customer, kind and amount returns that entry and
    writes nothing; used for anything else it is an :class:`IdempotencyConflict`.
    """
    if not ctx.store.in_transaction:
        raise RuntimeError("ledger entries are written inside the change's transaction")
    at = ctx.now_iso()
    try:  # a new key is the common case: insert first, look up only on a clash
        inserted = ctx.store.fetchone(
            "INSERT INTO credit_ledger (customer_id, at, kind, bucket, amount, reason, "
            "idempotency_key, actor) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (idempotency_key) DO NOTHING RETURNING id",
            (customer_id, at, kind, bucket, amount, reason, idempotency_key, actor),
        )
    except ConstraintViolation as exc:
        if exc.kind == "rule":  # the guard trigger: "credit balance would go below zero"
            raise Conflict("Not enough credits: the balance cannot go below zero.") from None
        raise
    if inserted is None:  # the key was used before
        found = _existing(ctx, idempotency_key)
        assert found is not None
        _same_or_conflict(found, customer_id, kind, amount)
        return found
    return {
        "id": inserted[0],
        "customer_id": customer_id,
        "at": at,
        "kind": kind,
        "bucket": bucket,
        "amount": amount,
        "reason": reason,
        "idempotency_key": idempotency_key,
        "actor": actor,
    }


def _check_customer(ctx: Context, customer_id: int) -> None:
    if ctx.store.one("SELECT 1 FROM customers WHERE id=?", (customer_id,)) is None:
        raise NotFound(f"There is no customer number {customer_id}.")


def _check_key_and_reason(idempotency_key: str, reason: str) -> str:
    if not idempotency_key or not idempotency_key.strip() or len(idempotency_key) > 200:
        raise ValidationError("A credit change needs an idempotency key (1-200 characters).")
    cleaned = " ".join((reason or "").split())
    if not cleaned:
        raise ValidationError("Say why the credits change (a reason).", field="reason")
    if len(cleaned) > 200:
        raise ValidationError("The reason is too long (at most 200 characters).", field="reason")
    return cleaned


def parse_credit_amount(text: str | int, *, allow_negative: bool = True) -> int:
    """Read a whole number of credits typed by an admin (``"25"``, ``"-5"``)."""
    if isinstance(text, bool):
        raise ValidationError("Enter a whole number of credits, such as 25.", field="amount")
    raw = str(text).strip().replace(",", "")
    sign, digits = (raw[0], raw[1:]) if raw[:1] in "+-" and raw else ("", raw)
    if not digits.isdigit() or not digits.isascii():
        raise ValidationError(
            f"{str(text).strip()!r} is not a whole number of credits (like 25 or -5).",
            field="amount",
        )
    value = int(sign + digits)
    if value == 0:
        raise ValidationError("A credit change of 0 changes nothing.", field="amount")
    if value < 0 and not allow_negative:
        raise ValidationError("The number of credits must be above 0.", field="amount")
    if abs(value) > MAX_ADJUST:
        raise ValidationError(
            f"At most {MAX_ADJUST:,} credits can be adjusted at once.", field="amount"
        )
    return value


def adjust(
    ctx: Context,
    customer_id: int,
    amount: int,
    reason: str,
    *,
    idempotency_key: str,
    actor: str,
) -> dict[str, Any]:
    """An admin adds (or takes back) purchased credits; never below zero.

    Returns the entry and the new balances. Repeating the same key changes nothing.
    """
    amount = parse_credit_amount(amount)
    reason = _check_key_and_reason(idempotency_key, reason)
    with ctx.store.transaction():
        _check_customer(ctx, customer_id)
        before = _existing(ctx, idempotency_key)
        if before is None and amount < 0:
            available = balances(ctx, customer_id)["purchased"]
            if available + amount < 0:
                raise Conflict(
                    f"Customer {customer_id} has {available} purchased credit(s); "
                    f"cannot take away {-amount}."
                )
        entry = append(
            ctx,
            customer_id,
            kind="adjust",
            bucket="purchased",
            amount=amount,
            reason=reason,
            idempotency_key=idempotency_key,
            actor=actor,
        )
        if before is None:
            audit.record(
                ctx, actor, "credits.adjust", "customer", customer_id, amount=amount, reason=reason
            )
        return {"entry": entry, "balance": balances(ctx, customer_id)}


def split_debit(have: dict[str, int], amount: int) -> list[tuple[str, int]]:
    """How a debit of ``amount`` is taken: granted credits first, then purchased."""
    parts = []
    remaining = amount
    for bucket in BUCKETS:
        take = min(remaining, max(have[bucket], 0))
        if take > 0:
            parts.append((bucket, take))
            remaining -= take
    if remaining:
        raise Conflict(f"Not enough credits: {amount} needed, {amount - remaining} available.")
    return parts


def debit(
    ctx: Context,
    customer_id: int,
    amount: int,
    reason: str,
    *,
    idempotency_key: str,
    actor: str,
) -> list[dict[str, Any]]:
    """Spend ``amount`` credits, granted ones first, then purchased; all or nothing.

    Split across buckets, the entries get keys ``<key>:granted`` and ``<key>:purchased``.
    Raises :class:`Conflict` when the balance is too small (nothing is written).
    """
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise ValidationError("A debit is a whole number of credits above 0.", field="amount")
    reason = _check_key_and_reason(idempotency_key, reason)
    with ctx.store.transaction():
        done = ctx.store.query(
            f"SELECT {ENTRY_COLUMNS} FROM credit_ledger WHERE idempotency_key IN (?, ?) "
            "ORDER BY id",
            (f"{idempotency_key}:granted", f"{idempotency_key}:purchased"),
        )
        if done:
            if any(e["customer_id"] != customer_id or e["kind"] != "debit" for e in done) or (
                -sum(e["amount"] for e in done) != amount
            ):
                raise IdempotencyConflict(
                    f"The key {idempotency_key!r} was already used for a different debit."
                )
            return done
        have = balances(ctx, customer_id)
        if have["total"] < amount:
            _check_customer(ctx, customer_id)
            raise Conflict(
                f"Not enough credits: customer {customer_id} has {have['total']}, needs {amount}."
            )
        written = [
            append(
                ctx,
                customer_id,
                kind="debit",
                bucket=bucket,
                amount=-take,
                reason=reason,
                idempotency_key=f"{idempotency_key}:{bucket}",
                actor=actor,
            )
            for bucket, take in split_debit(have, amount)
        ]
        audit.record(
            ctx, actor, "credits.debit", "customer", customer_id, amount=amount, reason=reason
        )
        return written
