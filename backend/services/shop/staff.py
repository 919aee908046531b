"""Staff accounts and PIN login.

PINs are hashed with scrypt and a per-account salt; five wrong PINs lock the account
for five minutes (computed from the clock, so nothing has to wake up to unlock it), and
the last two wrong PINs say how many tries are left. Admins deactivate and reactivate
people, reset a PIN and unlock a locked account, all audited; a deactivated person cannot
sign in or be chosen, and the last active admin cannot be deactivated.
"""

from __future__ import annotations

import os
from datetime import datetime, timedelta
from typing import Any

from backend.clock import parse_iso, to_iso
from backend.context import Context
from backend.domain.identity import normalize_name
from backend.errors import (
    AccountLocked,
    Conflict,
    ConstraintViolation,
    DuplicateError,
    NotFound,
    PermissionDenied,
    ValidationError,
    WrongPin,
)
from backend.store import audit

ROLES = ("staff", "admin")
MAX_ATTEMPTS = 5
LOCK_MINUTES = 5
PUBLIC = "id, name, role, active, created_at"
#: what an admin's list shows of each person
STATE = "id, name, role, active, created_at, failed_attempts, locked_until"


def _hash(pin: str, salt: bytes) -> bytes:
    # hashlib (and hmac) load OpenSSL: 3.6 MiB and 3 ms that the login screen does not
    # need before someone types a PIN (benchmarks/startup.py)
    import hashlib

    return hashlib.scrypt(pin.encode(), salt=salt, n=2**14, r=8, p=1, dklen=32)


def _same(digest: bytes, stored: bytes) -> bool:
    import hmac

    return hmac.compare_digest(digest, stored)


def check_pin_shape(pin: str) -> str:
    pin = (pin or "").strip()
    if not pin.isdigit() or not 4 <= len(pin) <= 8 or not pin.isascii():
        raise ValidationError("A PIN is 4 to 8 digits.", field="pin")
    return pin


def add_staff(ctx: Context, *, name: str, role: str, pin: str, actor: str) -> dict[str, Any]:
    return _add(ctx, name=name, role=role, pin=pin, actor=actor, first=False)


def create_first_admin(ctx: Context, *, name: str, pin: str, actor: str) -> dict[str, Any]:
    """The shop's first admin, made at the till on the first day; refused once any
    account exists (then an admin adds people)."""
    return _add(ctx, name=name, role="admin", pin=pin, actor=actor, first=True)


def _add(
    ctx: Context, *, name: str, role: str, pin: str, actor: str, first: bool
) -> dict[str, Any]:
    clean = normalize_name(name)
    if role not in ROLES:
        raise ValidationError(f"The role must be staff or admin, not {role!r}.", field="role")
    pin = check_pin_shape(pin)
    salt = os.urandom(16)  # what secrets.token_bytes does
    digest = _hash(pin, salt)  # slow on purpose: before the write transaction
    with ctx.store.transaction():
        if first and ctx.store.scalar("SELECT count(*) FROM staff"):
            raise Conflict("An admin already exists: sign in instead.")
        try:
            new_id = ctx.store.insert(
                "INSERT INTO staff (name, role, pin_hash, pin_salt, created_at) "
                "VALUES (?, ?, ?, ?, ?) RETURNING id",
                (clean, role, digest, salt, ctx.now_iso()),
            )
        except ConstraintViolation:
            raise DuplicateError(f"A staff member called {clean} already exists.") from None
        audit.record(ctx, actor, "staff.create", "staff", new_id, name=clean, role=role)
    return get_staff(ctx, new_id)


def get_staff(ctx: Context, staff_id: int) -> dict[str, Any]:
    row = ctx.store.one(f"SELECT {PUBLIC} FROM staff WHERE id=?", (staff_id,))
    if row is None:
        raise NotFound(f"There is no staff member number {staff_id}.")
    return row


def list_staff(ctx: Context, *, include_inactive: bool = False) -> list[dict[str, Any]]:
    """The people who may sign in (and, for an admin's list, the deactivated ones too),
    each with their ``state``: active, locked (until when) or deactivated."""
    where = "" if include_inactive else "WHERE active=1"
    rows = ctx.store.query(f"SELECT {STATE} FROM staff {where} ORDER BY active DESC, name")
    now = ctx.clock.now()
    for row in rows:
        locked = row.pop("locked_until")
        attempts = row.pop("failed_attempts")
        row["active"] = bool(row["active"])
        if not row["active"]:
            row["state"] = "deactivated"
        elif locked and parse_iso(locked) > now:
            row["state"] = "locked"
            row["locked_until"] = locked
        else:
            row["state"] = "active"
        row["wrong_pins"] = attempts
    return rows


def _person(ctx: Context, staff_id: int) -> dict[str, Any]:
    row = ctx.store.one(f"SELECT {STATE} FROM staff WHERE id=?", (staff_id,))
    if row is None:
        raise NotFound(f"There is no staff member number {staff_id}.")
    return row


