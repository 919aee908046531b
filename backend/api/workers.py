"""``serve --workers N``: several API processes on one port, for a store server with
many tills or AUTOOS's usage traffic.

Each worker is a process of its own with its own store connection (the PostgreSQL
engine is the one made for this; SQLite works too, its writers queueing on the file).
The kernel spreads connections over the workers (``SO_REUSEPORT``). The supervisor
restarts a worker that dies, and on SIGINT/SIGTERM stops them all gracefully.

What keeps N workers correct lives in the store, not here: every write transaction holds
the store lock (or its customer's), tokens and Stripe events are rows with unique keys,
and each usage event is stored once by its id.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import threading
import time
from pathlib import Path
from types import FrameType

from backend.api.server import (
    GRACE_SECONDS,
    _config,
    _Server,
    listening_socket,
    warn_if_exposed,
)
from backend.errors import CheckoutError

log = logging.getLogger("autoos_checkout.api")

MAX_WORKERS = 32
#: a worker that exits with an error this soon after starting is not started again and
#: again: the supervisor stops (a bad setting or an unreachable database would spin)
FAST_FAILURE_SECONDS = 3.0


def _worker(db: str | None, config: str | None, host: str, port: int, parent: int) -> None:
    """One worker process: its own context, its own socket, serving until SIGTERM (or
    until its supervisor is gone: a worker never outlives it, holding the port)."""
    from backend.bootstrap import build_context

    _stop_with_parent(parent)

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    ctx = build_context(db=db, config=config)
    try:
        _Server(_config(ctx, host, port)).run(sockets=[listening_socket(host, port, shared=True)])
    finally:
        ctx.store.close()


def _stop_with_parent(parent: int) -> None:
    """Ask Linux for SIGTERM when the supervisor dies (``PR_SET_PDEATHSIG``), then check
    it did not die already, before the request was made."""
    import ctypes

    pr_set_pdeathsig = 1
    try:
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)
    except (OSError, AttributeError):  # not Linux: the supervisor's stop still ends us
        return
    if os.getppid() != parent:
        raise SystemExit(0)


def serve_workers(
    db: str | Path | None, config: str | Path | None, host: str, port: int, workers: int
) -> None:
    """Run ``workers`` API processes until SIGINT/SIGTERM."""
    warn_if_exposed(host)
    listening_socket(host, port, shared=True).close()  # a port in use fails here, first
    spawn = multiprocessing.get_context("spawn")
    args = (str(db) if db else None, str(config) if config else None, host, port, os.getpid())
    stopping = threading.Event()

    def stop(sig: int, frame: FrameType | None) -> None:
        stopping.set()

    previous = {s: signal.signal(s, stop) for s in (signal.SIGINT, signal.SIGTERM)}
    running: list[multiprocessing.process.BaseProcess] = []
    started: list[float] = []
    try:
        for number in range(workers):
            running.append(_start(spawn, args, number))
            started.append(time.monotonic())
        while not stopping.wait(0.2):
            for number, proc in enumerate(running):
                if proc.is_alive():
                    continue
                killed = (proc.exitcode or 0) < 0  # by a signal: start it again, however soon
                if not killed and time.monotonic() - started[number] < FAST_FAILURE_SECONDS:
                    raise CheckoutError(
                        f"A serve worker stopped as it started (exit {proc.exitcode}): "
                        "see the messages above."
                    )
                log.warning("serve worker %d stopped (exit %s): starting it again",
                            number, proc.exitcode)  # fmt: skip
                running[number] = _start(spawn, args, number)
                started[number] = time.monotonic()
    finally:
        for proc in running:
            if proc.is_alive():
                proc.terminate()  # SIGTERM: the worker finishes its requests first
        for proc in running:
            proc.join(GRACE_SECONDS + 5)
            if proc.is_alive():
                proc.kill()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    log.info("the API server stopped (%d workers)", workers)


def _start(spawn, args: tuple, number: int) -> multiprocessing.process.BaseProcess:
    proc = spawn.Process(target=_worker, args=args, name=f"serve-worker-{number}", daemon=False)
    proc.start()
    return proc
