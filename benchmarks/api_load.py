"""REST API under store-network load: 4 kiosk clients and an AUTOOS usage reporter at
200 requests/s in total for 60 s, against ``autoos-checkout serve`` in its own process
on loopback (real HTTP, real SQLite file with ``synchronous=FULL``).

Kiosks loop: pricing → create-customer → start-trial → UPI qr-code → status polls
(a paid-plan sale every third round). The reporter sends workflow / agent start / stop
events for trial customers, re-sending one in ten with the same event id (a retry).

Checks after the run (the server stopped gracefully first): no errors; per customer the
credit balance equals the ledger sum and is ≥ 0; every allowed workflow debited exactly
one credit (no event counted twice); a re-sent event got the first answer.
Floor, same run: ``GET /health`` at the same rate over the same connections.

Run: ``.venv/bin/python benchmarks/api_load.py [--seconds 60] [--rate 200]``.
"""

from __future__ import annotations

import argparse
import itertools
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx

from backend.services.shop import api_tokens

ROOT = Path(__file__).resolve().parent.parent

KIOSKS = 4
REPORTER_SHARE = 0.2  # of the total rate
RESEND_EVERY = 10


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def serve_env() -> dict[str, str]:
    """The environment of a benchmark's ``serve`` process (no real provider keys)."""
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith(("STRIPE_", "RAZORPAY_"))},
        "PYTHONPATH": str(ROOT),
        "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring",
        "UPI_DEFAULT_VPA": "autoos.shop@okaxis",
        "UPI_PAYEE_NAME": "AUTOOS Shop",
        "UPI_MCC": "5734",
    }


