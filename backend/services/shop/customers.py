"""Customers: create, correct, find by email, phone or name prefix.

A form is checked whole: every wrong field is named at once (:class:`FieldsInvalid`).
A correction is audited with the old and the new values, and cannot take over an email
or phone number another customer's free trial was given to (one trial per person holds
across edits)."""

from __future__ import annotations

from typing import Any

from backend.context import Context
from backend.domain.identity import normalize_email, normalize_name, normalize_phone
from backend.errors import (
    Conflict,
    ConstraintViolation,
    DuplicateError,
    FieldsInvalid,
    NotFound,
    ValidationError,
)
from backend.store import audit

COLUMNS = "id, name, email, phone, state, stripe_customer_id, created_at, updated_at"


def _clean(name: str, email: str | None, phone: str | None) -> tuple[str, str | None, str | None]:
    """The fields as stored; FieldsInvalid naming every one that is wrong."""
    problems: dict[str, str] = {}
    clean: dict[str, str | None] = {}
    checks = (
        ("name", normalize_name, name, True),
        ("email", normalize_email, email, False),
        ("phone", normalize_phone, phone, False),
    )
    for field, check, value, required in checks:
        if not required and not (value and value.strip()):
            clean[field] = None
            continue
        try:
            clean[field] = check(value or "")
        except ValidationError as exc:
            problems[field] = exc.message
    if not problems and clean["email"] is None and clean["phone"] is None:
        problems["email"] = "Enter an email address or a phone number."
    if problems:
        raise FieldsInvalid(problems)
    return str(clean["name"]), clean["email"], clean["phone"]


def _check_unique(ctx: Context, email: str | None, phone: str | None, exclude: int = 0) -> None:
    if email and ctx.store.one(
        "SELECT id FROM customers WHERE email=? AND id!=?", (email, exclude)
    ):
        raise DuplicateError(f"A customer with the email {email} already exists.", field="email")
    if phone and ctx.store.one(
        "SELECT id FROM customers WHERE phone=? AND id!=?", (phone, exclude)
    ):
        raise DuplicateError(f"A customer with the phone {phone} already exists.", field="phone")


def add_customer(
    ctx: Context,
    *,
    name: str,
    email: str | None = None,
    phone: str | None = None,
    state: str | None = None,
    actor: str,
) -> dict[str, Any]:
    """Create a customer; email/phone normalised and unique."""
    clean_name, clean_email, clean_phone = _clean(name, email, phone)
    now = ctx.now_iso()
    with ctx.store.transaction():
        _check_unique(ctx, clean_email, clean_phone)
        try:
            new_id = ctx.store.insert(
                "INSERT INTO customers (name, name_key, email, phone, state, created_at, "
                "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
                (
                    clean_name,
                    clean_name.casefold(),
                    clean_email,
                    clean_phone,
                    (state or "").strip() or None,
                    now,
                    now,
                ),
            )
        except ConstraintViolation:
            raise DuplicateError("That customer already exists.") from None
        customer_id = new_id
        audit.record(
            ctx,
            actor,
            "customer.create",
            "customer",
            customer_id,
            name=clean_name,
            email=clean_email,
            phone=clean_phone,
        )
    return get_customer(ctx, customer_id)


def update_customer(
    ctx: Context,
    customer_id: int,
    *,
    name: str | None = None,
    email: str | None = None,
    phone: str | None = None,
    state: str | None = None,
    actor: str,
) -> dict[str, Any]:
    """Correct the given fields (``""`` clears an email or a phone); the others keep what
    is stored when the change is made (read inside the transaction, so another
    terminal's edit of them is not undone). Audited with the old and new values."""
    with ctx.store.transaction():
        current = get_customer(ctx, customer_id)
        clean_name, clean_email, clean_phone = _clean(
            name if name is not None else current["name"],
            email if email is not None else current["email"],
            phone if phone is not None else current["phone"],
        )
        _check_unique(ctx, clean_email, clean_phone, exclude=customer_id)
        _check_trial_identity(ctx, customer_id, clean_email, clean_phone)
        new_state = (state.strip() or None) if state is not None else current["state"]
        after = {"name": clean_name, "email": clean_email, "phone": clean_phone}
        after["state"] = new_state
        changed = {k: (current[k], v) for k, v in after.items() if current[k] != v}
        if not changed:
            return current
        ctx.store.execute(
            "UPDATE customers SET name=?, name_key=?, email=?, phone=?, state=?, updated_at=? "
            "WHERE id=?",
            (
                clean_name,
                clean_name.casefold(),
                clean_email,
                clean_phone,
                new_state,
                ctx.now_iso(),
                customer_id,
            ),
        )
        audit.record(
            ctx,
            actor,
            "customer.update",
            "customer",
            customer_id,
            before={k: old for k, (old, _new) in changed.items()},
            after={k: new for k, (_old, new) in changed.items()},
        )
    return get_customer(ctx, customer_id)


