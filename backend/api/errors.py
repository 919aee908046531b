"""Every error the API returns has one shape: ``{"error": {"code", "message"}}``.

:func:`status_for` maps the backend's error hierarchy to HTTP status codes, so a
handler just raises what the service raised.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from backend.errors import (
    AccountLocked,
    AuthError,
    CheckoutError,
    ConfigError,
    Conflict,
    ExternalError,
    NotFound,
    PermissionDenied,
    RejectedError,
    SignatureError,
    StoreError,
    TransientError,
    ValidationError,
    WrongPin,
)

log = logging.getLogger("autoos_checkout.api")

#: most specific class first
STATUS: tuple[tuple[type[CheckoutError], int], ...] = (
    (SignatureError, 400),
    (ValidationError, 422),
    (NotFound, 404),
    (Conflict, 409),
    (PermissionDenied, 403),
    (WrongPin, 401),
    (AccountLocked, 401),
    (AuthError, 401),
    (ConfigError, 503),  # NotConfigured and a broken catalog: the service is not usable
    (TransientError, 503),
    (RejectedError, 502),
    (ExternalError, 502),
    (StoreError, 503),
)


class ErrorBody(BaseModel):
    code: str
    message: str
    field: str | None = None
    problems: dict[str, str] | None = None  # every refused field, when several were


class ErrorResponse(BaseModel):
    """The body of every 4xx/5xx response."""

    error: ErrorBody


def status_for(exc: CheckoutError) -> int:
    for cls, status in STATUS:
        if isinstance(exc, cls):
            return status
    return 400


def error_response(
    status: int,
    code: str,
    message: str,
    field: str | None = None,
    problems: dict[str, str] | None = None,
    **headers: str,
) -> JSONResponse:
    body: dict[str, Any] = {"code": code, "message": message}
    if field:
        body["field"] = field
    if problems:
        body["problems"] = problems
    return JSONResponse({"error": body}, status_code=status, headers=headers or None)


def _describe(errors: list[Any]) -> tuple[str, str | None]:
    """One readable sentence from pydantic's error list, naming the first bad field."""
    parts = []
    first_field = None
    for err in errors[:3]:
        loc = [str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path")]
        where = ".".join(loc) or "request body"
        first_field = first_field or (loc[0] if loc else None)
        parts.append(f"{where}: {err.get('msg', 'invalid')}")
    return "; ".join(parts) or "The request is not valid.", first_field


def install(app: FastAPI) -> None:
    """Register the handlers that turn every failure into the one error shape."""

    @app.exception_handler(CheckoutError)
    async def checkout_error(request: Request, exc: CheckoutError) -> JSONResponse:
        status = status_for(exc)
        headers = {"WWW-Authenticate": "Bearer"} if status == 401 else {}
        if status >= 500:
            log.warning("%s %s -> %s %s", request.method, request.url.path, status, exc.code)
        problems = getattr(exc, "problems", None)
        return error_response(status, exc.code, exc.message, exc.field, problems, **headers)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        message, field = _describe(list(exc.errors()))
        return error_response(422, ValidationError.code, message, field)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        codes = {404: "not_found", 405: "method_not_allowed"}
        message = exc.detail if isinstance(exc.detail, str) else "The request failed."
        if exc.status_code == 404:
            message = f"There is no endpoint {request.url.path}."
        return error_response(exc.status_code, codes.get(exc.status_code, "http_error"), message)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error in %s %s", request.method, request.url.path)
        return error_response(500, "internal", "Something went wrong on the server; try again.")
