"""Dashboard at scale: 1,000,000 payments, 100,000 customers, 50,000 subscriptions.

Builds (once; cached under benchmarks/out/, git-ignored) a store with two years of
history ending at 2026-11-26, then measures:

* **refresh**: ``dashboard.load`` for the default 30-day range (median of 7 warm runs,
  plus the first run), against the floor of the same run: the single cheapest query the
  dashboard cannot avoid (30 days of revenue summed from the covering index);
* **GUI stall**: an offscreen QApplication with a 2 ms QTimer heartbeat while
  ``DashboardView`` refreshes 5 times through the TaskRunner; the longest gap between
  beats minus the interval, against the same measure with the GUI idle.

Run: ``.venv/bin/python benchmarks/dashboard.py`` (``--rebuild`` to rebuild the file).
"""

from __future__ import annotations

import itertools
import os
import random
import sqlite3
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from backend.clock import ManualClock, to_iso  # noqa: E402
from backend.config import Secrets, Settings  # noqa: E402
from backend.context import Context  # noqa: E402
from backend.domain.catalog import load_catalog  # noqa: E402
from backend.domain.periods import last_days  # noqa: E402
from backend.services.reports import dashboard  # noqa: E402
from backend.store import open_store  # noqa: E402
from backend.store.reader import reading  # noqa: E402

OUT = ROOT / "benchmarks" / "out"
DB = OUT / "dashboard-1m.db"
NOW = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)
DAYS = 730
N_PAYMENTS, N_CUSTOMERS, N_SUBS, N_TRIALS, N_USAGE = 1_000_000, 100_000, 50_000, 60_000, 500_000
TARGET_REFRESH_MS, TARGET_STALL_MS = 250, 50


def _when(rng: random.Random, days_back: float) -> str:
    return to_iso(NOW - timedelta(seconds=int(days_back * 86400)))


def build(path: Path) -> None:
    """Bulk-insert the dataset (one transaction per table, synchronous off while building)."""
    started = time.perf_counter()
    OUT.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    open_store(path).close()  # schema through the real migrations
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA synchronous=OFF")
    rng = random.Random(20261126)
    catalog = load_catalog()
    prices = [
        (tier.id, cur, interval, money.amount)
        for tier in catalog
        for (cur, interval), money in tier.prices.items()
    ]

    def bulk(sql: str, rows) -> None:  # type: ignore[no-untyped-def]
        conn.execute("BEGIN")
        conn.executemany(sql, rows)
        conn.execute("COMMIT")

    bulk(
        "INSERT INTO customers (id, name, name_key, email, state, created_at, updated_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        (
            (i, f"Customer {i}", f"customer {i}", f"c{i}@example.com",
             rng.choice(("Karnataka", "Maharashtra", "Delhi", None)), at, at)
            for i in range(1, N_CUSTOMERS + 1)
            for at in (_when(rng, DAYS * (1 - i / N_CUSTOMERS)),)
        ),
    )  # fmt: skip

    def payment(i: int) -> tuple:  # type: ignore[type-arg]
        tier, cur, interval, amount = rng.choice(prices)
        created = _when(rng, DAYS * (1 - i / N_PAYMENTS))
        roll = rng.random()
        status = (
            "succeeded" if roll < 0.80 else "refunded" if roll < 0.85 else
            "failed" if roll < 0.90 else "expired" if roll < 0.95 else
            "pending" if roll < 0.97 else "late" if roll < 0.98 else "canceled"
        )  # fmt: skip
        upi = cur == "INR" and rng.random() < 0.8
        paid = created if status in ("succeeded", "refunded", "late") else None
        expires = to_iso(datetime.fromisoformat(created[:-1] + "+00:00") + timedelta(minutes=15))
        return (
            f"pay_{i:07d}", rng.randint(1, N_CUSTOMERS), "upi_qr" if upi else "stripe_checkout",
            status, amount, cur, tier, interval, created, expires if upi else None, paid,
            created, f"AC/{i:09d}" if paid else None,
            amount if status == "refunded" else 0, f"TR{i:010d}" if upi else None,
        )  # fmt: skip

    bulk(
        "INSERT INTO payments (id, customer_id, method, status, amount, currency, tier, "
        "interval, created_at, expires_at, paid_at, updated_at, receipt_no, refunded_amount, "
        "upi_tr) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (payment(i) for i in range(N_PAYMENTS)),
    )

    def subscription(i: int) -> tuple:  # type: ignore[type-arg]
        tier, cur, interval, amount = rng.choice(prices)
        at = _when(rng, DAYS * (1 - i / N_SUBS))
        status = rng.choices(("active", "canceled", "past_due", "incomplete"), (70, 20, 5, 5))[0]
        return (rng.randint(1, N_CUSTOMERS), tier, interval, cur, amount,
                "upi" if cur == "INR" else "card", status, at, at)  # fmt: skip

    bulk(
        "INSERT INTO subscriptions (customer_id, tier, interval, currency, amount, method, "
        "status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (subscription(i) for i in range(N_SUBS)),
    )
    trial_customers = rng.sample(range(1, N_CUSTOMERS + 1), N_TRIALS)

    def trial(cid: int) -> tuple:  # type: ignore[type-arg]
        back = rng.uniform(0, DAYS)
        start = NOW - timedelta(days=back)
        ends = start + timedelta(days=30)
        status = "active" if ends > NOW else rng.choices(("converted", "expired"), (30, 70))[0]
        return (cid, to_iso(start), to_iso(ends), 10, status)

    trials = [trial(cid) for cid in trial_customers]
    bulk(
        "INSERT INTO trials (customer_id, started_at, ends_at, credits_granted, status) "
        "VALUES (?, ?, ?, ?, ?)",
        trials,
    )
    ledger = []
    for cid, start, _, _, _ in trials:
        ledger.append((cid, start, "grant", 10, f"g{cid}"))
        for n in range(rng.randint(0, 3)):
            ledger.append((cid, start, "debit", -1, f"d{cid}-{n}"))
    bulk(
        "INSERT INTO credit_ledger (customer_id, at, kind, bucket, amount, reason, "
        "idempotency_key, actor) VALUES (?, ?, ?, 'granted', ?, 'bench', ?, 'bench')",
        ledger,
    )
    bulk(
        "INSERT INTO usage_events (event_id, customer_id, kind, at, month, allowed) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        (
            (f"ev{i}", rng.choice(trial_customers),
             rng.choice(("workflow", "workflow", "agent_start", "agent_stop")), at, at[:7],
             int(rng.random() < 0.95))
            for i in range(N_USAGE)
            for at in (_when(rng, DAYS * (1 - i / N_USAGE)),)
        ),
    )  # fmt: skip
    conn.execute("ANALYZE")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    print(f"built {path.name} in {time.perf_counter() - started:.1f} s")