def _check_trial_identity(
    ctx: Context, customer_id: int, email: str | None, phone: str | None
) -> None:
    """An edit cannot take over an email or phone another customer's trial used: it
    would let that person start a second free trial under this record."""
    from backend.services.trials.trials import identities

    for key in identities({"email": email, "phone": phone}):
        owner = ctx.store.scalar(
            "SELECT customer_id FROM trial_identities WHERE identity=?", (key,)
        )
        if owner is not None and owner != customer_id:
            field = "email" if key.startswith("email:") else "phone"
            raise Conflict(
                f"That {'email address' if field == 'email' else 'phone number'} already had "
                "a free trial with another customer; it cannot be moved to this one.",
                field=field,
            )


def get_customer(ctx: Context, customer_id: int) -> dict[str, Any]:
    row = ctx.store.one(f"SELECT {COLUMNS} FROM customers WHERE id=?", (customer_id,))
    if row is None:
        raise NotFound(f"There is no customer number {customer_id}.")
    return row


def find_customers(ctx: Context, query: str, limit: int = 20) -> list[dict[str, Any]]:
    """Exact email or phone match first, then names starting with the query."""
    text = (query or "").strip()
    if not text:
        return ctx.store.query(
            f"SELECT {COLUMNS} FROM customers ORDER BY id DESC LIMIT ?", (limit,)
        )
    found: list[dict[str, Any]] = []
    if "@" in text:
        try:
            found = ctx.store.query(
                f"SELECT {COLUMNS} FROM customers WHERE email=?", (normalize_email(text),)
            )
        except ValidationError:
            found = []
    elif sum(ch.isdigit() for ch in text) >= 6:
        try:
            found = ctx.store.query(
                f"SELECT {COLUMNS} FROM customers WHERE phone=?", (normalize_phone(text),)
            )
        except ValidationError:
            found = []
    if text.isascii() and text.isdigit() and len(text) < 16 and not found:
        found = ctx.store.query(f"SELECT {COLUMNS} FROM customers WHERE id=?", (int(text),))
    prefix = text.casefold()
    escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    by_name = ctx.store.query(
        f"SELECT {COLUMNS} FROM customers WHERE name_key LIKE ? ESCAPE '\\' "
        "ORDER BY name_key LIMIT ?",
        (escaped + "%", limit),
    )
    seen = {row["id"] for row in found}
    return (found + [row for row in by_name if row["id"] not in seen])[:limit]


def is_exact_contact(query: str, customer: dict[str, Any]) -> bool:
    """Whether ``query`` is this customer's email or phone, as a person typed it."""
    text = (query or "").strip()
    try:
        if "@" in text:
            return customer["email"] == normalize_email(text)
        return bool(text) and customer["phone"] == normalize_phone(text)
    except ValidationError:
        return False


def find_by_contact(ctx: Context, *, email: str | None, phone: str | None) -> dict[str, Any] | None:
    """The customer with exactly this email (or else this phone), if there is one."""
    for key in (email, phone):
        if key:
            for row in find_customers(ctx, key, limit=5):
                if is_exact_contact(key, row):
                    return row
    return None


def find_or_add_customer(
    ctx: Context, *, name: str, email: str | None, phone: str | None, actor: str
) -> dict[str, Any]:
    """The customer with this email (or else phone), or a new one: how a self-service
    kiosk recognises a returning customer by what they typed."""
    found = find_by_contact(ctx, email=email, phone=phone)
    if found is not None:
        return found
    try:
        return add_customer(ctx, name=name, email=email, phone=phone, actor=actor)
    except DuplicateError:
        # created a moment ago by someone else (the staff till): use that record
        found = find_by_contact(ctx, email=email, phone=phone)
        if found is None:
            raise
        return found
