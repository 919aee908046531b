"""Staff accounts and PIN login.

PINs are hashed with scrypt and a per-account salt; five wrong PINs lock the account
for five minutes (computed from the clock, so nothing has to wake up to unlock it).
"""

from __future__ import annotations

import os
import sqlite3
from datetime import datetime, timedelta
from typing import Any

from backend.clock import parse_iso, to_iso
from backend.context import Context
from backend.domain.identity import normalize_name
from backend.errors import (
    AccountLocked,
    Conflict,
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
            cur = ctx.store.execute(
                "INSERT INTO staff (name, role, pin_hash, pin_salt, created_at) "
                "VALUES (?, ?, ?, ?, ?)",
                (clean, role, digest, salt, ctx.now_iso()),
            )
        except sqlite3.IntegrityError:
            raise DuplicateError(f"A staff member called {clean} already exists.") from None
        audit.record(ctx, actor, "staff.create", "staff", cur.lastrowid, name=clean, role=role)
    return get_staff(ctx, int(cur.lastrowid or 0))


def get_staff(ctx: Context, staff_id: int) -> dict[str, Any]:
    row = ctx.store.one(f"SELECT {PUBLIC} FROM staff WHERE id=?", (staff_id,))
    if row is None:
        raise NotFound(f"There is no staff member number {staff_id}.")
    return row


def list_staff(ctx: Context) -> list[dict[str, Any]]:
    return ctx.store.query(f"SELECT {PUBLIC} FROM staff WHERE active=1 ORDER BY name")


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
        raise WrongPin("Unknown name or wrong PIN.")
    return get_staff(ctx, row["id"])


def require_admin(staff: dict[str, Any]) -> None:
    if staff.get("role") != "admin":
        raise PermissionDenied("Only an admin can do this.")
