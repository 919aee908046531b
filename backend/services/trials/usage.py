"""Usage limits: where a customer stands, and recording what AUTOOS reports.

The rules live in :mod:`backend.services.trials.usage_rules`; events are recorded, one or
many, by :mod:`backend.services.trials.usage_events`. This module answers the reads: the
plan in force and the summary the Customers screen and dashboards show.

Metering is its own audit trail: each event row is append-only and names its ``actor``,
and a debit is a ledger entry keyed by the event id, so usage events do not also write
``audit_log`` rows (which would bury the staff and admin changes the audit log is for).
Changes a usage event causes beyond that, such as expiring a trial, are audited.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from backend.clock import to_iso
from backend.context import Context
from backend.errors import NotFound
from backend.services.trials import credits, trials
from backend.services.trials.usage_rules import Plan, Standing, standings


def standing(ctx: Context, customer_id: int, now: datetime | None = None) -> Standing:
    """Where the rules see the customer now (reads only). NotFound for no such customer."""
    found = standings(ctx, [customer_id], now or ctx.clock.now())
    if customer_id not in found:
        raise NotFound(f"There is no customer number {customer_id}.")
    return found[customer_id]


def current_plan(ctx: Context, customer_id: int, now: datetime | None = None) -> Plan:
    """Work out the customer's plan (reads only). Raises NotFound for no such customer."""
    return standing(ctx, customer_id, now).plan


def _workflows_in_month(ctx: Context, customer_id: int, month: str) -> int:
    return int(
        ctx.store.scalar(
            "SELECT count(*) FROM usage_events WHERE customer_id=? AND kind='workflow' "
            "AND month=? AND allowed=1",
            (customer_id, month),
        )
    )


def agents_running(ctx: Context, customer_id: int) -> int:
    return standing(ctx, customer_id).agents


def usage_summary(ctx: Context, customer_id: int) -> dict[str, Any]:
    """Where a customer stands now, for the Customers screen, dashboards and the API."""
    now = ctx.clock.now()
    found = standing(ctx, customer_id, now)
    plan = found.plan
    month = to_iso(now)[:7]
    limits = plan.tier.limits if plan.tier else None
    spent = credits.totals(ctx, customer_id)
    return {
        "customer": customer_id,
        "tier": plan.tier.id if plan.tier else None,
        "tier_name": plan.tier.name if plan.tier else None,
        "plan_source": plan.source,
        "plan_status": plan.refusal or "active",
        "month": month,
        "workflows_used": _workflows_in_month(ctx, customer_id, month),
        "workflows_limit": limits.workflows_per_month if limits else 0,
        "agents_running": found.agents,
        "agents_limit": limits.concurrent_agents if limits else 0,
        "credit_based": plan.credit_based,
        "credits_granted": spent["granted"],
        "credits_purchased": spent["adjusted"],
        "credits_used": spent["used"],
        "credits_expired": spent["expired"],
        "credits_left": spent["left"],
        "trial": trials.trial_status(ctx, customer_id),
    }