def set_active(ctx: Context, staff_id: int, active: bool, *, actor: str) -> dict[str, Any]:
    """Deactivate (they can no longer sign in) or reactivate a person."""
    with ctx.store.transaction():
        person = _person(ctx, staff_id)
        if not active and person["role"] == "admin" and person["active"]:
            others = ctx.store.scalar(
                "SELECT count(*) FROM staff WHERE role='admin' AND active=1 AND id<>?",
                (staff_id,),
            )
            if not others:
                raise Conflict(
                    f"{person['name']} is the last active admin: make someone else an admin "
                    "first, or nobody could run the shop's settings."
                )
        if bool(person["active"]) != active:
            ctx.store.execute(
                "UPDATE staff SET active=?, failed_attempts=0, locked_until=NULL WHERE id=?",
                (int(active), staff_id),
            )
            action = "staff.activate" if active else "staff.deactivate"
            audit.record(ctx, actor, action, "staff", staff_id, name=person["name"])
    return get_staff(ctx, staff_id)


def reset_pin(ctx: Context, staff_id: int, pin: str, *, actor: str) -> dict[str, Any]:
    """A new PIN for a person who forgot theirs (it also unlocks them)."""
    pin = check_pin_shape(pin)
    salt = os.urandom(16)
    digest = _hash(pin, salt)  # slow on purpose: before the write transaction
    with ctx.store.transaction():
        person = _person(ctx, staff_id)
        ctx.store.execute(
            "UPDATE staff SET pin_hash=?, pin_salt=?, failed_attempts=0, locked_until=NULL "
            "WHERE id=?",
            (digest, salt, staff_id),
        )
        audit.record(ctx, actor, "staff.reset_pin", "staff", staff_id, name=person["name"])
    return get_staff(ctx, staff_id)


def unlock(ctx: Context, staff_id: int, *, actor: str) -> dict[str, Any]:
    """Let a locked-out person try again now (their wrong PINs are forgotten)."""
    with ctx.store.transaction():
        person = _person(ctx, staff_id)
        ctx.store.execute(
            "UPDATE staff SET failed_attempts=0, locked_until=NULL WHERE id=?", (staff_id,)
        )
        audit.record(ctx, actor, "staff.unlock", "staff", staff_id, name=person["name"])
    return get_staff(ctx, staff_id)


def _refuse_if_locked(row: dict[str, Any], now: datetime) -> None:
    if row["locked_until"] and parse_iso(row["locked_until"]) > now:
        left = parse_iso(row["locked_until"]) - now
        minutes = max(1, round(left.total_seconds() / 60))
        raise AccountLocked(
            f"Too many wrong PINs: {row['name']} is locked for {minutes} more minute(s)."
        )


def authenticate(ctx: Context, name: str, pin: str) -> dict[str, Any]:
    """Return the staff member for a correct PIN; count and lock on wrong ones.

    The PIN is hashed (slow, on purpose) before the write transaction; the lock and the
    attempt count are then judged on the row as stored inside it, so guesses sent in
    parallel from several tills are each counted and a lock taken meanwhile holds."""
    row = ctx.store.one("SELECT * FROM staff WHERE name=? AND active=1", ((name or "").strip(),))
    if row is None:
        raise WrongPin("Unknown name or wrong PIN.")
    now = ctx.clock.now()
    _refuse_if_locked(row, now)
    digest = _hash((pin or "").strip(), row["pin_salt"])
    with ctx.store.transaction():
        row = ctx.store.one("SELECT * FROM staff WHERE id=?", (row["id"],)) or row
        _refuse_if_locked(row, now)
        ok = _same(digest, row["pin_hash"])
        if ok:
            ctx.store.execute(
                "UPDATE staff SET failed_attempts=0, locked_until=NULL WHERE id=?", (row["id"],)
            )
            audit.record(ctx, f"staff:{row['id']}", "staff.login", "staff", row["id"])
        else:
            attempts = row["failed_attempts"] + 1
            locked = None
            if attempts >= MAX_ATTEMPTS:
                locked = to_iso(now + timedelta(minutes=LOCK_MINUTES))
                attempts = 0
            ctx.store.execute(
                "UPDATE staff SET failed_attempts=?, locked_until=? WHERE id=?",
                (attempts, locked, row["id"]),
            )
            audit.record(
                ctx, "anonymous", "staff.login_failed", "staff", row["id"], locked=bool(locked)
            )
    if not ok:
        if locked:
            raise AccountLocked(
                f"Too many wrong PINs: {row['name']} is locked for {LOCK_MINUTES} minutes."
            )
        left = MAX_ATTEMPTS - attempts
        if left <= 2:
            tries = "1 try" if left == 1 else f"{left} tries"
            raise WrongPin(
                f"Wrong PIN: {tries} left before {row['name']} is locked for "
                f"{LOCK_MINUTES} minutes."
            )
        raise WrongPin("Unknown name or wrong PIN.")
    return get_staff(ctx, row["id"])


def require_admin(staff: dict[str, Any]) -> None:
    if staff.get("role") != "admin":
        raise PermissionDenied("Only an admin can do this.")
