"""Usage limits: "may this customer start a workflow / an agent?", answered and recorded.

The check and its effect (a credit debit, an agent counted as running) happen in one
write transaction, so two processes can never both take the last credit. Each event
carries its caller's id: a repeated id returns the first answer and changes nothing.
The rules are listed in docs/decisions.md ("Trials, credits and usage").

Metering is its own audit trail: each event row is append-only and names its ``actor``,
and a debit is a ledger entry keyed by the event id, so usage events do not also write
``audit_log`` rows (which would bury the staff and admin changes the audit log is for).
Changes a usage event causes beyond that, such as expiring a trial, are audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from backend.clock import parse_iso, to_iso
from backend.context import Context
from backend.domain import autopay
from backend.domain.catalog import Tier
from backend.errors import (
    ConfigError,
    ConstraintViolation,
    IdempotencyConflict,
    NotFound,
    ValidationError,
)
from backend.services.trials import credits, trials

KINDS = ("workflow", "agent_start", "agent_stop")
REASONS = (
    "no_credits",
    "monthly_limit",
    "agent_limit",
    "trial_expired",
    "no_plan",
    "payment_overdue",
)
EVENT_ID_MAX = 200


@dataclass(frozen=True)
class Plan:
    """What a customer is on right now. ``tier`` is None when they may not use anything;
    ``refusal`` then says why (``trial_expired``, ``no_plan``, or ``payment_overdue``: an
    AutoPay renewal failed and its grace period is over)."""

    tier: Tier | None
    source: str | None  # "subscription", "trial" or None
    refusal: str | None = None
    trial_due: bool = False  # an active trial found past its end (to be expired)

    @property
    def credit_based(self) -> bool:
        return self.source == "trial"


def check_event(kind: object, event_id: object, *, ascii_only: bool = False) -> None:
    """Refuse an unknown kind or an id that is not 1 to 200 printable characters
    (``ascii_only``: printable ASCII, as the REST API's ``event_id`` is)."""
    if kind not in KINDS:
        raise ValidationError(
            f"Unknown usage kind {kind!r}: use workflow, agent_start or agent_stop.",
            field="kind",
        )
    if (
        not isinstance(event_id, str)
        or not event_id.strip()
        or len(event_id) > EVENT_ID_MAX
        or not event_id.isprintable()
        or (ascii_only and not event_id.isascii())
    ):
        raise ValidationError(
            f"A usage event needs an id of 1 to {EVENT_ID_MAX} printable characters.",
            field="event_id",
        )


#: one read for the whole plan: the customer, their trial, their subscriptions in force
#: (a past-due UPI AutoPay plan only during its grace period after the failed renewal)
PLAN_QUERY = """
SELECT c.id, t.status, t.ends_at,
    (SELECT group_concat(s.tier, ' ') FROM subscriptions s
     WHERE s.customer_id = c.id AND s.status IN ('active', 'trialing', 'past_due')
       AND (s.current_period_end IS NULL OR s.current_period_end > ?)
       AND (s.status <> 'past_due' OR s.past_due_since IS NULL OR s.past_due_since > ?))
FROM customers c LEFT JOIN trials t ON t.customer_id = c.id
WHERE c.id = ?
"""


def _highest_tier(ctx: Context, tier_ids: str) -> Tier:
    """The highest-ranked of the tiers (ids joined by spaces) of subscriptions in force."""
    best: Tier | None = None
    for tier_id in tier_ids.split():
        try:
            tier = ctx.catalog.get(tier_id)
        except NotFound:
            raise ConfigError(
                f"A subscription is on the plan {tier_id!r}, which is not in the catalog "
                f"({ctx.catalog.source})."
            ) from None
        if best is None or tier.order > best.order:
            best = tier
    assert best is not None
    return best


def current_plan(ctx: Context, customer_id: int, now: datetime | None = None) -> Plan:
    """Work out the customer's plan (reads only). Raises NotFound for no such customer."""
    now = now or ctx.clock.now()
    grace_start = to_iso(now - autopay.GRACE)  # past due since before this: lapsed
    row = ctx.store.fetchone(PLAN_QUERY, (to_iso(now), grace_start, customer_id))
    if row is None:
        raise NotFound(f"There is no customer number {customer_id}.")
    _, trial_state, trial_ends, tier_ids = row
    if tier_ids:
        return Plan(_highest_tier(ctx, tier_ids), "subscription")
    if ctx.store.fetchone(
        "SELECT 1 FROM subscriptions WHERE customer_id=? AND status='past_due' "
        "AND past_due_since IS NOT NULL AND past_due_since <= ?",
        (customer_id, grace_start),
    ):
        return Plan(None, None, "payment_overdue")  # lapsed: the grace period is over
    if trial_state == "active":
        if parse_iso(trial_ends) > now:
            return Plan(ctx.catalog.trial, "trial")
        return Plan(None, None, "trial_expired", trial_due=True)
    if trial_state == "expired":
        return Plan(None, None, "trial_expired")
    return Plan(None, None, "no_plan")


def _workflows_in_month(ctx: Context, customer_id: int, month: str) -> int:
    return int(
        ctx.store.scalar(
            "SELECT count(*) FROM usage_events WHERE customer_id=? AND kind='workflow' "
            "AND month=? AND allowed=1",
            (customer_id, month),
        )
    )


def agents_running(ctx: Context, customer_id: int) -> int:
    row = ctx.store.fetchone("SELECT running FROM usage_agents WHERE customer_id=?", (customer_id,))
    return row[0] if row else 0


def _answer(allowed: bool, reason: str | None, credits_left: int | None) -> dict[str, Any]:
    return {"allowed": bool(allowed), "reason": reason, "credits_left": credits_left}


def _decide(
    ctx: Context, plan: Plan, customer_id: int, kind: str, event_id: str, month: str, actor: str
) -> tuple[str | None, int, int | None]:
    """Apply the rules; write the debit if any. Returns (refusal, agents_delta, credits_left)."""
    have = credits.balances(ctx, customer_id) if plan.credit_based else None
    left = have["total"] if have else None
    if kind == "agent_stop":
        return None, (-1 if agents_running(ctx, customer_id) > 0 else 0), left
    if plan.tier is None:
        return plan.refusal, 0, None
    limits = plan.tier.limits
    if kind == "agent_start":
        cap = limits.concurrent_agents
        if cap is not None and agents_running(ctx, customer_id) >= cap:
            return "agent_limit", 0, left
        return None, 1, left
    cap = limits.workflows_per_month
    if cap is not None and _workflows_in_month(ctx, customer_id, month) >= cap:
        return "monthly_limit", 0, left
    if have is not None:
        if have["total"] < 1:
            return "no_credits", 0, 0
        ((bucket, _),) = credits.split_debit(have, 1)
        credits.append(
            ctx,
            customer_id,
            kind="debit",
            bucket=bucket,
            amount=-1,
            reason="workflow",
            idempotency_key=f"usage:{event_id}",
            actor=actor,
        )
        left = have["total"] - 1
    return None, 0, left


def record_usage(
    ctx: Context, *, customer_id: int, kind: str, event_id: str, actor: str
) -> dict[str, Any]:
    """Check one usage event against the customer's plan, record it, and answer.

    Returns ``{"allowed", "reason", "credits_left"}``; ``credits_left`` is None when
    the plan does not run on credits. A repeated ``event_id`` returns the first answer
    (same customer and kind) or raises :class:`IdempotencyConflict`.
    """
    check_event(kind, event_id)
    with ctx.store.transaction(scope=("customer", (customer_id,))):
        return apply_event(ctx, customer_id=customer_id, kind=kind, event_id=event_id, actor=actor)


def apply_event(
    ctx: Context, *, customer_id: int, kind: str, event_id: str, actor: str
) -> dict[str, Any]:
    """The rules of :func:`record_usage` for one checked event, inside the caller's
    transaction: one event on its own, or each event of a batch
    (:mod:`backend.services.trials.usage_batch`)."""
    if not ctx.store.in_transaction:
        raise RuntimeError("a usage event is applied inside a write transaction")
    prior = ctx.store.fetchone(
        "SELECT customer_id, kind, allowed, reason, credits_left FROM usage_events "
        "WHERE event_id=?",
        (event_id,),
    )
    if prior is not None:
        if (prior[0], prior[1]) != (customer_id, kind):
            raise IdempotencyConflict(
                f"The usage event id {event_id!r} was already used for another "
                "customer or kind; send a new id."
            )
        return _answer(prior[2], prior[3], prior[4])
    now = ctx.clock.now()
    at = to_iso(now)
    plan = current_plan(ctx, customer_id, now)
    if plan.trial_due:
        trials.expire_trial(ctx, customer_id, actor=actor)
    month = at[:7]
    refusal, delta, left = _decide(ctx, plan, customer_id, kind, event_id, month, actor)
    try:
        ctx.store.execute(
            "INSERT INTO usage_events (event_id, customer_id, kind, at, month, allowed, "
            "reason, credits_left, actor, agents_delta) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (event_id, customer_id, kind, at, month, refusal is None, refusal, left, actor, delta),
        )
    except ConstraintViolation as exc:
        if exc.kind != "unique":
            raise
        # the same id, sent at the same moment for another customer, won the race (each
        # customer's events are serialised, different customers' run side by side)
        raise IdempotencyConflict(
            f"The usage event id {event_id!r} was already used for another customer or "
            "kind; send a new id."
        ) from None
    if delta > 0:
        ctx.store.execute(
            "INSERT INTO usage_agents (customer_id, running) VALUES (?, 1) "
            "ON CONFLICT(customer_id) DO UPDATE SET running = usage_agents.running + 1",
            (customer_id,),
        )
    elif delta < 0:
        ctx.store.execute(
            "UPDATE usage_agents SET running = running - 1 WHERE customer_id=?",
            (customer_id,),
        )
    return _answer(refusal is None, refusal, left)


def usage_summary(ctx: Context, customer_id: int) -> dict[str, Any]:
    """Where a customer stands now, for the Customers screen, dashboards and the API."""
    now = ctx.clock.now()
    plan = current_plan(ctx, customer_id, now)
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
        "agents_running": agents_running(ctx, customer_id),
        "agents_limit": limits.concurrent_agents if limits else 0,
        "credit_based": plan.credit_based,
        "credits_granted": spent["granted"],
        "credits_purchased": spent["adjusted"],
        "credits_used": spent["used"],
        "credits_expired": spent["expired"],
        "credits_left": spent["left"],
        "trial": trials.trial_status(ctx, customer_id),
    }