def start_serve(
    db: Path | str, env: dict[str, str], workers: int = 1
) -> tuple[subprocess.Popen, str]:
    """``autoos-checkout serve`` on ``db`` in its own process, once every worker has
    started and the port answers /health (its log goes to a temporary file)."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = tempfile.TemporaryFile(mode="w+", encoding="utf-8")  # noqa: SIM115 (kept open)
    command = [sys.executable, "-m", "backend.cli", "serve", "--db", str(db)]
    server = subprocess.Popen(
        [*command, "--port", str(port), "--workers", str(workers)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log,
    )
    deadline = time.monotonic() + 60
    while True:
        log.seek(0)
        if log.read().count("Application startup complete") >= workers:
            try:
                httpx.get(f"{url}/health", timeout=1).raise_for_status()
                return server, url
            except httpx.HTTPError:
                pass
        if time.monotonic() > deadline or server.poll() is not None:
            server.kill()
            raise SystemExit("the API server did not start") from None
        time.sleep(0.1)


class Recorder:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.latency: dict[str, list[float]] = defaultdict(list)
        self.errors: list[str] = []

    def call(self, client: httpx.Client, name: str, method: str, url: str, **kw) -> dict | None:
        start = time.perf_counter()
        try:
            response = client.request(method, url, **kw)
        except httpx.HTTPError as exc:
            with self.lock:
                self.errors.append(f"{name}: {type(exc).__name__}")
            return None
        elapsed = time.perf_counter() - start
        with self.lock:
            self.latency[name].append(elapsed)
            if response.status_code >= 400:
                self.errors.append(f"{name}: {response.status_code} {response.text[:120]}")
                return None
        return (
            response.json()
            if response.headers.get("content-type", "").startswith("application/json")
            else {}
        )

    def all(self) -> list[float]:
        return [x for values in self.latency.values() for x in values]


def paced(rate: float, seconds: float, stop: threading.Event):
    """Yield at ``rate`` per second for ``seconds`` (open loop: a slow reply makes the
    next request go at once, it does not lower the offered rate)."""
    start = time.perf_counter()
    for i in itertools.count():
        due = start + i / rate
        if due - start >= seconds or stop.is_set():
            return
        wait = due - time.perf_counter()
        if wait > 0:
            time.sleep(wait)
        yield i


def kiosk(
    n: int,
    url: str,
    token: str,
    rate: float,
    seconds: float,
    rec: Recorder,
    out: dict,
    stop: threading.Event,
) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    rng = random.Random(n)
    with httpx.Client(base_url=url, headers=headers, timeout=10) as client:
        state: dict = {}
        for step, i in enumerate(paced(rate, seconds, stop)):
            stage = step % 8
            if stage == 0:
                rec.call(client, "pricing", "GET", "/payments/pricing")
            elif stage == 1:
                body = {"name": f"Kiosk {n} visitor {i}", "email": f"k{n}-{i}@load.example"}
                made = rec.call(
                    client, "create-customer", "POST", "/payments/create-customer", json=body
                )
                state = {"customer": made["id"]} if made else {}
            elif stage == 2 and state:
                if (step // 8) % 3 == 2:
                    body = {
                        "customer_id": state["customer"],
                        "tier": "student",
                        "interval": "month",
                    }
                    qr = rec.call(client, "qr-code", "POST", "/payments/qr-code", json=body)
                    state["payment"] = qr["id"] if qr else None
                else:
                    trial = rec.call(
                        client,
                        "start-trial",
                        "POST",
                        "/payments/start-trial",
                        json={"customer_id": state["customer"]},
                    )
                    if trial:
                        with rec.lock:
                            out["trialists"].append(state["customer"])
            elif stage >= 3 and state.get("payment"):
                rec.call(client, "qr-status", "GET", f"/payments/qr-code/{state['payment']}/status")
            else:
                rec.call(
                    client,
                    "trial-status",
                    "GET",
                    "/payments/trial-status",
                    params={"customer_id": state.get("customer") or rng.randint(1, 3)},
                )


def reporter(
    url: str,
    token: str,
    rate: float,
    seconds: float,
    rec: Recorder,
    out: dict,
    stop: threading.Event,
) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    rng = random.Random(99)
    sent: list[tuple[dict, dict]] = []
    with httpx.Client(base_url=url, headers=headers, timeout=10) as client:
        for i in paced(rate, seconds, stop):
            with rec.lock:
                pool = list(out["trialists"])
            if not pool:
                rec.call(client, "pricing", "GET", "/payments/pricing")
                continue
            if sent and i % RESEND_EVERY == 0:
                body, first = rng.choice(sent)
                again = rec.call(client, "usage-resend", "POST", "/payments/usage", json=body)
                if again is not None and again != first:
                    rec.errors.append(f"resent {body['event_id']}: {again} != {first}")
                continue
            kind = rng.choices(["workflow", "agent_start", "agent_stop"], [6, 2, 2])[0]
            body = {"customer_id": rng.choice(pool), "kind": kind, "event_id": f"autoos-{i}"}
            answer = rec.call(client, "usage", "POST", "/payments/usage", json=body)
            if answer is not None:
                sent.append((body, answer))
    out["usage_sent"] = len(sent)


def floor_run(url: str, token: str, rate: float, seconds: float) -> list[float]:
    rec = Recorder()
    stop = threading.Event()
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=url, headers=headers, timeout=10) as client:
        for _ in paced(rate, seconds, stop):
            rec.call(client, "health", "GET", "/health")
    return rec.all()


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def check_invariants(db: Path | str) -> dict:
    """The ledger's rules after a run, on either engine (``db`` a file or a URL)."""
    from backend.bootstrap import build_context
    from backend.services.trials import credits, usage

    ctx = build_context(db=db, env={"PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring"})
    store = ctx.store
    bad_balance = store.scalar(
        "SELECT count(*) FROM (SELECT customer_id, SUM(amount) s FROM credit_ledger "
        "GROUP BY customer_id, bucket HAVING SUM(amount) < 0) AS below"
    )
    allowed_workflows = store.scalar(
        "SELECT count(*) FROM usage_events e JOIN trials t ON t.customer_id = e.customer_id "
        "WHERE e.kind='workflow' AND e.allowed=1"
    )
    debits = store.scalar(
        "SELECT count(*) FROM credit_ledger WHERE kind='debit' AND idempotency_key LIKE 'usage:%'"
    )
    distinct_debits = store.scalar(
        "SELECT count(DISTINCT idempotency_key) FROM credit_ledger WHERE kind='debit'"
    )
    summary_mismatch = 0
    for (customer_id,) in store.fetchall("SELECT customer_id FROM trials"):
        ledger = store.scalar(
            "SELECT COALESCE(SUM(amount), 0) FROM credit_ledger WHERE customer_id=?", (customer_id,)
        )
        if usage.usage_summary(ctx, customer_id)["credits_left"] != ledger or ledger < 0:
            summary_mismatch += 1
        if credits.balance(ctx, customer_id) != ledger:
            summary_mismatch += 1
    store.close()
    return {
        "buckets_below_zero": bad_balance,
        "balance_not_ledger_sum": summary_mismatch,
        "allowed_trial_workflows": allowed_workflows,
        "usage_debits": debits,
        "debit_keys_unique": debits == distinct_debits,
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--rate", type=float, default=200, help="requests/s, all clients")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "load.db"
        from backend.bootstrap import build_context

        env = serve_env()
        ctx = build_context(db=db, env=env)
        tokens = {
            role: api_tokens.create_token(ctx, role=role, actor="bench")["token"]
            for role in ("kiosk", "autoos")
        }
        ctx.store.close()
        server, url = start_serve(db, env)
        try:
            floor = floor_run(url, tokens["kiosk"], args.rate, min(10.0, args.seconds))
            rec = Recorder()
            out: dict = {"trialists": []}
            stop = threading.Event()
            kiosk_rate = args.rate * (1 - REPORTER_SHARE) / KIOSKS
            threads = [
                threading.Thread(
                    target=kiosk,
                    args=(n, url, tokens["kiosk"], kiosk_rate, args.seconds, rec, out, stop),
                )
                for n in range(KIOSKS)
            ]
            threads.append(
                threading.Thread(
                    target=reporter,
                    args=(
                        url,
                        tokens["autoos"],
                        args.rate * REPORTER_SHARE,
                        args.seconds,
                        rec,
                        out,
                        stop,
                    ),
                )
            )
            started = time.perf_counter()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            wall = time.perf_counter() - started
        finally:
            server.send_signal(signal.SIGTERM)
            code = server.wait(30)
        invariants = check_invariants(db)

    lat = rec.all()
    print(
        f"requests: {len(lat)} in {wall:.1f} s = {len(lat) / wall:.0f}/s "
        f"(offered {args.rate:.0f}/s); errors: {len(rec.errors)}"
    )
    for err in rec.errors[:10]:
        print("  ", err)
    print(
        f"latency p50 {pct(lat, 0.5):.1f} ms, p99 {pct(lat, 0.99):.1f} ms, "
        f"max {max(lat) * 1000:.1f} ms"
    )
    for name, values in sorted(rec.latency.items()):
        print(
            f"  {name:16s} n={len(values):6d} p50 {pct(values, 0.5):6.1f} ms "
            f"p99 {pct(values, 0.99):6.1f} ms"
        )
    print(f"floor GET /health: p50 {pct(floor, 0.5):.1f} ms, p99 {pct(floor, 0.99):.1f} ms")
    print(
        f"ratio p50 {pct(lat, 0.5) / pct(floor, 0.5):.1f}x, "
        f"p99 {pct(lat, 0.99) / pct(floor, 0.99):.1f}x"
    )
    print(f"usage events sent: {out.get('usage_sent', 0)}; invariants: {invariants}")
    print(f"server exit code after SIGTERM: {code}")
    ok = (
        not rec.errors
        and code == 0
        and invariants["buckets_below_zero"] == 0
        and invariants["balance_not_ledger_sum"] == 0
        and invariants["debit_keys_unique"]
        and invariants["allowed_trial_workflows"] == invariants["usage_debits"]
    )
    print("OK" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
