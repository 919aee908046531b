"""Bearer-token authentication: who is calling.

No token, or one that is unknown or revoked, is 401. What the caller may do is the
operation's own check (:meth:`backend.interface.Caller.require`), the same for every
front end; a valid token of another role is then 403. The dependency is a plain ``def``
so FastAPI runs its database lookup in the threadpool.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from backend.context import Context
from backend.errors import AuthError
from backend.interface import Caller
from backend.services.shop import api_tokens

bearer = HTTPBearer(auto_error=False, description="A token from `autoos-checkout token create`.")


def get_ctx(request: Request) -> Context:
    return request.app.state.ctx


def token_caller(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Caller:
    """The caller a bearer token stands for (the audit log names it ``api:<token name>``)."""
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise AuthError("Sign in: send the header 'Authorization: Bearer <token>'.")
    row = api_tokens.authenticate(get_ctx(request), credentials.credentials)
    # a kiosk's or till's token names the terminal its payments are taken on
    caller = Caller(row["role"], f"api:{row['name']}", terminal=row["name"])
    request.state.caller = caller
    return caller


#: handler parameter type: ``ctx: Ctx``
Ctx = Annotated[Context, Depends(get_ctx)]
