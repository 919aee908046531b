"""``serve --workers N`` on either engine, and two stores on one PostgreSQL: a worker
killed mid-stream loses no answered usage event and counts none twice; one free trial
per person holds across stores."""

from __future__ import annotations

import json
import os
import random
import signal
import threading
import time
from pathlib import Path

import httpx
import pytest

from backend.clock import SystemClock
from backend.services.shop import api_tokens, customers
from backend.services.trials import credits, trials
from tests.integration.api.serving import Serve
from tests.integration.ledger_checks import check_invariants


@pytest.fixture
def trialist(ctx, clock) -> int:
    """A customer on a free trial that starts now (the served processes use the real
    clock), with credits for every event the test sends."""
    clock.set(SystemClock().now())
    cid = customers.add_customer(ctx, name="Asha", email="asha@example.com", actor="t")["id"]
    trials.start_trial(ctx, cid, actor="t")
    credits.adjust(ctx, cid, 5_000, "bought", idempotency_key="buy", actor="t")
    return cid


def _send_until_answered(client: httpx.Client, event: dict) -> dict:
    """A client that keeps its event id and tries again until a worker answers."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            response = client.post("/payments/usage", json=event)
        except httpx.TransportError:  # the worker died under the request
            time.sleep(0.02)
            continue
        assert response.status_code == 200, response.text
        return response.json()
    raise AssertionError(f"no worker answered {event['event_id']}")


def _both_running(serve: Serve) -> list[int]:
    """The two workers' pids, once the supervisor has replaced the last one killed."""
    deadline = time.monotonic() + 60
    while len(pids := serve.worker_pids()) < 2:
        assert time.monotonic() < deadline, serve.log.read_text()
        time.sleep(0.02)
    return pids


def _gone(serve: Serve, victim: int) -> None:
    """Wait until a killed worker is dead: ``kill`` only sends the signal, and a process
    still dying on a busy machine would otherwise be picked (and "killed") again."""
    deadline = time.monotonic() + 60
    while victim in serve.worker_pids():
        assert time.monotonic() < deadline, f"worker {victim} did not die"
        time.sleep(0.02)


@pytest.mark.slow
def test_a_worker_killed_mid_stream_20_times_loses_no_answered_event(
    ctx, db_path, trialist, tmp_path
):
    token = api_tokens.create_token(ctx, role="autoos", name="autoos", actor="t")["token"]
    serve = Serve(db_path, tmp_path / "serve.log", workers=2)
    rng = random.Random(20)
    answered: dict[str, dict] = {}
    killed: list[int] = []
    try:
        with httpx.Client(
            base_url=serve.url, headers={"Authorization": f"Bearer {token}"}, timeout=30
        ) as client:
            number = 0
            for _round in range(20):
                for _ in range(rng.randint(1, 10)):
                    event = {"customer_id": trialist, "kind": "workflow", "event_id": f"e{number}"}
                    answered[event["event_id"]] = _send_until_answered(client, event)
                    number += 1
                victim = rng.choice(_both_running(serve))
                os.kill(victim, signal.SIGKILL)
                _gone(serve, victim)
                killed.append(victim)
                # the next event goes to whichever worker is alive; a re-sent answered
                # event gets its first answer back and is not counted again
                again = rng.choice(sorted(answered))
                repeat = {"customer_id": trialist, "kind": "workflow", "event_id": again}
                assert _send_until_answered(client, repeat) == answered[again]
            _both_running(serve)
    finally:
        code, out, log = serve.stop()
    assert code == 0, log
    assert json.loads(out)["workers"] == 2
    assert log.count("starting it again") == 20
    stored = dict(ctx.store.fetchall("SELECT event_id, allowed FROM usage_events"))
    assert stored == {eid: int(a["allowed"]) for eid, a in answered.items()}  # once each
    spent = -ctx.store.scalar(
        "SELECT SUM(amount) FROM credit_ledger WHERE customer_id=? AND kind='debit'", (trialist,)
    )
    assert spent == sum(a["allowed"] for a in answered.values()) > 0
    check_invariants(ctx.store)


def test_one_free_trial_per_person_across_two_stores_on_one_database(postgres, clock, tmp_path):
    """Two shops' servers on one PostgreSQL: the same person asks both at once."""
    from backend.store import open_store

    name = postgres.new_database(template=postgres.template)
    url = postgres.url(name)
    store = open_store(url)
    try:
        from backend.config import Secrets, Settings
        from backend.context import Context
        from backend.domain.catalog import load_catalog

        clock.set(SystemClock().now())
        ctx = Context(
            store=store, clock=clock, catalog=load_catalog(), settings=Settings(),
            secrets=Secrets(env={}, use_keyring=False),
        )  # fmt: skip
        token = api_tokens.create_token(ctx, role="kiosk", name="both", actor="t")["token"]
        people = [
            customers.add_customer(ctx, name=f"P{n}", phone=f"+9198765432{n:02d}", actor="t")["id"]
            for n in range(10)
        ]
        shops = [Serve(url, tmp_path / f"shop{n}.log") for n in range(2)]
        answers: dict[int, list[int]] = {cid: [] for cid in people}
        try:

            def ask(shop: Serve) -> None:
                headers = {"Authorization": f"Bearer {token}"}
                with httpx.Client(base_url=shop.url, headers=headers, timeout=30) as client:
                    for cid in people:
                        response = client.post("/payments/start-trial", json={"customer_id": cid})
                        answers[cid].append(response.status_code)

            threads = [threading.Thread(target=ask, args=(shop,)) for shop in shops]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(120)
            # the same phone at the second shop is the same person, not a new trial
            again = httpx.post(
                f"{shops[1].url}/payments/create-customer",
                json={"name": "P0 again", "phone": "+919876543200"},
                headers={"Authorization": f"Bearer {token}"},
            )
        finally:
            for shop in shops:
                shop.stop()
        assert all(sorted(codes) == [201, 409] for codes in answers.values()), answers
        assert store.scalar("SELECT count(*) FROM trials") == 10
        assert store.scalar("SELECT count(*) FROM credit_ledger WHERE kind='grant'") == 10
        assert again.status_code == 409, again.text
    finally:
        store.close()
        postgres.drop_database(name)


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


def test_workers_do_not_outlive_a_killed_supervisor(db_path, tmp_path):
    serve = Serve(db_path, tmp_path / "serve.log", workers=2)
    workers = serve.worker_pids()
    assert len(workers) == 2
    serve.proc.kill()  # the supervisor dies without stopping anyone
    serve.stop()
    deadline = time.monotonic() + 60
    while any(_running(pid) for pid in workers):
        assert time.monotonic() < deadline, "a worker outlived its supervisor"
        time.sleep(0.05)
    with pytest.raises(httpx.TransportError):  # nobody holds the port any more
        httpx.get(f"{serve.url}/health", timeout=5)
