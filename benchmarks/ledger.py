"""Usage records per second through ``record_usage`` vs a raw durable INSERT+COMMIT.

Both run in the same process, on the same disk (one temporary directory), with the
store's own pragmas (WAL, synchronous=FULL): the floor is what one durable commit
costs, so the ratio says how much the limit check, debit and audit add to it.

Scenarios, each N events, one transaction each:
  mixed   — 100 customers: half on the Employee plan (500 workflows/month), half on
            the free trial with purchased credits; workflows, agent starts and stops.
  debit   — trial customers only, every workflow debits a credit (the heaviest path).

Run: ``.venv/bin/python benchmarks/ledger.py [N]`` (default 2000). Target ratio ≥ 0.5.
"""

from __future__ import annotations

import sqlite3
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from backend.clock import ManualClock  # noqa: E402
from backend.config import Secrets, Settings  # noqa: E402
from backend.domain.catalog import Catalog, Limits, load_catalog  # noqa: E402
from backend.services import credits, customers, trials  # noqa: E402
from backend.services.context import Context  # noqa: E402
from backend.services.usage import record_usage  # noqa: E402
from backend.store.db import PRAGMAS, open_store  # noqa: E402

CUSTOMERS = 100


def raw_floor(path: Path, n: int) -> float:
    """Durable single-row commits per second with plain sqlite3 and the same pragmas."""
    conn = sqlite3.connect(path, isolation_level=None)
    for pragma in PRAGMAS:
        conn.execute(pragma)
    conn.execute(
        "CREATE TABLE events (event_id TEXT PRIMARY KEY, customer_id INTEGER, kind TEXT, "
        "at TEXT, month TEXT, allowed INTEGER, reason TEXT, credits_left INTEGER)"
    )
    start = time.perf_counter()
    for i in range(n):
        conn.execute("BEGIN IMMEDIATE")
        conn.execute(
            "INSERT INTO events VALUES (?, ?, 'workflow', '2026-11-26T10:00:00Z', '2026-11', "
            "1, NULL, 5)",
            (f"raw-{i}", i % CUSTOMERS),
        )
        conn.execute("COMMIT")
    elapsed = time.perf_counter() - start
    conn.close()
    return n / elapsed


def _context(path: Path, catalog: Catalog) -> Context:
    return Context(
        store=open_store(path),
        clock=ManualClock("2026-11-26T10:00:00Z"),
        catalog=catalog,
        settings=Settings(),
        secrets=Secrets(env={}, use_keyring=False),
    )


def _setup(ctx: Context, *, paid: bool) -> list[int]:
    ids = []
    for i in range(CUSTOMERS):
        cust = customers.add_customer(
            ctx, name=f"Bench {i}", email=f"bench{i}@example.com", actor="bench"
        )
        cid = cust["id"]
        ids.append(cid)
        if paid and i % 2 == 0:
            with ctx.store.transaction():
                ctx.store.execute(
                    "INSERT INTO subscriptions (customer_id, tier, interval, currency, amount, "
                    "method, status, current_period_start, current_period_end, created_at, "
                    "updated_at) VALUES (?, 'employee', 'month', 'INR', 239900, 'upi', "
                    "'active', '2026-11-01T00:00:00Z', '2026-12-01T00:00:00Z', ?, ?)",
                    (cid, ctx.now_iso(), ctx.now_iso()),
                )
        else:
            trials.start_trial(ctx, cid, actor="bench")
            credits.adjust(ctx, cid, 10_000, "bench", idempotency_key=f"b{cid}", actor="bench")
    return ids


def _kind(i: int, mixed: bool) -> str:
    if not mixed:
        return "workflow"
    return ("workflow", "workflow", "agent_start", "workflow", "agent_stop")[i % 5]


def usage_rate(path: Path, n: int, *, mixed: bool) -> tuple[float, dict[str, int]]:
    catalog = load_catalog()
    if not mixed:  # a trial whose monthly cap never binds, so every workflow debits
        trial = catalog.trial
        roomy = replace(trial, limits=Limits(credits=10, concurrent_agents=2))
        catalog = Catalog(tuple(roomy if t is trial else t for t in catalog), catalog.source)
    ctx = _context(path, catalog)
    ids = _setup(ctx, paid=mixed)
    outcomes: dict[str, int] = {}
    start = time.perf_counter()
    for i in range(n):
        answer = record_usage(
            ctx,
            customer_id=ids[i % len(ids)],
            kind=_kind(i // len(ids), mixed),
            event_id=f"ev-{i}",
            actor="bench",
        )
        key = answer["reason"] or "allowed"
        outcomes[key] = outcomes.get(key, 0) + 1
    elapsed = time.perf_counter() - start
    ctx.store.close()
    return n / elapsed, outcomes


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    with tempfile.TemporaryDirectory(prefix="ledger-bench-", dir=ROOT) as tmp:
        folder = Path(tmp)
        floor = raw_floor(folder / "raw.db", n)
        mixed, mixed_out = usage_rate(folder / "mixed.db", n, mixed=True)
        debit, debit_out = usage_rate(folder / "debit.db", n, mixed=False)
        floor_after = raw_floor(folder / "raw2.db", n)
    floor = (floor + floor_after) / 2  # the floor measured before and after, averaged
    print(f"raw INSERT+COMMIT (WAL, synchronous=FULL): {floor:8.0f} /s")
    for name, rate, out in (("mixed", mixed, mixed_out), ("debit", debit, debit_out)):
        print(
            f"record_usage {name:5}: {rate:8.0f} /s  ratio {rate / floor:.2f}  "
            f"outcomes {dict(sorted(out.items()))}"
        )


if __name__ == "__main__":
    main()
