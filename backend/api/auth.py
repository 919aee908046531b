"""Bearer-token authentication and per-endpoint roles.

Each endpoint declares the roles that may call it with :func:`allow`. No token, or one
that is unknown or revoked, is 401; a valid token of another role is 403. The
dependency is a plain ``def`` so FastAPI runs its database lookup in the threadpool.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from backend.context import Context
from backend.errors import AuthError, PermissionDenied
from backend.services.shop import api_tokens

KIOSK, STAFF, ADMIN, AUTOOS = "kiosk", "staff", "admin", "autoos"
ALL_ROLES = (KIOSK, STAFF, ADMIN, AUTOOS)
COUNTER = (KIOSK, STAFF, ADMIN)  # people at a till or a kiosk
STAFF_ONLY = (STAFF, ADMIN)

bearer = HTTPBearer(auto_error=False, description="A token from `autoos-checkout token create`.")


@dataclass(frozen=True)
class Caller:
    token_id: int
    name: str
    role: str

    @property
    def actor(self) -> str:
        """How this caller appears in the audit log."""
        return f"api:{self.name}"


def get_ctx(request: Request) -> Context:
    return request.app.state.ctx


def allow(*roles: str) -> Callable[..., Caller]:
    """A dependency admitting only tokens of ``roles``."""
    allowed = frozenset(roles)

    def check(
        request: Request,
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    ) -> Caller:
        if credentials is None or credentials.scheme.lower() != "bearer":
            raise AuthError("Sign in: send the header 'Authorization: Bearer <token>'.")
        row = api_tokens.authenticate(get_ctx(request), credentials.credentials)
        if row["role"] not in allowed:
            raise PermissionDenied(
                f"A {row['role']} token may not do this; it needs one of: "
                f"{', '.join(sorted(allowed))}."
            )
        caller = Caller(row["id"], row["name"], row["role"])
        request.state.caller = caller
        return caller

    check.roles = tuple(sorted(allowed))  # type: ignore[attr-defined]
    return check


def current_caller(request: Request) -> Caller:
    """The caller admitted by the endpoint's :func:`allow` check (which runs first)."""
    caller = getattr(request.state, "caller", None)
    if caller is None:
        raise AuthError("Sign in: send the header 'Authorization: Bearer <token>'.")
    return caller


#: handler parameter types: ``ctx: Ctx, caller: CurrentCaller``
Ctx = Annotated[Context, Depends(get_ctx)]
CurrentCaller = Annotated[Caller, Depends(current_caller)]
