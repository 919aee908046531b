"""Free trials: one per person, a fixed length, credits granted once.

"One per person" is enforced on identity keys (see :mod:`backend.domain.identity`):
every key of the customer is recorded in ``trial_identities`` when the trial starts,
so a second trial under the same email (Gmail dots, ``+tags``) or the same phone
(written any way) is refused, even from a new customer record. Expiry is computed
from the clock: :func:`expire_due_trials` sweeps, and a usage event expires a trial
it finds past its end.
"""

from __future__ import annotations

from typing import Any

from backend.clock import parse_iso, to_iso
from backend.context import Context
from backend.domain.identity import email_identity, phone_identity
from backend.domain.renewals import days_left, trial_end
from backend.errors import DuplicateError, NotConfigured, StateError
from backend.services.shop.customers import get_customer
from backend.services.trials import credits
from backend.store import audit

ACTIVE_SUBSCRIPTION = ("active", "trialing", "past_due")


def grant_key(customer_id: int) -> str:
    return f"trial-grant:{customer_id}"


def expire_key(customer_id: int) -> str:
    return f"trial-expire:{customer_id}"


def identities(customer: dict[str, Any]) -> list[str]:
    """The identity keys of a customer (email and/or phone)."""
    keys = []
    if customer.get("email"):
        keys.append(email_identity(customer["email"]))
    if customer.get("phone"):
        keys.append(phone_identity(customer["phone"]))
    return keys


def _describe(identity: str) -> str:
    kind, _, value = identity.partition(":")
    return f"the {'email address' if kind == 'email' else 'phone number'} {value}"


def start_trial(ctx: Context, customer_id: int, *, actor: str) -> dict[str, Any]:
    """Start the customer's free trial and grant its credits, once per person."""
    if not ctx.settings.features.free_trial:
        raise NotConfigured(
            "Free trials are switched off (setting features.free_trial / ENABLE_FREE_TRIAL)."
        )
    tier = ctx.catalog.trial
    assert tier.trial_days is not None
    with ctx.store.transaction():
        customer = get_customer(ctx, customer_id)
        if ctx.store.one("SELECT 1 FROM trials WHERE customer_id=?", (customer_id,)):
            raise DuplicateError(f"{customer['name']} has already had a free trial.")
        if ctx.store.one(
            "SELECT 1 FROM subscriptions WHERE customer_id=? AND status IN (?, ?, ?)",
            (customer_id, *ACTIVE_SUBSCRIPTION),
        ):
            raise StateError(f"{customer['name']} already has a paid plan; no trial needed.")
        keys = identities(customer)
        for key in keys:
            earlier = ctx.store.one(
                "SELECT customer_id FROM trial_identities WHERE identity=?", (key,)
            )
            if earlier is not None:
                raise DuplicateError(
                    f"A free trial was already used with {_describe(key)} "
                    f"(customer {earlier['customer_id']}); there is one trial per person."
                )
        now = ctx.clock.now()
        started, ends = to_iso(now), to_iso(trial_end(now, tier.trial_days))
        granted = tier.limits.credits or 0
        ctx.store.execute(
            "INSERT INTO trials (customer_id, started_at, ends_at, credits_granted, status) "
            "VALUES (?, ?, ?, ?, 'active')",
            (customer_id, started, ends, granted),
        )
        ctx.store.executemany(
            "INSERT INTO trial_identities (identity, customer_id, created_at) VALUES (?, ?, ?)",
            [(key, customer_id, started) for key in keys],
        )
        if granted:
            credits.append(
                ctx,
                customer_id,
                kind="grant",
                bucket="granted",
                amount=granted,
                reason=f"{tier.name}: {granted} credits",
                idempotency_key=grant_key(customer_id),
                actor=actor,
            )
        audit.record(
            ctx, actor, "trial.start", "customer", customer_id, ends_at=ends, credits=granted
        )
    return {
        "customer": customer_id,
        "credits": granted,
        "started_at": started,
        "ends_at": ends,
        "status": "active",
        "tier": tier.id,
    }


def trial_status(ctx: Context, customer_id: int) -> dict[str, Any] | None:
    """The customer's trial as of now, or ``None`` if they never had one.

    ``status`` is computed from the clock: an active trial past its end reads
    ``expired`` even before the sweep has recorded it.
    """
    row = ctx.store.one("SELECT * FROM trials WHERE customer_id=?", (customer_id,))
    if row is None:
        return None
    now = ctx.clock.now()
    ends = parse_iso(row["ends_at"])
    status = row["status"]
    if status == "active" and ends <= now:
        status = "expired"
    left = credits.balances(ctx, customer_id)
    return {
        "customer": customer_id,
        "status": status,
        "started_at": row["started_at"],
        "ends_at": row["ends_at"],
        "closed_at": row["closed_at"],
        "days_left": days_left(ends, now) if status == "active" else 0,
        "credits_granted": row["credits_granted"],
        "credits_left": left["total"] if status == "active" else None,
    }


def expire_trial(ctx: Context, customer_id: int, *, actor: str) -> bool:
    """Mark one due trial expired and expire its unused granted credits.

    Runs inside the caller's transaction (a sweep or a usage event). Returns whether
    anything changed; a trial already closed, or not yet due, is left alone.
    """
    with ctx.store.transaction():
        now = ctx.now_iso()
        changed = ctx.store.execute(
            "UPDATE trials SET status='expired', closed_at=? "
            "WHERE customer_id=? AND status='active' AND ends_at<=?",
            (now, customer_id, now),
        ).rowcount
        if not changed:
            return False
        unused = credits.balances(ctx, customer_id)["granted"]
        if unused > 0:
            credits.append(
                ctx,
                customer_id,
                kind="expire",
                bucket="granted",
                amount=-unused,
                reason="free trial ended",
                idempotency_key=expire_key(customer_id),
                actor=actor,
            )
        audit.record(ctx, actor, "trial.expire", "customer", customer_id, credits_expired=unused)
        return True


def expire_due_trials(ctx: Context, *, actor: str = "system") -> int:
    """Expire every trial past its end (one transaction each); return how many."""
    due = ctx.store.query(
        "SELECT customer_id FROM trials WHERE status='active' AND ends_at<=? ORDER BY ends_at",
        (ctx.now_iso(),),
    )
    return sum(expire_trial(ctx, row["customer_id"], actor=actor) for row in due)


def mark_converted(ctx: Context, customer_id: int, *, actor: str = "system") -> bool:
    """The customer started a paid plan: close their trial as ``converted``.

    Called by the payment code inside its own transaction (this joins it). Unused
    trial credits stay in the ledger; a paid plan does not spend credits.
    """
    with ctx.store.transaction():
        changed = ctx.store.execute(
            "UPDATE trials SET status='converted', closed_at=? "
            "WHERE customer_id=? AND status IN ('active', 'expired')",
            (ctx.now_iso(), customer_id),
        ).rowcount
        if changed:
            audit.record(ctx, actor, "trial.convert", "customer", customer_id)
        return bool(changed)
