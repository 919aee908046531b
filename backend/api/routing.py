"""Declaring an endpoint together with the roles that may call it.

:func:`endpoint` wraps ``router.get/post`` so that the role check, the role list in
the OpenAPI description and the documented error responses are never out of step.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Depends

from backend.api.auth import allow
from backend.api.errors import ErrorResponse

_ERRORS = {
    400: "Bad request (e.g. a webhook signature that does not verify).",
    401: "Missing, unknown or revoked token.",
    403: "The token's role may not call this endpoint.",
    404: "No such customer, payment or invoice.",
    409: "The change contradicts what is stored (e.g. a second trial).",
    422: "The request is not valid.",
    502: "The payment provider refused the request.",
    503: "Not configured here, or the payment provider is unreachable; try again.",
}


def error_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    return {code: {"model": ErrorResponse, "description": _ERRORS[code]} for code in codes}


def endpoint(
    router: APIRouter,
    method: str,
    path: str,
    *,
    roles: tuple[str, ...] | None,
    summary: str,
    errors: tuple[int, ...] = (404, 409, 503),
    **kwargs: Any,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """``roles=None`` means no bearer token (webhooks and health: they prove themselves)."""
    dependencies = list(kwargs.pop("dependencies", []))
    description = kwargs.pop("description", "")
    codes = set(errors)
    if roles is not None:
        dependencies.append(Depends(allow(*roles)))
        description = f"Roles: {', '.join(roles)}.\n\n{description}".strip()
        codes |= {401, 403}
    return router.api_route(
        path,
        methods=[method],
        summary=summary,
        description=description,
        dependencies=dependencies,
        responses={**kwargs.pop("responses", {}), **error_responses(*sorted(codes))},
        openapi_extra={
            **kwargs.pop("openapi_extra", {}),
            "x-roles": list(roles) if roles is not None else [],
        },
        **kwargs,
    )
