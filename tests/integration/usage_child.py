"""Child process for the concurrency and crash tests.

Records a stream of usage events through ``record_usage`` and prints each answer as
one JSON line the moment it returns, so the parent knows exactly what was answered
before it killed or joined the child.

    python -m tests.integration.usage_child DB CATALOG PREFIX COUNT CUSTOMERS [--mixed]
        [--ready] [--resend ID:CUSTOMER:KIND ...]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from backend.bootstrap import build_context
from backend.clock import ManualClock
from backend.config import Settings
from backend.services.trials.usage_events import record_usage

NOW = "2026-11-05T10:00:00Z"
MIX = ("workflow", "workflow", "agent_start", "workflow", "agent_stop")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("db")
    parser.add_argument("catalog")
    parser.add_argument("prefix")
    parser.add_argument("count", type=int)
    parser.add_argument("customers", help="comma-separated customer ids, used in turn")
    parser.add_argument("--mixed", action="store_true", help="agents as well as workflows")
    parser.add_argument("--ready", action="store_true", help="print ready, start on a stdin line")
    parser.add_argument("--resend", nargs="*", default=[], metavar="ID:CUSTOMER:KIND")
    args = parser.parse_args(argv)
    ctx = build_context(
        db=args.db,
        settings=Settings(catalog_path=Path(args.catalog)),
        env={},
        clock=ManualClock(NOW),
    )
    ids = [int(c) for c in args.customers.split(",")]
    stream = [tuple(item.split(":")) for item in args.resend]
    stream += [
        (
            f"{args.prefix}-{i}",
            str(ids[i % len(ids)]),
            MIX[i % len(MIX)] if args.mixed else "workflow",
        )
        for i in range(args.count)
    ]
    if args.ready:  # lets a parent start several children at the same moment
        sys.stdout.write("ready\n")
        sys.stdout.flush()
        sys.stdin.readline()
    for event_id, customer, kind in stream:
        answer = record_usage(
            ctx, customer_id=int(customer), kind=kind, event_id=event_id, actor="test-child"
        )
        sys.stdout.write(json.dumps({"id": event_id, "customer": int(customer), **answer}) + "\n")
        sys.stdout.flush()
    ctx.store.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
