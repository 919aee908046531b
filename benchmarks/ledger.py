"""Usage records per second through ``record_usage`` vs a raw durable INSERT+COMMIT.

Both run in the same process, on the same disk (one temporary directory), with the
store's own pragmas (WAL, synchronous=FULL): the floor is what one durable commit
costs, so the ratio says how much the limit check, debit and audit add to it.

Scenarios, each N events, one transaction each:
  mixed   — 100 customers: half on the Employee plan (500 workflows/month), half on
            the free trial with purchased credits; workflows, agent starts and stops.
  debit   — trial customers only, every workflow debits a credit (the heaviest path).

Run: ``.venv/bin/python benchmarks/ledger.py [N]`` (default 4000). Target ratio ≥ 0.5.
"""

from __future__ import annotations

import os
import sqlite3
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from backend.clock import ManualClock  # noqa: E402
from backend.config import Secrets, Settings  # noqa: E402
from backend.context import Context  # noqa: E402
from backend.domain.catalog import Catalog, Limits, load_catalog  # noqa: E402
from backend.services.shop import customers  # noqa: E402
from backend.services.trials import credits, trials  # noqa: E402
from backend.services.trials.usage_events import record_usage  # noqa: E402
from backend.store.db import PRAGMAS, open_store  # noqa: E402

CUSTOMERS = 100


class RawFloor:
    """Durable single-row commits with plain sqlite3 and the store's own pragmas."""

    def __init__(self, path: Path) -> None:
        self.conn = sqlite3.connect(path, isolation_level=None)
        for pragma in PRAGMAS:
            self.conn.execute(pragma)
        self.conn.execute(
            "CREATE TABLE events (event_id TEXT PRIMARY KEY, customer_id INTEGER, kind TEXT, "
            "at TEXT, month TEXT, allowed INTEGER, reason TEXT, credits_left INTEGER)"
        )
        self.done = 0

    def run(self, n: int) -> float:
        """Insert and commit ``n`` rows one by one; return the seconds taken."""
        start = time.perf_counter()
        for i in range(self.done, self.done + n):
            self.conn.execute("BEGIN IMMEDIATE")
            self.conn.execute(
                "INSERT INTO events VALUES (?, ?, 'workflow', '2026-11-26T10:00:00Z', "
                "'2026-11', 1, NULL, 5)",
                (f"raw-{i}", i % CUSTOMERS),
            )
            self.conn.execute("COMMIT")
        self.done += n
        return time.perf_counter() - start


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


class UsageStream:
    """``record_usage`` calls against a prepared store, run in chunks."""

    def __init__(self, path: Path, *, mixed: bool) -> None:
        catalog = load_catalog()
        if not mixed:  # a trial whose monthly cap never binds, so every workflow debits
            trial = catalog.trial
            roomy = replace(trial, limits=Limits(credits=10, concurrent_agents=2))
            catalog = Catalog(tuple(roomy if t is trial else t for t in catalog), catalog.source)
        self.ctx = _context(path, catalog)
        self.ids = _setup(self.ctx, paid=mixed)
        self.mixed = mixed
        self.done = 0
        self.outcomes: dict[str, int] = {}

    def run(self, n: int) -> float:
        start = time.perf_counter()
        for i in range(self.done, self.done + n):
            answer = record_usage(
                self.ctx,
                customer_id=self.ids[i % len(self.ids)],
                kind=_kind(i // len(self.ids), self.mixed),
                event_id=f"ev-{i}",
                actor="bench",
            )
            key = answer["reason"] or "allowed"
            self.outcomes[key] = self.outcomes.get(key, 0) + 1
        self.done += n
        return time.perf_counter() - start


def compare(
    folder: Path, n: int, rounds: int, *, mixed: bool
) -> tuple[float, float, float, dict[str, int]]:
    """Alternate chunks of floor and usage so both see the same machine load.

    Returns the overall rates and the median of the per-chunk ratios (robust against a
    burst of disk traffic from other programs hitting one chunk).
    """
    floor = RawFloor(folder / f"raw-{mixed}.db")
    stream = UsageStream(folder / f"usage-{mixed}.db", mixed=mixed)
    floor_s = usage_s = 0.0
    ratios = []
    chunk = n // rounds
    for _ in range(rounds):
        f = floor.run(chunk)
        u = stream.run(chunk)
        floor_s, usage_s = floor_s + f, usage_s + u
        ratios.append(f / u)
    floor.conn.close()
    stream.ctx.store.close()
    return floor.done / floor_s, stream.done / usage_s, statistics.median(ratios), stream.outcomes


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 4000
    rounds = 40
    print(
        f"{n} events each, in {rounds} alternating chunks; one durable commit per event; "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    with tempfile.TemporaryDirectory(prefix="ledger-bench-", dir=ROOT) as tmp:
        for name, mixed in (("mixed", True), ("debit", False)):
            floor, rate, median, outcomes = compare(Path(tmp), n, rounds, mixed=mixed)
            print(
                f"{name:5}: record_usage {rate:7.0f}/s  raw INSERT+COMMIT {floor:7.0f}/s  "
                f"ratio {rate / floor:.2f} (median of chunks {median:.2f})  "
                f"outcomes {dict(sorted(outcomes.items()))}"
            )


if __name__ == "__main__":
    main()