def context(path: Path) -> Context:
    return Context(
        store=open_store(path),
        clock=ManualClock(NOW),
        catalog=load_catalog(),
        settings=Settings(),
        secrets=Secrets(env={}, use_keyring=False),
    )


def measure_refresh(ctx: Context) -> tuple[float, float, float]:
    period = last_days(NOW.date(), 30)
    first = time.perf_counter()
    dashboard.load(ctx, period, "INR")
    first_ms = (time.perf_counter() - first) * 1000
    runs = []
    for _ in range(7):
        t0 = time.perf_counter()
        dashboard.load(ctx, period, "INR")
        runs.append((time.perf_counter() - t0) * 1000)
    floors = []
    for _ in range(7):
        t0 = time.perf_counter()
        with reading(ctx.store) as reader:
            reader.scalar(
                "SELECT SUM(amount - refunded_amount) FROM payments WHERE currency='INR' "
                "AND paid_at>=? AND paid_at<? AND status IN ('succeeded', 'refunded')",
                (period.start_iso, period.end_iso),
            )
        floors.append((time.perf_counter() - t0) * 1000)
    return first_ms, statistics.median(runs), statistics.median(floors)


def measure_stall(ctx: Context) -> tuple[float, float, float]:
    """Longest GUI-thread gap during 5 refreshes, and with the GUI idle (same length)."""
    from PySide6.QtCore import QElapsedTimer, QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication

    from app.admin.dashboard_view import DashboardView
    from app.runtime.tasks import TaskRunner
    from backend.interface import Caller, CheckoutApi

    app = QApplication.instance() or QApplication([])
    runner = TaskRunner()
    view = DashboardView(CheckoutApi(ctx, Caller.owner("bench")), runner, now=ctx.clock.now)
    view.resize(1400, 900)
    view.show()
    app.processEvents()
    interval = 2
    beats: list[int] = []
    clock = QElapsedTimer()
    clock.start()
    timer = QTimer()
    timer.setInterval(interval)
    timer.timeout.connect(lambda: beats.append(clock.elapsed()))

    def longest_gap() -> float:
        gaps = [b - a for a, b in itertools.pairwise(beats)]
        return max(0, max(gaps, default=0) - interval)

    loop = QEventLoop()
    view.refreshed.connect(lambda _board: loop.quit())
    view.refresh()  # warm-up: first chart layout, caches
    loop.exec()
    timer.start()
    t0 = time.perf_counter()
    for _ in range(5):
        view.refresh()
        loop.exec()
    busy_s = time.perf_counter() - t0
    timer.stop()
    stall = longest_gap()
    beats.clear()
    idle = QTimer()
    idle.setSingleShot(True)
    idle.timeout.connect(loop.quit)
    timer.start()
    idle.start(int(busy_s * 1000))
    loop.exec()
    timer.stop()
    idle_gap = longest_gap()
    runner.shutdown()
    view.close()
    return stall, idle_gap, busy_s * 1000 / 5


def main() -> int:
    if "--rebuild" in sys.argv or not DB.exists():
        build(DB)
    ctx = context(DB)
    counts = {
        t: ctx.store.scalar(f"SELECT COUNT(*) FROM {t}")
        for t in ("payments", "customers", "subscriptions", "trials", "usage_events")
    }
    print("rows:", ", ".join(f"{k} {v:,}" for k, v in counts.items()))
    first, refresh, floor = measure_refresh(ctx)
    print(
        f"refresh (30 days, INR): median {refresh:.1f} ms, first {first:.1f} ms; "
        f"floor (one covering-index sum) {floor:.1f} ms; ratio {refresh / floor:.1f}x; "
        f"target < {TARGET_REFRESH_MS} ms: {'met' if refresh < TARGET_REFRESH_MS else 'MISSED'}"
    )
    stall, idle_gap, per_refresh = measure_stall(ctx)
    print(
        f"GUI stall while refreshing through DashboardView: longest {stall:.1f} ms "
        f"(idle floor {idle_gap:.1f} ms, ratio {stall / max(idle_gap, 1):.1f}x); "
        f"refresh round trip {per_refresh:.1f} ms; target < {TARGET_STALL_MS} ms: "
        f"{'met' if stall < TARGET_STALL_MS else 'MISSED'}"
    )
    ctx.store.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
