"""The Stripe sync, seen and nudged from another machine: its state, one pass now."""

from __future__ import annotations

from fastapi import APIRouter

from backend.api import models
from backend.api.auth import COUNTER, STAFF_ONLY, Ctx, CurrentCaller
from backend.api.routing import endpoint
from backend.services.cards import stripe_sync
from backend.sync import outbox

router = APIRouter(tags=["sync"])


@endpoint(
    router,
    "GET",
    "/payments/sync-state",
    roles=COUNTER,
    summary="Online or not, operations waiting for Stripe, failures",
    errors=(),
    response_model=models.SyncState,
)
def sync_state(ctx: Ctx) -> dict:
    return outbox.sync_state(ctx)


@endpoint(
    router,
    "POST",
    "/payments/sync",
    roles=STAFF_ONLY,
    summary="Run one Stripe sync pass now (push, drain the outbox, pull events)",
    errors=(),
)
def sync_once(ctx: Ctx, caller: CurrentCaller) -> dict:
    return stripe_sync.sync_once(ctx, actor=caller.actor)
