"""The rules of usage: what a customer's plan allows, decided against their standing.

A customer's :class:`Standing` (plan, credits, agents running, workflows this month) is
read for many customers at once (:func:`standings`, one or two queries whatever their
number), then each event is decided in memory by :func:`decide`, which updates the
standing so the next event sees what this one did. One event at a time and a batch of a
thousand go through exactly these two functions (:mod:`backend.services.trials.usage_events`
writes what they decide). The rules are listed in docs/decisions.md ("Trials, credits and
usage").
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from backend.clock import parse_iso, to_iso
from backend.context import Context
from backend.domain import autopay
from backend.domain.catalog import Tier
from backend.errors import ConfigError, NotFound, ValidationError
from backend.services.trials import credits

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


#: a plan whose trial was just found past its end and is being expired
TRIAL_EXPIRED = Plan(None, None, "trial_expired")


@dataclass
class Standing:
    """One customer as the rules see them, kept current while events are decided."""

    plan: Plan
    agents: int = 0  # agents running
    workflows: int = 0  # workflows allowed this month (read when the plan caps them)
    granted: int = 0  # credit balances by bucket
    purchased: int = 0

    @property
    def credits_left(self) -> int:
        return self.granted + self.purchased


@dataclass(frozen=True)
class Decision:
    """What one event comes to: refused (``refusal``) or allowed, the change to the agents
    running, the credits left to show (None off credits), and the bucket debited."""

    refusal: str | None
    agents_delta: int = 0
    credits_left: int | None = None
    debit_bucket: str | None = None


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


def marks(count: int) -> str:
    """``?, ?, …`` for an ``IN`` list of ``count`` values."""
    return ", ".join("?" * count)


#: one read for the standing of many customers: each customer, their trial, their
#: subscriptions in force (a past-due UPI AutoPay plan only during its grace period after
#: the failed renewal), whether one lapsed (past due beyond the grace), the agents they
#: run and their credit balances by bucket
STANDING_QUERY = """
SELECT c.id, t.status, t.ends_at,
    (SELECT group_concat(s.tier, ' ') FROM subscriptions s
     WHERE s.customer_id = c.id AND s.status IN ('active', 'trialing', 'past_due')
       AND (s.current_period_end IS NULL OR s.current_period_end > ?)
       AND (s.status <> 'past_due' OR s.past_due_since IS NULL OR s.past_due_since > ?)),
    (SELECT count(*) FROM subscriptions s
     WHERE s.customer_id = c.id AND s.status = 'past_due'
       AND s.past_due_since IS NOT NULL AND s.past_due_since <= ?),
    COALESCE((SELECT a.running FROM usage_agents a WHERE a.customer_id = c.id), 0),
    (SELECT COALESCE(SUM(l.amount), 0) FROM credit_ledger l
     WHERE l.customer_id = c.id AND l.bucket = 'granted'),
    (SELECT COALESCE(SUM(l.amount), 0) FROM credit_ledger l
     WHERE l.customer_id = c.id AND l.bucket = 'purchased')
FROM customers c LEFT JOIN trials t ON t.customer_id = c.id
WHERE c.id IN ({ids})
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


def _plan(
    ctx: Context,
    trial_state: str | None,
    trial_ends: str | None,
    tiers: str | None,
    lapsed: int,
    now: datetime,
) -> Plan:
    if tiers:
        return Plan(_highest_tier(ctx, tiers), "subscription")
    if lapsed:
        return Plan(None, None, "payment_overdue")  # the grace period is over
    if trial_state == "active":
        assert trial_ends is not None
        if parse_iso(trial_ends) > now:
            return Plan(ctx.catalog.trial, "trial")
        return Plan(None, None, "trial_expired", trial_due=True)
    if trial_state == "expired":
        return TRIAL_EXPIRED
    return Plan(None, None, "no_plan")


def standings(ctx: Context, customer_ids: Collection[int], now: datetime) -> dict[int, Standing]:
    """Each existing customer's standing at ``now``, read in one query (two when a plan
    caps workflows a month). The caller holds the customers' locks or only reads."""
    ids = sorted(set(customer_ids))
    if not ids:
        return {}
    at, grace_start = to_iso(now), to_iso(now - autopay.GRACE)
    found = {
        cid: Standing(
            _plan(ctx, trial_state, trial_ends, tiers, lapsed, now),
            agents=agents,
            granted=granted,
            purchased=bought,
        )
        for cid, trial_state, trial_ends, tiers, lapsed, agents, granted, bought in (
            ctx.store.fetchall(
                STANDING_QUERY.format(ids=marks(len(ids))), (at, grace_start, grace_start, *ids)
            )
        )
    }
    capped = [
        cid
        for cid, s in found.items()
        if s.plan.tier is not None and s.plan.tier.limits.workflows_per_month is not None
    ]
    if capped:
        for cid, count in ctx.store.fetchall(
            "SELECT customer_id, count(*) FROM usage_events WHERE kind='workflow' "
            f"AND month=? AND allowed=1 AND customer_id IN ({marks(len(capped))}) "
            "GROUP BY customer_id",
            (at[:7], *capped),
        ):
            found[cid].workflows = count
    return found


def decide(standing: Standing, kind: str) -> Decision:
    """Apply the rules to one event and update ``standing`` with its effect."""
    plan = standing.plan
    left = standing.credits_left if plan.credit_based else None
    if kind == "agent_stop":
        delta = -1 if standing.agents > 0 else 0
        standing.agents += delta
        return Decision(None, delta, left)
    if plan.tier is None:
        return Decision(plan.refusal)
    limits = plan.tier.limits
    if kind == "agent_start":
        cap = limits.concurrent_agents
        if cap is not None and standing.agents >= cap:
            return Decision("agent_limit", 0, left)
        standing.agents += 1
        return Decision(None, 1, left)
    cap = limits.workflows_per_month
    if cap is not None and standing.workflows >= cap:
        return Decision("monthly_limit", 0, left)
    bucket = None
    if plan.credit_based:
        if standing.credits_left < 1:
            return Decision("no_credits", 0, 0)
        have = {"granted": standing.granted, "purchased": standing.purchased}
        ((bucket, _),) = credits.split_debit(have, 1)
        setattr(standing, bucket, have[bucket] - 1)
        left = standing.credits_left
    standing.workflows += 1
    return Decision(None, 0, left, bucket)
