"""Property: after any sequence of grants, debits, expiries, adjusts and usage events
(with repeated keys and event ids), every balance equals its ledger sum and is ≥ 0, and
a repeated key or event id changes nothing."""

from __future__ import annotations

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from backend.clock import ManualClock
from backend.config import Secrets, Settings
from backend.context import Context
from backend.domain.catalog import parse_catalog
from backend.errors import Conflict, IdempotencyConflict
from backend.services.shop import customers
from backend.services.trials import credits, trials, usage, usage_events
from backend.store import open_store
from tests.integration.ledger_checks import check_invariants

CUSTOMERS = 2
#: a small trial (6 credits, 4 workflows a month) so that every refusal happens often
CATALOG = parse_catalog(
    """
[tiers.trial]
name = "Trial"
trial_days = 10
[tiers.trial.limits]
credits = 6
workflows_per_month = 4
concurrent_agents = 1
""",
    "property-test catalog",
)
TABLES = ("credit_ledger", "usage_events", "usage_agents", "trials", "audit_log")

customer = st.integers(0, CUSTOMERS - 1)
key = st.sampled_from(["k0", "k1", "k2", "k3"])
grant = st.tuples(st.just("grant"), customer)
debit = st.tuples(st.just("debit"), customer, st.integers(1, 6), key)
adjust = st.tuples(st.just("adjust"), customer, st.integers(1, 12) | st.integers(-8, -1), key)
expire = st.tuples(st.just("expire"), st.integers(0, 3))
use = st.tuples(
    st.just("usage"),
    customer,
    st.sampled_from(["workflow", "workflow", "agent_start", "agent_stop"]),
    st.sampled_from([f"e{i}" for i in range(12)]),
)
#: usage events are the most common operation, as in the shop
operations = st.lists(
    st.one_of(grant, debit, adjust, expire, use, use, use, use), min_size=20, max_size=60
)


def _context() -> tuple[Context, list[int]]:
    ctx = Context(
        store=open_store(":memory:"),
        clock=ManualClock("2026-11-05T10:00:00Z"),
        catalog=CATALOG,
        settings=Settings(),
        secrets=Secrets(env={}, use_keyring=False),
    )
    ids = [
        customers.add_customer(ctx, name=f"C{i}", email=f"c{i}@example.com", actor="t")["id"]
        for i in range(CUSTOMERS)
    ]
    trials.start_trial(ctx, ids[0], actor="t")  # the other customer may get one later
    return ctx, ids


def _was_written(ctx: Context, name: str, key: str) -> bool:
    """Whether an operation with this key left a record (a refused one leaves none)."""
    if name == "usage":
        return ctx.store.one("SELECT 1 FROM usage_events WHERE event_id=?", (key,)) is not None
    keys = (f"{key}:granted", f"{key}:purchased") if name == "debit" else (key, key)
    found = ctx.store.one("SELECT 1 FROM credit_ledger WHERE idempotency_key IN (?, ?)", keys)
    return found is not None


def _snapshot(ctx: Context) -> dict[str, list]:
    return {t: ctx.store.query(f"SELECT * FROM {t}") for t in TABLES}


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(operations)
def test_balance_is_the_ledger_sum_and_repeats_change_nothing(ops):
    ctx, ids = _context()
    seen: set[tuple] = set()
    try:
        for op in ops:
            name = op[0]
            repeat_of = {
                "debit": ("debit", op[3]) if name == "debit" else None,
                "adjust": ("adjust", op[3]) if name == "adjust" else None,
                "usage": ("usage", op[3]) if name == "usage" else None,
            }.get(name)
            before = _snapshot(ctx) if repeat_of in seen else None
            try:
                if name == "grant":
                    trials.start_trial(ctx, ids[op[1]], actor="t")
                elif name == "debit":
                    credits.debit(ctx, ids[op[1]], op[2], "use", idempotency_key=op[3], actor="t")
                elif name == "adjust":
                    credits.adjust(
                        ctx, ids[op[1]], op[2], "admin", idempotency_key=op[3], actor="t"
                    )
                elif name == "expire":
                    ctx.clock.advance(days=op[1])
                    trials.expire_due_trials(ctx)
                else:
                    answer = usage_events.record_usage(
                        ctx, customer_id=ids[op[1]], kind=op[2], event_id=op[3], actor="t"
                    )
                    event(f"{op[2]}: {answer['reason'] or 'allowed'}")
            except IdempotencyConflict:
                pass  # a key or event id reused for other content: refused, nothing written
            except Conflict:
                # refused: not enough credits, a second trial; usage never raises these
                assert name != "usage", f"{op} raised instead of answering"
            if before is not None:
                assert _snapshot(ctx) == before, f"repeat {op} changed the store"
            if repeat_of is not None and _was_written(ctx, name, op[3]):
                seen.add(repeat_of)
            check_invariants(ctx.store)
            for cid in ids:
                have = credits.balances(ctx, cid)
                raw = ctx.store.scalar(
                    "SELECT COALESCE(SUM(amount), 0) FROM credit_ledger WHERE customer_id=?",
                    (cid,),
                )
                assert have["total"] == raw == have["granted"] + have["purchased"]
                assert min(have.values()) >= 0
                summary = usage.usage_summary(ctx, cid)
                assert summary["credits_left"] == raw
    finally:
        ctx.store.close()
