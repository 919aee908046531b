"""How the store is set up, and its payments list: what the windows of a remote kiosk,
display or till read (through the same facade the local windows use)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query

from backend.api import models
from backend.api.auth import ADMIN, COUNTER, KIOSK, Ctx, CurrentCaller
from backend.api.routing import endpoint
from backend.facade import LocalCheckoutService
from backend.services.payments import payment_queries
from backend.services.shop import settings_edit

router = APIRouter(tags=["store"])

#: what a self-service screen may see of other people's payments: enough to follow the
#: newest request (its details come from /payments/qr-code/{id}), nothing about whom
KIOSK_FIELDS = ("id", "method", "status", "created_at", "expires_at")
KIOSK_MAX_ROWS = 5


@endpoint(
    router,
    "GET",
    "/payments/settings",
    roles=COUNTER,
    summary="The store's settings a screen may show (never a secret)",
    errors=(),
)
def settings_view(ctx: Ctx, caller: CurrentCaller) -> dict:
    return LocalCheckoutService(ctx, caller.actor).settings_view()


@endpoint(
    router,
    "GET",
    "/settings",
    roles=(ADMIN,),
    summary="The settings an admin may change, with their values and what locks them",
    errors=(),
    response_model=models.EditableSettings,
)
def editable_settings(ctx: Ctx) -> dict:
    return settings_edit.editable_settings(ctx)


@endpoint(
    router,
    "POST",
    "/settings",
    roles=(ADMIN,),
    summary="Change settings: checked, saved to the server's settings file, applied",
    description="All or nothing: the first bad value is 422 naming `section.key`.",
    errors=(503,),
    response_model=models.EditableSettings,
)
def update_settings(body: models.SettingsChanges, ctx: Ctx, caller: CurrentCaller) -> dict:
    changes = body.model_dump(exclude_none=True)
    return settings_edit.update_settings(ctx, changes, actor=caller.actor)


@endpoint(
    router,
    "GET",
    "/payments/list",
    roles=COUNTER,
    summary="Payments, newest first, by status, method, dates (UTC days) or customer",
    description=f"A kiosk token gets at most {KIOSK_MAX_ROWS} rows with only "
    f"{', '.join(KIOSK_FIELDS)}.",
    errors=(),
)
def list_payments(
    ctx: Ctx,
    caller: CurrentCaller,
    status: Annotated[
        Literal["pending", "succeeded", "failed", "expired", "canceled", "refunded", "late"] | None,
        Query(),
    ] = None,
    method: Annotated[
        Literal["upi_qr", "stripe_checkout", "stripe_terminal", "card_on_file"] | None, Query()
    ] = None,
    date_from: Annotated[str | None, Query(pattern=r"^\d{4}-\d{2}-\d{2}$")] = None,
    date_to: Annotated[str | None, Query(pattern=r"^\d{4}-\d{2}-\d{2}$")] = None,
    customer_id: Annotated[int | None, Query(gt=0, lt=2**53)] = None,
    limit: Annotated[int, Query(ge=1, le=2000)] = 500,
) -> dict:
    kiosk = caller.role == KIOSK
    rows = payment_queries.list_payments(
        ctx,
        status=status,
        method=method,
        date_from=date_from,
        date_to=date_to,
        customer_id=None if kiosk else customer_id,
        limit=min(limit, KIOSK_MAX_ROWS) if kiosk else limit,
    )
    if kiosk:
        rows = [{key: row.get(key) for key in KIOSK_FIELDS} for row in rows]
    return {"payments": rows}
