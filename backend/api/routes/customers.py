"""Customers: create (the original ``create-customer``), look up, fetch."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from backend.api import models
from backend.api.auth import ALL_ROLES, AUTOOS, KIOSK, Ctx, CurrentCaller
from backend.api.routing import endpoint
from backend.domain.identity import normalize_email, normalize_phone
from backend.errors import ValidationError
from backend.services.shop import customers

router = APIRouter(tags=["customers"])


@endpoint(
    router,
    "POST",
    "/payments/create-customer",
    roles=ALL_ROLES,
    summary="Create a customer (email or phone required; both unique)",
    status_code=201,
    errors=(409,),
    response_model=models.Customer,
)
def create_customer(
    body: models.CreateCustomer,
    ctx: Ctx,
    caller: CurrentCaller,
) -> dict:
    return customers.add_customer(
        ctx,
        name=body.name,
        email=body.email,
        phone=body.phone,
        state=body.state,
        actor=caller.actor,
    )


@endpoint(
    router,
    "GET",
    "/payments/customers",
    roles=ALL_ROLES,
    summary="Find customers by exact email or phone, number, or name prefix",
    description="Kiosk and AUTOOS tokens get exact email or phone matches only: a "
    "self-service screen or an outside program must not list other people.",
    errors=(),
    response_model=models.CustomerList,
)
def find_customers(
    ctx: Ctx,
    caller: CurrentCaller,
    q: Annotated[str, Query(max_length=254)] = "",
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> dict:
    found = customers.find_customers(ctx, q, limit)
    if caller.role in (KIOSK, AUTOOS):
        found = [c for c in found if _exact_contact(q, c)]
    return {"customers": found}


def _exact_contact(query: str, customer: dict) -> bool:
    """Whether ``query`` is this customer's email or phone (as the kiosk user typed it)."""
    text = query.strip()
    try:
        if "@" in text:
            return customer["email"] == normalize_email(text)
        return bool(text) and customer["phone"] == normalize_phone(text)
    except ValidationError:
        return False


@endpoint(
    router,
    "GET",
    "/payments/customers/{customer_id}",
    roles=ALL_ROLES,
    summary="One customer",
    errors=(404,),
    response_model=models.Customer,
)
def get_customer(
    customer_id: models.CustomerIdPath,
    ctx: Ctx,
) -> dict:
    return customers.get_customer(ctx, customer_id)
