"""The application factory: ``create_app(ctx)`` builds the FastAPI app around a context.

Nothing happens at import time; the caller (``autoos-checkout serve``, a test or the
benchmark) owns the context and its store. Handlers are plain ``def`` functions, so
FastAPI runs them in its threadpool and the :class:`~backend.store.Store` lock
serialises their SQLite work.
"""

from __future__ import annotations

import threading

from fastapi import FastAPI

from backend.api import errors, stream, webhooks
from backend.api.access_log import AccessLog
from backend.api.operations import add_operations
from backend.context import Context

DESCRIPTION = """The AUTOOS Checkout store server: pricing, trials and credits, usage
checks for AUTOOS, UPI QR and Stripe card payments, subscriptions, invoices and the
payment providers' webhooks.

Every endpoint except `/health` and the webhooks needs `Authorization: Bearer <token>`
(`autoos-checkout token create --role kiosk|staff|admin|autoos`). Each endpoint's
description names the roles that may call it. Money is an integer of minor units with
its currency; times are ISO 8601 UTC. Errors are `{"error": {"code", "message"}}`.
"""


def create_app(ctx: Context) -> FastAPI:
    """The API over ``ctx`` (the same backend services the GUI uses)."""
    app = FastAPI(
        title="AUTOOS Checkout API",
        version="1.0.0",
        description=DESCRIPTION,
        responses={
            422: {"model": errors.ErrorResponse, "description": "The request is not valid."},
            500: {"model": errors.ErrorResponse, "description": "Unexpected server error."},
        },
    )
    app.state.ctx = ctx
    #: set when the server stops: open payment streams end
    app.state.closing = threading.Event()
    errors.install(app)
    add_operations(app.router)  # every operation of the interface
    app.include_router(stream.router)  # payment changes pushed to remote screens
    app.include_router(webhooks.router)
    app.add_middleware(AccessLog)
    return app
