"""CPU time per request inside the application (FastAPI and the services, no HTTP
parsing, no network): ``POST /payments/usage`` (one checked, durable usage event)
against ``GET /health`` (the bare endpoint of the same stack), called as ASGI in one
process over a SQLite file with ``synchronous=FULL``.

CPU time, not wall time, and the least of many batches: on a shared machine it moves far
less than a request rate does, so it is the figure to compare two versions of the
request path by (a thread hop, a dependency, a serializer). What the HTTP server adds
is measured end to end by ``usage_scale.py``.

``--calls`` counts instead the Python calls made on the event loop per request (the
framework's part: FastAPI, Starlette, the access log; the operation runs on a worker
thread and is not counted). The count is the same on a quiet or a busy machine, so it
shows what a change to the framework's path saved when CPU time is too noisy to.

Run: ``.venv/bin/python benchmarks/request_cpu.py [--requests 6000] [--concurrent 1]
[--calls]``.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import logging
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.api_load import serve_env
from benchmarks.usage_scale import event, prepare

BATCH = 200

Request = tuple[str, str, bytes, list[tuple[bytes, bytes]]]


async def call(app: Any, method: str, path: str, body: bytes, headers: list) -> int:
    """One request through the ASGI app; its status."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"bench"), *headers],
        "client": ("127.0.0.1", 1),
        "server": ("127.0.0.1", 80),
        "state": {},
    }
    sent = False
    status = 0

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        await asyncio.Event().wait()  # the client never disconnects
        return {}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    await app(scope, receive, send)
    return status


async def least_cpu(app: Any, make: Callable[[int], Request], n: int, concurrent: int) -> dict:
    """CPU ms per request: least, quartile and median over batches of ``BATCH``."""
    per: list[float] = []
    done = 0
    while done < n:
        start = time.process_time()

        async def lane(k: int, first: int = done) -> None:
            for i in range(first + k, first + BATCH, concurrent):
                status = await call(app, *make(i))
                if status != 200:
                    raise SystemExit(f"request {i} answered {status}")

        await asyncio.gather(*(lane(k) for k in range(concurrent)))
        per.append((time.process_time() - start) * 1000 / BATCH)
        done += BATCH
    per.sort()
    return {"least": per[0], "p25": per[len(per) // 4], "median": per[len(per) // 2]}


async def calls_per_request(app: Any, make: Callable[[int], Request], n: int) -> float:
    """Python calls on the event loop per request, ``n`` requests one after another."""
    profile = cProfile.Profile()
    profile.enable()
    for i in range(n):
        await call(app, *make(i))
    profile.disable()
    return sum(entry.callcount for entry in profile.getstats()) / n


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=6000)
    parser.add_argument("--concurrent", type=int, default=1)
    parser.add_argument("--calls", action="store_true", help="count calls, not CPU time")
    args = parser.parse_args()
    from backend.api.app import create_app
    from backend.bootstrap import build_context

    db = Path(tempfile.mkdtemp(prefix="request-cpu-")) / "bench.db"
    token = prepare(db)
    ctx = build_context(db=db, env=serve_env())
    app = create_app(ctx)
    # the access log is written as in production, to a file nobody reads here
    logging.getLogger("autoos_checkout.api.access").setLevel(logging.INFO)
    logging.basicConfig(level=logging.WARNING, stream=open(os.devnull, "w"))  # noqa: SIM115
    auth = [
        (b"authorization", f"Bearer {token}".encode()),
        (b"content-type", b"application/json"),
    ]

    def health(i: int) -> Request:
        return ("GET", "/health", b"", [])

    def usage(i: int, tag: str = "u") -> Request:
        return ("POST", "/payments/usage", json.dumps(event(tag, 0, i)).encode(), auth)

    async def count() -> None:
        await least_cpu(app, lambda i: usage(i, "warm"), BATCH, 1)  # caches, first commit
        n = min(args.requests, 2000)
        bare = await calls_per_request(app, health, n)
        single = await calls_per_request(app, lambda i: usage(i, "c"), n)
        print(
            f"Python calls on the event loop per request: GET /health {bare:,.0f}, "
            f"POST /payments/usage {single:,.0f} ({n:,} requests each)"
        )

    if args.calls:
        asyncio.run(count())
        ctx.store.close()
        return 0

    async def run() -> tuple[dict, dict]:
        await least_cpu(app, lambda i: usage(i, "warm"), BATCH, 1)  # caches, first commit
        bare = await least_cpu(app, health, args.requests, args.concurrent)
        single = await least_cpu(app, usage, args.requests, args.concurrent)
        return bare, single

    bare, single = asyncio.run(run())
    ctx.store.close()
    for name, got in (("GET /health (bare endpoint)", bare), ("POST /payments/usage", single)):
        print(
            f"{name}: CPU per request least {got['least']:.3f} ms, "
            f"quartile {got['p25']:.3f} ms, median {got['median']:.3f} ms"
        )
    print(f"ratio bare / single (least): {bare['least'] / single['least']:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
