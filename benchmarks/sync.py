"""Drain 1,000 queued Stripe writes against the fake Stripe; compare with raw HTTP.

The fake runs in its own process, as Stripe is a remote server. The floor is its raw
request rate measured in the same run, before and after the drain: the same 1,000
customer creations as bare httpx POSTs on one shared keep-alive client, with the
headers the SDK sends (User-Agent, X-Stripe-Client-User-Agent, Stripe-Version,
Idempotency-Key), the body encoded by the SDK's own form encoder, and as many requests
in flight as the drain (``stripe.sync_concurrency`` threads). The sequential floor (one
in flight) is printed too, with the real SDK alone (no database) at both concurrencies,
so the share of the gap that is the SDK's own CPU is visible. The outbox adds the answers
applied to SQLite (synchronous=FULL, batched transactions) with an audit entry each.
Run: ``.venv/bin/python benchmarks/sync.py``.
"""

from __future__ import annotations

import json
import platform
import subprocess
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
import stripe  # noqa: E402
from stripe._encode import _api_encode  # noqa: E402

from backend.adapters.stripe_gateway import StripeGateway  # noqa: E402
from backend.clock import ManualClock  # noqa: E402
from backend.config import Secrets, Settings  # noqa: E402
from backend.context import Context  # noqa: E402
from backend.domain.catalog import load_catalog  # noqa: E402
from backend.services.cards.stripe_customers import ensure_in_stripe  # noqa: E402
from backend.services.shop.customers import add_customer  # noqa: E402
from backend.store import open_store  # noqa: E402
from backend.sync import outbox  # noqa: E402

N = 1000
KEY = "sk_test_bench"


def _params(i: int) -> dict[str, object]:
    """What the outbox sends for a new customer (stripe_customers._contact)."""
    return {
        "name": f"Bench {i}",
        "metadata": {"autoos_customer_id": str(i)},
        "email": f"bench{i}@example.com",
    }


def _parallel(work, concurrency: int) -> float:  # type: ignore[no-untyped-def]
    """Run ``work(i)`` for i < N on ``concurrency`` threads; requests per second."""
    start = time.perf_counter()
    if concurrency == 1:
        for i in range(N):
            work(i)
    else:
        with ThreadPoolExecutor(max_workers=concurrency) as pool:
            list(pool.map(work, range(N)))
    return N / (time.perf_counter() - start)


def raw_rate(url: str, concurrency: int) -> float:
    """Bare httpx with the SDK's headers and body encoding: what the wire costs."""
    headers = {
        "Authorization": f"Bearer {KEY}",
        "User-Agent": f"Stripe/v1 PythonBindings/{stripe.VERSION}",
        "X-Stripe-Client-User-Agent": json.dumps(
            {
                "bindings_version": stripe.VERSION,
                "lang": "python",
                "httplib": "httpx",
                "lang_version": platform.python_version(),
                "platform": platform.platform(),
            }
        ),
        "Stripe-Version": stripe.api_version,
        "Content-Type": "application/x-www-form-urlencoded",
    }
    with httpx.Client(base_url=url, headers=headers, timeout=30) as client:

        def post(i: int) -> None:
            answer = client.post(
                "/v1/customers",
                content=urlencode(list(_api_encode(_params(i)))),
                headers={"Idempotency-Key": uuid.uuid4().hex},
            )
            answer.raise_for_status()
            answer.json()

        return _parallel(post, concurrency)


def sdk_rate(url: str, concurrency: int) -> float:
    """The real SDK alone (``client.v1.customers.create``), no database."""
    settings = Settings()
    settings.stripe.api_base = url
    gw = StripeGateway(settings.stripe, Secrets(env={"STRIPE_SECRET_KEY": KEY}, use_keyring=False))

    def create(i: int) -> None:
        gw.call("customers.create", params=_params(i), idempotency_key=uuid.uuid4().hex)

    return _parallel(create, concurrency)


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
        lanes = Settings().stripe.sync_concurrency
        with tempfile.TemporaryDirectory() as tmp:
            raw_before = raw_rate(url, lanes)
            raw_one = raw_rate(url, 1)
            sdk_one = sdk_rate(url, 1)
            sdk = sdk_rate(url, lanes)
            sequential, _ = outbox_rate(url, Path(tmp) / "one.db", 1)
            ops, linked = outbox_rate(url, Path(tmp) / "bench.db", lanes)
            raw_after = raw_rate(url, lanes)
    finally:
        server.stdin.close()  # type: ignore[union-attr]
        server.wait(timeout=30)
    floor = max(raw_before, raw_after)
    print(
        f"raw httpx, SDK headers and encoding, {lanes} in flight: {raw_before:.0f} and "
        f"{raw_after:.0f} req/s (one in flight: {raw_one:.0f})"
    )
    print(
        f"real SDK alone, no database: {sdk:.0f} req/s with {lanes} in flight "
        f"({sdk / floor:.0%}); one in flight {sdk_one:.0f} ({sdk_one / raw_one:.0%} of raw)"
    )
    print(
        f"outbox drain, one in flight: {sequential:.0f} ops/s ({sequential / raw_one:.0%} "
        f"of raw, {sequential / sdk_one:.0%} of the SDK alone)"
    )
    print(f"outbox drain, {lanes} lanes in flight: {ops:.0f} ops/s, {linked} customers linked")
    print(
        f"ratio: {ops / floor:.0%} of the raw request rate (target >= 80%); "
        f"{ops / sdk:.0%} of the SDK alone"
    )


if __name__ == "__main__":
    main()
