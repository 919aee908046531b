"""Staff accounts over the API: PIN check (a kiosk unlocking for an admin), list, add."""

from __future__ import annotations

from fastapi import APIRouter

from backend.api import models
from backend.api.auth import ADMIN, COUNTER, Ctx, CurrentCaller
from backend.api.routing import endpoint
from backend.services.shop import staff

router = APIRouter(tags=["staff"])


@endpoint(
    router,
    "POST",
    "/staff/authenticate",
    roles=COUNTER,
    summary="Check a staff member's PIN (five wrong PINs lock the account for five minutes)",
    description="A wrong PIN is 401 with code `wrong_pin`, a locked account `locked`.",
    errors=(),
    response_model=models.StaffOut,
)
def authenticate(body: models.PinLogin, ctx: Ctx) -> dict:
    return staff.authenticate(ctx, body.name, body.pin)


@endpoint(
    router,
    "GET",
    "/staff",
    roles=(ADMIN,),
    summary="Active staff accounts",
    errors=(),
    response_model=models.StaffList,
)
def list_staff(ctx: Ctx) -> dict:
    return {"staff": staff.list_staff(ctx)}


@endpoint(
    router,
    "POST",
    "/staff",
    roles=(ADMIN,),
    summary="Add a staff member or admin",
    status_code=201,
    errors=(409,),
    response_model=models.StaffOut,
)
def add_staff(body: models.NewStaff, ctx: Ctx, caller: CurrentCaller) -> dict:
    return staff.add_staff(ctx, name=body.name, role=body.role, pin=body.pin, actor=caller.actor)
