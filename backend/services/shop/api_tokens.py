"""Bearer tokens for the REST API: created once, stored as a digest, revocable.

A token is 32 random bytes (256 bits) from :mod:`secrets`, shown once at creation.
Only its SHA-256 digest is stored. A plain, unsalted fast hash is enough here because
the secret is not guessable: salts and slow hashes (as used for staff PINs) defend
low-entropy secrets against dictionary search, and no search can cover 2**256 tokens.
It also lets a request be checked with one indexed lookup instead of a slow hash per
stored token.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from typing import Any

from backend.context import Context
from backend.errors import (
    AuthError,
    ConstraintViolation,
    DuplicateError,
    NotFound,
    StateError,
    ValidationError,
)
from backend.store import audit

ROLES = ("kiosk", "staff", "admin", "autoos")
PREFIX = "aoc_"
PUBLIC = "id, name, role, hint, created_at, created_by, revoked_at"
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ._-]{0,63}$")


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(ctx: Context, *, role: str, name: str | None = None, actor: str) -> dict[str, Any]:
    """Create a token for ``role``; the returned ``token`` is the only copy there is."""
    if role not in ROLES:
        raise ValidationError(
            f"The role must be one of {', '.join(ROLES)}, not {role!r}.", field="role"
        )
    if name is not None and not _NAME.match(name.strip()):
        raise ValidationError(
            "A token name is 1-64 letters, digits, spaces, dots, dashes or underscores.",
            field="name",
        )
    token = PREFIX + secrets.token_urlsafe(32)
    with ctx.store.transaction():
        label = name.strip() if name else f"{role}-{secrets.token_hex(3)}"
        try:
            new_id = ctx.store.insert(
                "INSERT INTO api_tokens (name, role, token_sha256, hint, created_at, created_by) "
                "VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
                (label, role, digest(token), token[-4:], ctx.now_iso(), actor),
            )
        except ConstraintViolation:
            raise DuplicateError(f"A token called {label!r} already exists.") from None
        audit.record(ctx, actor, "api_token.create", "api_token", new_id, role=role)
    return {**get_token(ctx, new_id), "token": token}


def get_token(ctx: Context, token_id: int) -> dict[str, Any]:
    row = ctx.store.one(f"SELECT {PUBLIC} FROM api_tokens WHERE id=?", (token_id,))
    if row is None:
        raise NotFound(f"There is no API token number {token_id}.")
    return row


def list_tokens(ctx: Context, *, include_revoked: bool = False) -> list[dict[str, Any]]:
    where = "" if include_revoked else "WHERE revoked_at IS NULL"
    return ctx.store.query(f"SELECT {PUBLIC} FROM api_tokens {where} ORDER BY id")


def _find(ctx: Context, ref: str) -> dict[str, Any]:
    """A token by number or by name (what an admin remembers)."""
    ref = (ref or "").strip()
    row = None
    if ref.isascii() and ref.isdigit() and len(ref) < 16:
        row = ctx.store.one(f"SELECT {PUBLIC} FROM api_tokens WHERE id=?", (int(ref),))
    if row is None:
        row = ctx.store.one(f"SELECT {PUBLIC} FROM api_tokens WHERE name=?", (ref,))
    if row is None:
        raise NotFound(f"There is no API token {ref!r}.")
    return row


def revoke_token(ctx: Context, ref: str, *, actor: str) -> dict[str, Any]:
    """Revoke a token by id or name; requests with it get 401 from then on."""
    with ctx.store.transaction():
        row = _find(ctx, ref)
        if row["revoked_at"]:
            raise StateError(f"The token {row['name']!r} is already revoked.")
        ctx.store.execute(
            "UPDATE api_tokens SET revoked_at=? WHERE id=?", (ctx.now_iso(), row["id"])
        )
        audit.record(ctx, actor, "api_token.revoke", "api_token", row["id"])
    return get_token(ctx, row["id"])


def authenticate(ctx: Context, token: str | None) -> dict[str, Any]:
    """The live token record for a presented bearer token, or :class:`AuthError`."""
    if not token:
        raise AuthError("Sign in: send the header 'Authorization: Bearer <token>'.")
    row = ctx.store.one(
        f"SELECT {PUBLIC} FROM api_tokens WHERE token_sha256=?", (digest(token.strip()),)
    )
    if row is None or row["revoked_at"]:
        raise AuthError("This API token is not valid (unknown or revoked).")
    return row
