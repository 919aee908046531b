"""Two processes debiting at once, and a child killed -9 mid-stream: nothing lost,
nothing counted twice, never below zero."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys

import pytest

from backend.domain.catalog import load_catalog
from backend.services.shop import customers
from backend.services.trials import credits, trials
from backend.store import open_store
from tests.conftest import ROOT, child_env
from tests.integration.ledger_checks import check_invariants

#: the shipped trial, but with no monthly cap, so only credits limit the debits
CATALOG = """
[tiers.free_trial]
name = "Free Trial"
trial_days = 30
[tiers.free_trial.limits]
credits = 10
concurrent_agents = 2
"""


@pytest.fixture
def catalog_file(tmp_path):
    path = tmp_path / "pricing.toml"
    path.write_text(CATALOG, encoding="utf-8")
    return path


@pytest.fixture
def shop(ctx, clock, catalog_file):
    """Customers on a trial, clock at the children's time, catalog the children load."""
    clock.set("2026-11-05T10:00:00Z")
    ctx.catalog = load_catalog(catalog_file)
    return ctx


def _customer_with_credits(ctx, n: int, total: int) -> int:
    cid = customers.add_customer(ctx, name=f"Load {n}", email=f"load{n}@example.com", actor="t")[
        "id"
    ]
    trials.start_trial(ctx, cid, actor="t")
    credits.adjust(ctx, cid, total - 10, "bought", idempotency_key=f"buy-{cid}", actor="t")
    return cid


def _child(db_path, catalog_file, prefix, count, ids, *extra) -> subprocess.Popen:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.integration.usage_child",
            str(db_path),
            str(catalog_file),
            prefix,
            str(count),
            ",".join(map(str, ids)),
            *extra,
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=child_env(),
        cwd=ROOT,
    )


@pytest.mark.slow
def test_two_processes_debit_exactly_the_credits_available(shop, db_path, catalog_file):
    available = {
        _customer_with_credits(shop, n, total): total for n, total in enumerate((400, 650, 900))
    }
    ids = list(available)
    per_child = 2000
    children = [
        _child(db_path, catalog_file, name, per_child, ids, "--ready") for name in ("a", "b")
    ]
    for child in children:  # both have opened the store and wait for the word
        assert child.stdout.readline() == "ready\n", child.stderr.read()
    for child in children:
        child.stdin.write("go\n")
        child.stdin.flush()
    outputs = [child.communicate(timeout=240) for child in children]
    for child, (_, err) in zip(children, outputs, strict=True):
        assert child.returncode == 0, err
    answers = [json.loads(line) for out, _ in outputs for line in out.splitlines()]
    assert len(answers) == 2 * per_child
    assert len({a["id"] for a in answers}) == 2 * per_child

    store = open_store(db_path, migrate=False)
    check_invariants(store)
    events = dict(store.fetchall("SELECT event_id, allowed FROM usage_events"))
    assert events == {a["id"]: int(a["allowed"]) for a in answers}  # none lost, none twice
    for cid, total in available.items():
        debited = -store.scalar(
            "SELECT COALESCE(SUM(amount), 0) FROM credit_ledger "
            "WHERE customer_id=? AND kind='debit'",
            (cid,),
        )
        allowed = sum(1 for a in answers if a["customer"] == cid and a["allowed"])
        refused = {a["reason"] for a in answers if a["customer"] == cid and not a["allowed"]}
        assert debited == allowed == total, cid
        assert refused == {"no_credits"}
        balance = store.scalar("SELECT SUM(amount) FROM credit_ledger WHERE customer_id=?", (cid,))
        assert balance == 0
    # each customer's credits_left went down one by one across both processes
    for cid in ids:
        lefts = sorted(a["credits_left"] for a in answers if a["customer"] == cid and a["allowed"])
        assert lefts == list(range(available[cid]))
    store.close()


@pytest.mark.slow
def test_kill_9_mid_stream_loses_no_answered_event(shop, db_path, catalog_file):
    ids = [_customer_with_credits(shop, n, 500) for n in range(2)]
    shop.store.close()
    rng = random.Random(1234)
    answered: dict[str, dict] = {}
    last: dict | None = None
    for round_no in range(20):
        resend = []
        if last is not None:  # the last answer before the previous kill, sent again
            resend = ["--resend", f"{last['id']}:{last['customer']}:{last['kind']}"]
        child = _child(db_path, catalog_file, f"r{round_no}", 10_000, ids, "--mixed", *resend)
        stop_after = rng.randint(1, 40)
        seen = []
        for line in child.stdout:
            seen.append(json.loads(line))
            if len(seen) >= stop_after:
                break
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=30)
        for stream in (child.stdin, child.stdout, child.stderr):
            stream.close()
        assert child.returncode == -signal.SIGKILL
        if resend:
            first = seen[0]
            assert first["id"] == last["id"]
            assert {k: first[k] for k in ("allowed", "reason", "credits_left")} == {
                k: last[k] for k in ("allowed", "reason", "credits_left")
            }
        for answer in seen:
            answered[answer["id"]] = answer
        last = dict(seen[-1], kind=_kind_of(db_path, seen[-1]["id"]))

        store = open_store(db_path)  # the database opens (and migrates) as the app does
        check_invariants(store)
        stored = dict(store.fetchall("SELECT event_id, allowed FROM usage_events"))
        for event_id, answer in answered.items():
            assert stored.get(event_id) == int(answer["allowed"]), event_id
        store.close()
    assert len(answered) >= 20


def _kind_of(db_path, event_id: str) -> str:
    store = open_store(db_path, migrate=False)
    try:
        return store.scalar("SELECT kind FROM usage_events WHERE event_id=?", (event_id,))
    finally:
        store.close()
