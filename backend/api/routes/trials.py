"""Trials and usage: the calls AUTOOS makes ("may this customer start a workflow?")."""

from __future__ import annotations

from fastapi import APIRouter

from backend.api import models
from backend.api.auth import ADMIN, ALL_ROLES, AUTOOS, STAFF, Ctx, CurrentCaller
from backend.api.routing import endpoint
from backend.services.shop import customers
from backend.services.trials import trials, usage

router = APIRouter(tags=["trials and usage"])


@endpoint(
    router,
    "POST",
    "/payments/start-trial",
    roles=ALL_ROLES,
    summary="Start the customer's free trial (one per person) and grant its credits",
    status_code=201,
    response_model=models.TrialOut,
)
def start_trial(
    body: models.CustomerRef,
    ctx: Ctx,
    caller: CurrentCaller,
) -> dict:
    return trials.start_trial(ctx, body.customer_id, actor=caller.actor)


@endpoint(
    router,
    "GET",
    "/payments/trial-status",
    roles=ALL_ROLES,
    summary="The customer's trial as of now (status computed from the clock)",
    errors=(404,),
    response_model=models.TrialStatus,
)
def trial_status(
    customer_id: models.CustomerIdQuery,
    ctx: Ctx,
) -> dict:
    customers.get_customer(ctx, customer_id)
    return {"customer_id": customer_id, "trial": trials.trial_status(ctx, customer_id)}


@endpoint(
    router,
    "GET",
    "/payments/usage",
    roles=(STAFF, ADMIN, AUTOOS),
    summary="Plan, workflows this month, agents running and credits, against the limits",
    errors=(404,),
    response_model=models.UsageSummary,
)
def usage_summary(
    customer_id: models.CustomerIdQuery,
    ctx: Ctx,
) -> dict:
    customers.get_customer(ctx, customer_id)
    return usage.usage_summary(ctx, customer_id)


@endpoint(
    router,
    "POST",
    "/payments/usage",
    roles=(AUTOOS,),
    summary="Report a workflow or agent start/stop; answered allowed or denied with why",
    description="The check and its credit debit are one transaction. A refusal is a "
    "normal answer (200, `allowed: false`, `reason`). Re-sending an `event_id` returns "
    "the first answer and counts nothing again; reusing it for another customer or kind "
    "is 409.",
    errors=(404, 409),
    response_model=models.UsageAnswer,
)
def report_usage(
    body: models.UsageReport,
    ctx: Ctx,
    caller: CurrentCaller,
) -> dict:
    customers.get_customer(ctx, body.customer_id)
    answer = usage.record_usage(
        ctx,
        customer_id=body.customer_id,
        kind=body.kind,
        event_id=body.event_id,
        actor=caller.actor,
    )
    return {**answer, "event_id": body.event_id}
