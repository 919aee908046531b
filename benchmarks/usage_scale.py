"""Checked, durable usage events per second through the REST API, on SQLite and on
PostgreSQL, with 1, 2 and 4 ``serve`` workers: one event per request
(``POST /payments/usage``) against batches of 100 and 1,000 (``POST /usage/events``),
with ``autoos-checkout serve --workers N`` in its own processes on loopback. Durable:
SQLite ``synchronous=FULL``; PostgreSQL a throwaway cluster with fsync and synchronous
commit on (tests/pg_cluster.py).

Floors, measured in the same run on the same engine and disk: raw INSERT+COMMIT (sqlite3
with the store's pragmas, or psycopg), one row per commit and 1,000 rows per commit; and
``GET /health`` of the same server (the bare request rate of the server stack), with the
same client threads.

The store: 1,000 customers — half on Professional (unlimited workflows), a quarter on
Employee (500 workflows/month), a quarter on the free trial (10 credits, so debits and,
later, refusals). Events cycle workflow, workflow, agent_start, workflow, agent_stop over
the customers; every event id is new. "Checked" means each event ran the full rules (plan,
limits, debit) and was answered; "durable" that the answer came after its commit.

Server CPU per request (``serve`` and its workers, from ``/proc``) is printed for each
closed-loop phase: on a shared machine it moves far less than the rates do, so it is the
figure to compare between two versions of the code.

Latency at a steady load: after the closed-loop single-event phase, single events are
offered open-loop at 80 % of the rate it reached, and p50/p99 are counted from when each
request was due (target: p99 under 50 ms).

After the run (server stopped by SIGTERM): every answered event is stored exactly once,
credit balances equal their ledger sums and are never below zero, every allowed trial
workflow debited exactly one credit; a re-sent batch of 1,000 got the same answers and
wrote nothing.

Run: ``.venv/bin/python benchmarks/usage_scale.py [--engines sqlite postgresql]
[--workers 1 2 4] [--seconds 8] [--clients 4]`` (about ten minutes with the defaults).
"""

from __future__ import annotations

import argparse
import itertools
import os
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx

from benchmarks.api_load import check_invariants, pct, serve_env, start_serve
from benchmarks.ledger import RawFloor

ROOT = Path(__file__).resolve().parent.parent
CUSTOMERS = 1000
KINDS = ("workflow", "workflow", "agent_start", "workflow", "agent_stop")


def prepare(db: Path | str) -> str:
    """The store's customers and plans (one transaction), and an AUTOOS token."""
    from backend.bootstrap import build_context
    from backend.clock import to_iso
    from backend.services.shop import api_tokens, customers
    from backend.services.trials import trials

    ctx = build_context(db=db, env=serve_env())
    now = ctx.clock.now()
    period = (to_iso(now - timedelta(days=1)), to_iso(now + timedelta(days=29)), to_iso(now))
    with ctx.store.transaction():
        for i in range(CUSTOMERS):
            cid = customers.add_customer(
                ctx, name=f"Load {i}", email=f"load{i}@example.com", actor="bench"
            )["id"]
            if i % 4 == 3:
                trials.start_trial(ctx, cid, actor="bench")
                continue
            ctx.store.execute(
                "INSERT INTO subscriptions (customer_id, tier, interval, currency, amount, "
                "method, status, current_period_start, current_period_end, created_at, "
                "updated_at) VALUES (?, ?, 'month', 'INR', 799900, 'upi', 'active', ?, ?, ?, ?)",
                (cid, "employee" if i % 4 == 2 else "professional", *period, period[2]),
            )
    token = api_tokens.create_token(ctx, role="autoos", actor="bench")["token"]
    ctx.store.close()
    return token


