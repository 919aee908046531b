"""What is sold and whether the server is up: ``/payments/pricing`` and ``/health``."""

from __future__ import annotations

from fastapi import APIRouter

from backend.api import models
from backend.api.auth import ALL_ROLES, Ctx
from backend.api.routing import endpoint
from backend.context import Context
from backend.domain.catalog import INTERVALS
from backend.domain.money import CURRENCIES, format_money

router = APIRouter(tags=["catalog"])


def pricing_view(ctx: Context) -> dict:
    """The catalog as sold, each price with its text; yearly prices only if enabled."""
    intervals = INTERVALS if ctx.settings.features.annual_billing else ("month",)
    tiers = []
    for tier in ctx.catalog:
        data = tier.to_json()
        data["prices"] = [
            {
                "currency": cur,
                "interval": iv,
                "amount": money.amount,
                "amount_text": format_money(money),
            }
            for (cur, iv), money in sorted(tier.prices.items())
            if iv in intervals
        ]
        tiers.append(data)
    return {"tiers": tiers, "currencies": sorted(CURRENCIES), "intervals": list(intervals)}


@endpoint(
    router,
    "GET",
    "/health",
    roles=None,
    summary="Is the server up (no token needed)",
    errors=(),
    response_model=models.Health,
)
def health(ctx: Ctx) -> dict:
    return {"status": "ok", "time": ctx.now_iso()}


@endpoint(
    router,
    "GET",
    "/payments/pricing",
    roles=ALL_ROLES,
    summary="The plans and their prices",
    errors=(),
    response_model=models.Pricing,
)
def pricing(ctx: Ctx) -> dict:
    return pricing_view(ctx)
