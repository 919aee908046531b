"""Turning a failed background operation into words for the person at the till."""

from __future__ import annotations

import logging

from backend.errors import CheckoutError, TransientError

log = logging.getLogger(__name__)


def say(exc: BaseException) -> str:
    """The message to show: the backend's own words, or a calm generic line."""
    if isinstance(exc, TransientError):
        return f"{exc} The sale is kept; try again when the connection is back."
    if isinstance(exc, CheckoutError):
        return str(exc)
    log.exception("unexpected error", exc_info=exc)
    return f"Something went wrong ({type(exc).__name__}). Nothing was charged; please try again."


def field_of(exc: BaseException) -> str | None:
    """The form field an error is about (``email``, ``phone``...), if it names one."""
    return getattr(exc, "field", None) if isinstance(exc, CheckoutError) else None