class Phase:
    """Closed loop: ``clients`` threads, each sending its next request as soon as the
    last is answered, for ``seconds``. Counts events answered and request latencies."""

    def __init__(self, url: str, token: str, clients: int, seconds: float) -> None:
        self.url, self.clients, self.seconds = url, clients, seconds
        self.headers = {"Authorization": f"Bearer {token}"}
        self.lock = threading.Lock()
        self.latency: list[float] = []
        self.events = 0
        self.errors: list[str] = []
        #: the server's CPU time per request (all its processes), when measured
        self.cpu_ms: float | None = None

    def timed(
        self,
        send: Callable[[httpx.Client, int, int], int],
        client: httpx.Client,
        thread: int,
        n: int,
        since: float,
    ) -> bool:
        """Send request ``n`` and count its events and its latency from ``since``; False
        (the error kept, and the run is FAILED) when it raised."""
        try:
            done = send(client, thread, n)
        except Exception as exc:
            with self.lock:
                self.errors.append(f"{type(exc).__name__}: {exc}"[:200])
            return False
        with self.lock:
            self.latency.append(time.perf_counter() - since)
            self.events += done
        return True

    def run(self, send: Callable[[httpx.Client, int, int], int]) -> float:
        """``send(client, thread, n)`` makes request ``n`` of a thread and returns the
        events it answered. Returns the wall time."""
        stop = time.perf_counter() + self.seconds

        def loop(thread: int) -> None:
            with httpx.Client(base_url=self.url, headers=self.headers, timeout=30) as client:
                for n in itertools.count():
                    if time.perf_counter() >= stop:
                        return
                    if not self.timed(send, client, thread, n, since=time.perf_counter()):
                        return

        threads = [threading.Thread(target=loop, args=(t,)) for t in range(self.clients)]
        began = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return time.perf_counter() - began


class OpenLoop(Phase):
    """Open loop: requests offered at a fixed ``rate`` whatever the answers do, each
    latency counted from when it was due (so a stalled server shows in p99 rather than
    slowing the offer), sent by enough threads that none waits for a free one."""

    THREADS = 32

    def offer(self, send: Callable[[httpx.Client, int, int], int], rate: float) -> float:
        total = int(rate * self.seconds)
        numbers = itertools.count()
        ready = threading.Barrier(self.THREADS + 1)
        go = threading.Event()
        start: list[float] = []

        def loop(thread: int) -> None:
            with httpx.Client(base_url=self.url, headers=self.headers, timeout=30) as client:
                _health(client)  # connected before the clock starts: no start-up backlog
                ready.wait()
                go.wait()
                due_first = start[0]
                while (n := next(numbers)) < total:
                    due = due_first + n / rate
                    time.sleep(max(0.0, due - time.perf_counter()))  # pacing the offer
                    if not self.timed(send, client, thread, n, since=due):
                        return

        threads = [threading.Thread(target=loop, args=(t,)) for t in range(self.THREADS)]
        for thread in threads:
            thread.start()
        ready.wait()  # every thread connected
        start.append(time.perf_counter() + 0.05)
        go.set()
        for thread in threads:
            thread.join()
        return time.perf_counter() - start[0]


