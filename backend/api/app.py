"""The application factory: ``create_app(ctx)`` builds the FastAPI app around a context.

Nothing happens at import time; the caller (``autoos-checkout serve``, a test or the
benchmark) owns the context and its store. Handlers are plain ``def`` functions, so
FastAPI runs them in its threadpool and the :class:`~backend.store.Store` lock
serialises their SQLite work.
"""

from __future__ import annotations

import importlib

from fastapi import FastAPI

from backend.api import errors
from backend.api.access_log import AccessLog
from backend.context import Context

#: route modules, in the order their endpoints appear in the OpenAPI document
ROUTE_MODULES = (
    "backend.api.routes.catalog",
    "backend.api.routes.customers",
    "backend.api.routes.staff",
    "backend.api.routes.trials",
    "backend.api.routes.upi",
    "backend.api.routes.cards",
    "backend.api.routes.subscriptions",
    "backend.api.routes.history",
    "backend.api.routes.sync",
    "backend.api.routes.store",
    "backend.api.routes.webhooks",
)

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
    errors.install(app)
    for name in ROUTE_MODULES:
        app.include_router(importlib.import_module(name).router)
    app.add_middleware(AccessLog)
    return app
