"""Two tills, two paired customer displays, one store server: how long from the write
that confirms a payment to the display knowing it is paid.

``autoos-checkout serve`` runs in its own process on loopback (real HTTP, a real SQLite
file, ``synchronous=FULL``). Two tills (staff tokens named "Counter 1" and "Counter 2")
and two displays (kiosk tokens), each display following its own till's payments through
``RemoteCheckoutApi.watch_payments`` (server-sent events). Each round a till makes a UPI
request, its display hears it, the till confirms it with a UTR; the clock runs from the
moment the till sends the confirmation until the display has heard the change *and*
fetched the payment as it now stands (what the screen needs to paint "Paid ✓").
Checked: each display hears only its own till's payments, each change once.

Two set-ups: the tills go through the server too (``remote tills``), or they are staff
windows writing the same SQLite file from their own process (``local tills``: the server
learns of their writes by looking at the ledger every 100 ms).

Floor, same run: a plain ``GET /health`` round trip on the same server (one HTTP request
and answer on loopback).

Run: ``.venv/bin/python benchmarks/display_latency.py [--rounds 200]``.
"""

from __future__ import annotations

import argparse
import queue
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx

from backend.api.client import RemoteCheckoutApi
from backend.interface import STAFF, Caller, CheckoutApi
from backend.services.shop import api_tokens
from benchmarks.api_load import serve_env, start_serve

ROOT = Path(__file__).resolve().parent.parent
TILLS = ("Counter 1", "Counter 2")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "latency.db"
        env = serve_env()
        from backend.bootstrap import build_context

        ctx = build_context(db=db, env=env)
        tokens = {
            name: api_tokens.create_token(ctx, role=role, name=name, actor="bench")["token"]
            for name, role in (
                ("Counter 1", "staff"),
                ("Counter 2", "staff"),
                ("Display 1", "kiosk"),
                ("Display 2", "kiosk"),
            )
        }
        ctx.store.close()
        server, url = start_serve(db, env)
        try:
            results = {"remote tills": run(url, tokens, args.rounds)}
            local = build_context(db=db, env=env)
            try:
                results["local tills"] = run(url, tokens, args.rounds, local=local)
            finally:
                local.store.close()
        finally:
            server.terminate()
            server.wait(30)
    for setup, result in results.items():
        ms = result["latency"]
        floor = result["floor"]
        print(
            f"{setup}: {len(ms)} confirmations, 2 tills, 2 paired displays over SSE:\n"
            f"  write → display knows it is paid: median {statistics.median(ms):.1f} ms, "
            f"p99 {percentile(ms, 0.99):.1f} ms, max {max(ms):.1f} ms (target < 300 ms)\n"
            f"  floor, GET /health round trip: median {statistics.median(floor):.1f} ms, "
            f"p99 {percentile(floor, 0.99):.1f} ms\n"
            f"  other till's changes heard: {result['stray']}; changes heard twice: "
            f"{result['twice']}"
        )


def run(url: str, tokens: dict[str, str], rounds: int, local: Any = None) -> dict:
    """``local``: a context on the same file; the tills then write it from this process."""
    if local is None:
        tills = {name: RemoteCheckoutApi(url, tokens[name], timeout=10) for name in TILLS}
    else:
        tills = {
            name: CheckoutApi(local, Caller(STAFF, f"bench:{name}", terminal=name))
            for name in TILLS
        }
    displays = {
        name: RemoteCheckoutApi(url, tokens[f"Display {n}"], timeout=10)
        for n, name in enumerate(TILLS, 1)
    }
    heard: dict[str, queue.Queue] = {name: queue.Queue() for name in TILLS}
    stops = []
    for name, display in displays.items():

        def listener(change, name=name, display=display) -> None:
            # what the display's view-model does: the change, then the payment as it stands
            heard[name].put(
                (change, display.payment_status(change["payment_id"]), time.perf_counter())
            )

        stops.append(display.watch_payments(listener, terminal=name))
    deadline = time.monotonic() + 10
    while not all(d.stream_connected for d in displays.values()):
        if time.monotonic() > deadline:
            raise SystemExit("the displays did not connect")
        time.sleep(0.01)
    latency: list[float] = []
    stray = twice = 0
    seen: set[int] = set()
    utr = 400_000_000_000 if local is None else 500_000_000_000
    for n in range(rounds):
        till_name = TILLS[n % 2]
        till = tills[till_name]
        tag = "l" if local is not None else "r"
        customer = till.add_customer(name=f"Buyer {n}", email=f"buyer{tag}{n}@example.com")
        request = till.create_request(customer_id=customer["id"], tier="student", interval="month")
        created, _now, _at = heard[till_name].get(timeout=10)
        assert created["payment_id"] == request["id"]
        utr += 1
        start = time.perf_counter()
        till.confirm_with_utr(request["id"], str(utr))
        while True:
            change, payment, at = heard[till_name].get(timeout=10)
            twice += change["event_id"] in seen
            seen.add(change["event_id"])
            stray += change["terminal"] != till_name
            if change["payment_id"] == request["id"] and payment["status"] == "succeeded":
                latency.append((at - start) * 1000)
                break
    floor = []
    with httpx.Client(base_url=url) as client:
        for _ in range(rounds):
            start = time.perf_counter()
            client.get("/health").raise_for_status()
            floor.append((time.perf_counter() - start) * 1000)
    for stop in stops:
        stop()
    for api in displays.values():
        api.close()
    if local is None:
        for till in tills.values():
            till.close()  # type: ignore[attr-defined]
    for name in TILLS:
        while not heard[name].empty():
            change = heard[name].get()[0]
            stray += change["terminal"] != name
    return {"latency": latency, "floor": floor, "stray": stray, "twice": twice}


if __name__ == "__main__":
    main()
