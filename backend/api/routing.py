"""The documented error responses of an endpoint, and the one hand-written kind of
endpoint: a provider's webhook, which proves itself with a signature, not a token
(every other route is generated from the interface: :mod:`backend.api.operations`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter

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


def webhook(
    router: APIRouter, path: str, *, summary: str, **kwargs: Any
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """A POST route with no bearer token: the handler verifies the provider's signature
    over the raw body before anything is read."""
    return router.api_route(
        path,
        methods=["POST"],
        summary=summary,
        responses=error_responses(400, 503),
        openapi_extra={
            "x-roles": [],
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": {"type": "object"}}},
            },
        },
        **kwargs,
    )
