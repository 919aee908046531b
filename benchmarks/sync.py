"""Drain 1,000 queued Stripe writes against the fake Stripe; compare with raw HTTP.

The fake runs in its own process, as Stripe is a remote server. The floor is its raw
request rate measured in the same run: the same 1,000 customer creations as bare httpx
POSTs, one after another (keep-alive, form-encoded, idempotency keys), before and after
the drain. The outbox adds the real SDK, the answers applied to SQLite (synchronous=FULL,
batched transactions) with an audit entry each, and runs a few lanes at once
(``stripe.sync_concurrency``); the sequential figure (one in flight) is printed too.
Run: ``.venv/bin/python benchmarks/sync.py``.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from backend.adapters.stripe_gateway import StripeGateway  # noqa: E402
from backend.clock import ManualClock  # noqa: E402
from backend.config import Secrets, Settings  # noqa: E402
from backend.domain.catalog import load_catalog  # noqa: E402
from backend.services.context import Context  # noqa: E402
from backend.services.customers import add_customer  # noqa: E402
from backend.services.stripe_customers import ensure_in_stripe  # noqa: E402
from backend.store import open_store  # noqa: E402
from backend.sync import outbox  # noqa: E402

N = 1000
KEY = "sk_test_bench"


def raw_rate(url: str) -> float:
    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {KEY}"}) as client:
        start = time.perf_counter()
        for i in range(N):
            answer = client.post(
                "/v1/customers",
                content=f"name=Raw+{i}&email=raw{i}%40example.com&metadata[autoos_customer_id]={i}",
                headers={
                    "Content-Type": "application/x-www-form-urlencoded",
                    "Idempotency-Key": uuid.uuid4().hex,
                },
            )
            answer.raise_for_status()
        return N / (time.perf_counter() - start)


def sdk_rate(url: str) -> float:
    """The real SDK alone (``client.v1.customers.create``), sequential, no database."""
    settings = Settings()
    settings.stripe.api_base = url
    gw = StripeGateway(settings.stripe, Secrets(env={"STRIPE_SECRET_KEY": KEY}, use_keyring=False))
    start = time.perf_counter()
    for i in range(N):
        gw.call(
            "customers.create",
            params={"name": f"Sdk {i}", "email": f"sdk{i}@example.com"},
            idempotency_key=uuid.uuid4().hex,
        )
    return N / (time.perf_counter() - start)


def outbox_rate(url: str, db: Path, concurrency: int) -> tuple[float, int]:
    settings = Settings()
    settings.stripe.api_base = url
    settings.stripe.sync_concurrency = concurrency
    clock = ManualClock()
    ctx = Context(
        store=open_store(db),
        clock=clock,
        catalog=load_catalog(),
        settings=settings,
        secrets=Secrets(env={"STRIPE_SECRET_KEY": KEY}, use_keyring=False),
    )
    for i in range(N):
        cid = add_customer(ctx, name=f"Bench {i}", email=f"bench{i}@example.com", actor="bench")
        ensure_in_stripe(ctx, cid["id"], actor="bench")
    assert outbox.sync_state(ctx)["waiting"] == N
    start = time.perf_counter()
    result = outbox.drain(ctx)
    elapsed = time.perf_counter() - start
    if result["sent"] != N or result["waiting"]:
        raise SystemExit(f"drain did not send everything: {result}")
    linked = ctx.store.scalar("SELECT count(*) FROM customers WHERE stripe_customer_id IS NOT NULL")
    ctx.store.close()
    return N / elapsed, int(linked)


def main() -> None:
    server = subprocess.Popen(
        [sys.executable, "-m", "tests.fakes.stripe_server", KEY],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        url = server.stdout.readline().strip()  # type: ignore[union-attr]
        with tempfile.TemporaryDirectory() as tmp:
            raw_before = raw_rate(url)
            sdk = sdk_rate(url)
            sequential, _ = outbox_rate(url, Path(tmp) / "one.db", 1)
            ops, linked = outbox_rate(
                url, Path(tmp) / "bench.db", Settings().stripe.sync_concurrency
            )
            raw_after = raw_rate(url)
    finally:
        server.stdin.close()  # type: ignore[union-attr]
        server.wait(timeout=30)
    floor = max(raw_before, raw_after)
    print(f"raw httpx POSTs to the fake (sequential): {raw_before:.0f} and {raw_after:.0f} req/s")
    print(f"real SDK alone, sequential, no database: {sdk:.0f} req/s ({sdk / floor:.0%})")
    print(f"outbox drain, one request in flight: {sequential:.0f} ops/s ({sequential / floor:.0%})")
    print(
        f"outbox drain, {Settings().stripe.sync_concurrency} lanes in flight: {ops:.0f} ops/s, "
        f"{linked} customers linked"
    )
    print(f"ratio: {ops / floor:.0%} of the raw request rate (target >= 80%)")


if __name__ == "__main__":
    main()