def event(tag: str, thread: int, n: int, i: int = 0) -> dict:
    k = (n * 1000 + i) * 8 + thread
    return {  # 7919 is prime: each thread goes round every customer
        "customer_id": 1 + (k * 7919) % CUSTOMERS,
        "kind": KINDS[(k // CUSTOMERS) % len(KINDS)],  # each visit the next kind
        "event_id": f"{tag}-{thread}-{n}-{i}",
    }


def checked(response: httpx.Response, expected: int) -> list[dict]:
    if response.status_code != 200:
        raise RuntimeError(f"{response.status_code} {response.text[:120]}")
    body = response.json()
    results = body["results"] if isinstance(body, dict) and "results" in body else [body]
    bad = [r for r in results if "allowed" not in r]
    if len(results) != expected or bad:
        raise RuntimeError(f"{len(results)} answers for {expected} events; refused {bad[:1]}")
    return results


def raw_floor(folder: Path, rows_per_commit: int, seconds: float) -> float:
    """Rows/s of durable raw INSERT+COMMIT (``RawFloor``'s table and pragmas), in a new
    file each time."""
    path = folder / f"raw-{rows_per_commit}-{time.monotonic_ns()}.db"
    floor = RawFloor(path)
    if rows_per_commit == 1:
        spent = 0.0
        while spent < seconds:
            spent += floor.run(200)
        return floor.done / spent
    conn, done = floor.conn, 0
    start = time.perf_counter()
    while time.perf_counter() - start < seconds:
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany(RAW_INSERT, _raw_rows(done, rows_per_commit))
        conn.execute("COMMIT")
        done += rows_per_commit
    spent = time.perf_counter() - start
    conn.close()
    return done / spent


RAW_INSERT = (
    "INSERT INTO events VALUES (?, ?, 'workflow', '2026-11-26T10:00:00Z', '2026-11', 1, NULL, 5)"
)


def _raw_rows(done: int, n: int) -> list[tuple[str, int]]:
    return [(f"raw-{done + i}", i % CUSTOMERS) for i in range(n)]


def raw_floor_postgres(url: str, rows_per_commit: int, seconds: float) -> float:
    """The same floor on the PostgreSQL server: psycopg, one transaction per commit."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        table = f"raw_{rows_per_commit}_{time.monotonic_ns()}"
        conn.execute(
            f"CREATE TABLE {table} (event_id TEXT PRIMARY KEY, customer_id BIGINT, kind TEXT, "
            "at TEXT, month TEXT, allowed BIGINT, reason TEXT, credits_left BIGINT)"
        )
        insert = RAW_INSERT.replace("events", table).replace("?", "%s")
        done, start = 0, time.perf_counter()
        while time.perf_counter() - start < seconds:
            with conn.transaction(), conn.cursor() as cur:
                cur.executemany(insert, _raw_rows(done, rows_per_commit))
            done += rows_per_commit
        spent = time.perf_counter() - start
        conn.execute(f"DROP TABLE {table}")
    return done / spent


def stored(db: Path | str) -> tuple[int, int]:
    from backend.store import open_store

    store = open_store(db, migrate=False)
    try:
        return store.fetchone("SELECT count(*), count(DISTINCT event_id) FROM usage_events")
    finally:
        store.close()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=8, help="per API phase")
    parser.add_argument("--clients", type=int, default=4, help="client threads")
    parser.add_argument("--engines", nargs="+", default=["sqlite", "postgresql"])
    parser.add_argument("--workers", nargs="+", type=int, default=[1, 2, 4])
    args = parser.parse_args()
    print(f"load average before: {os.getloadavg()[0]:.1f}; {args.clients} client threads")
    ok = True
    for engine in args.engines:
        for workers in args.workers:
            ok = run(engine, workers, args.seconds, args.clients) and ok
    return 0 if ok else 1


def run(engine: str, workers: int, seconds: float, clients: int) -> bool:
    """One engine with ``workers`` serve processes: the phases, the floors, the checks."""
    rows: list[tuple[str, float, Phase | None]] = []
    errors: list[str] = []
    print(f"\n== {engine}, {workers} worker(s)")
    cluster = None
    with tempfile.TemporaryDirectory(prefix="usage-scale-", dir=ROOT) as tmp:
        folder = Path(tmp)
        if engine == "postgresql":
            from tests import pg_cluster

            cluster = pg_cluster.start(fsync=True)
            db: Path | str = cluster.url(cluster.new_database())

            def floor(rows_per_commit: int, secs: float) -> float:
                return raw_floor_postgres(str(db), rows_per_commit, secs)
        else:
            db = folder / "usage.db"

            def floor(rows_per_commit: int, secs: float) -> float:
                return raw_floor(folder, rows_per_commit, secs)

        try:
            token = prepare(db)
            floors = [(floor(1, 3), floor(1000, 2))]
            server, url = start_serve(db, serve_env(), workers)
            answered = 0
            resend_same = False
            try:

                def phase(name: str, send: Callable[[httpx.Client, int, int], int]) -> None:
                    p = Phase(url, token, clients, seconds)
                    cpu = server_cpu(server.pid)
                    wall = p.run(send)
                    p.cpu_ms = (server_cpu(server.pid) - cpu) * 1000 / max(1, len(p.latency))
                    rows.append((name, p.events / wall, p))
                    errors.extend(f"{name}: {e}" for e in p.errors)

                phase("GET /health (bare endpoint)", lambda c, t, n: _health(c))

                def single(client: httpx.Client, thread: int, n: int) -> int:
                    body = event("s", thread, n)
                    checked(client.post("/payments/usage", json=body), 1)
                    return 1

                phase("one event per request", single)
                offered = 0.8 * rows[-1][1]
                steady = OpenLoop(url, token, clients, seconds)
                wall = steady.offer(lambda c, t, n: single(c, 100 + t, n), offered)
                name = f"one per request, offered {offered:,.0f}/s (80%)"
                rows.append((name, steady.events / wall, steady))
                errors.extend(f"80% of the ceiling: {e}" for e in steady.errors)
                kept: list[dict] = []
                for size in (100, 1000):

                    def batched(client: httpx.Client, thread: int, n: int, size: int = size) -> int:
                        events = [event(f"b{size}", thread, n, i) for i in range(size)]
                        body = {"events": events}
                        results = checked(client.post("/usage/events", json=body), size)
                        if (size, thread, n) == (1000, 0, 0):
                            kept.extend(results)  # sent again at the end
                        return size

                    phase(f"batches of {size:,}", batched)
                answered = sum(p.events for _name, _, p in rows[1:] if p is not None)
                first = [event("b1000", 0, 0, i) for i in range(1000)]
                headers = {"Authorization": f"Bearer {token}"}
                with httpx.Client(base_url=url, headers=headers) as c:
                    before = stored(db)
                    body = {"events": first}
                    again = checked(c.post("/usage/events", json=body, timeout=30), 1000)
                    resend_same = again == kept and stored(db) == before
            finally:
                server.send_signal(signal.SIGTERM)
                code = server.wait(60)
            count, distinct = stored(db)
            invariants = check_invariants(db)
            floors.append((floor(1, 3), floor(1000, 2)))
        finally:
            if cluster is not None:
                cluster.stop()
        # the better of before and after the API phases (the disk is shared with
        # whatever else runs): the ratios are then the less flattering ones
        rows.append(("raw INSERT+COMMIT, 1 row per commit", max(f[0] for f in floors), None))
        rows.append(("raw INSERT+COMMIT, 1,000 rows per commit", max(f[1] for f in floors), None))
    return report(rows, errors, floors, answered, count, distinct, resend_same, invariants, code)


def report(rows, errors, floors, answered, count, distinct, resend_same, invariants, code) -> bool:
    rate = {name: value for name, value, _ in rows}
    health = rate["GET /health (bare endpoint)"]
    raw1, raw1000 = (
        rate["raw INSERT+COMMIT, 1 row per commit"],
        rate["raw INSERT+COMMIT, 1,000 rows per commit"],
    )
    print(f"{'what':44s} {'per s':>9s}  {'p50 ms':>7s} {'p99 ms':>7s}  server CPU ms/request")
    for name, value, p in rows:
        lat = f"{pct(p.latency, 0.5):7.1f} {pct(p.latency, 0.99):7.1f}" if p and p.latency else ""
        cpu = f"{p.cpu_ms:.2f}" if p and p.cpu_ms is not None else ""
        unit = "req" if name.startswith("GET") else ("rows" if name.startswith("raw") else "events")
        print(f"{name:44s} {value:9,.0f}  {lat}  {unit:6s} {cpu}")
    single_rate = rate["one event per request"]
    steady = next(p for name, _, p in rows if name.startswith("one per request, offered"))
    p99 = pct(steady.latency, 0.99) if steady is not None and steady.latency else float("inf")
    print(f"p99 at 80% of the single-event ceiling: {p99:.1f} ms (target under 50 ms)")
    print(
        f"ratios: single events / bare endpoint {single_rate / health:.2f}; "
        f"single / raw 1-row commits {single_rate / raw1:.2f}; "
        f"batches of 1,000 / raw 1,000-row commits {rate['batches of 1,000'] / raw1000:.2f}; "
        f"batches of 1,000 / single {rate['batches of 1,000'] / single_rate:.1f}x"
    )
    print(
        f"answered {answered:,} events; stored {count:,} rows ({distinct:,} distinct ids); "
        f"re-sent batch same answers, nothing written: {resend_same}; invariants: {invariants}; "
        f"server exit {code}; load average after: {os.getloadavg()[0]:.1f}"
    )
    print(
        "raw floors before / after the API phases: "
        + " / ".join(f"{one:,.0f} and {many:,.0f} rows/s" for one, many in floors)
    )
    for err in errors[:10]:
        print("  ", err)
    ok = (
        not errors
        and code == 0
        and count == distinct == answered
        and resend_same
        and invariants["buckets_below_zero"] == 0
        and invariants["balance_not_ledger_sum"] == 0
        and invariants["debit_keys_unique"]
        and invariants["allowed_trial_workflows"] == invariants["usage_debits"]
    )
    print("OK" if ok else "FAILED")
    return ok


def server_cpu(pid: int) -> float:
    """CPU seconds (user + system) used so far by ``serve`` and its worker processes:
    unlike a request rate, it hardly moves with what else runs on the machine."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # the process ended meanwhile
            continue
        if stat.parent.name == str(pid) or fields[1] == str(pid):  # it, or its child
            total += int(fields[11]) + int(fields[12])
    return total / tick


def _health(client: httpx.Client) -> int:
    client.get("/health").raise_for_status()
    return 1


if __name__ == "__main__":
    raise SystemExit(main())
