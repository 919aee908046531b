"""Bearer-token authentication: who is calling.

No token, or one that is unknown or revoked, is 401. What the caller may do is the
operation's own check (:meth:`backend.interface.Caller.require`), the same for every
front end; a valid token of another role is then 403.

A request crosses to a worker thread once: an operation's handler reads the header
itself (:func:`bearer_token`, no dependency for FastAPI to solve on every request) and
looks the token up on the thread it runs on (:func:`caller_of`), before the operation.
(Each extra crossing cost as much CPU as the usage rules themselves; see
docs/decisions.md, "One thread hop per request".) A malformed body is therefore answered
422 whatever the token, before the token is looked at: the body's shape is public in the
OpenAPI document, and nothing runs for it.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from backend.context import Context
from backend.errors import AuthError
from backend.interface import Caller
from backend.services.shop import api_tokens

#: the security scheme the OpenAPI document names (the stream's dependency declares it)
bearer = HTTPBearer(auto_error=False, description="A token from `autoos-checkout token create`.")
#: an operation's ``security`` in the OpenAPI document
BEARER_SECURITY: list[dict[str, list[str]]] = [{"HTTPBearer": []}]


async def get_ctx(request: Request) -> Context:
    return request.app.state.ctx


def bearer_token(request: Request) -> str:
    """The token the request presents (401 without one); :func:`caller_of` checks it.
    Read from the header, as ``HTTPBearer`` reads it, without a dependency to solve."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    token = token.strip()
    if not token or scheme.lower() != "bearer":
        raise AuthError("Sign in: send the header 'Authorization: Bearer <token>'.")
    return token


def caller_of(request: Request, ctx: Context, token: str) -> Caller:
    """The caller a live token stands for (the audit log names it ``api:<token name>``);
    a database read, so it runs on a worker thread."""
    row = api_tokens.authenticate(ctx, token)
    # a kiosk's or till's token names the terminal its payments are taken on
    caller = Caller(row["role"], f"api:{row['name']}", terminal=row["name"])
    request.state.caller = caller
    return caller


def token_caller(
    request: Request, _scheme: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
) -> Caller:
    """The caller, as a dependency of an endpoint that is not an operation (the stream);
    ``bearer`` puts the scheme in the OpenAPI document."""
    return caller_of(request, request.app.state.ctx, bearer_token(request))


#: handler parameter type: ``ctx: Ctx``
Ctx = Annotated[Context, Depends(get_ctx)]
