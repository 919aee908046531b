"""Payment changes are pushed: a listener hears each change this process commits at
once, and one another process commits (the command line, another till) soon after."""

from __future__ import annotations

import queue
import subprocess
import sys
from datetime import UTC, datetime

from backend.interface import Caller, CheckoutApi
from backend.services.shop import customers
from tests.conftest import ROOT, child_env

WAIT = 10  # seconds: a bound, not a sleep; the listener normally hears within milliseconds


def _heard(inbox: queue.Queue, count: int) -> list[dict]:
    return [inbox.get(timeout=WAIT) for _ in range(count)]


def test_a_change_is_heard_by_its_terminal_only(ctx):
    buyer = customers.add_customer(ctx, name="Kavya", email="kavya@example.com", actor="t")
    counter_1 = CheckoutApi(ctx, Caller.counter("Counter 1"))
    counter_2 = CheckoutApi(ctx, Caller.counter("Counter 2"))
    mine: queue.Queue = queue.Queue()
    everyone: queue.Queue = queue.Queue()
    stop_mine = counter_1.watch_payments(mine.put, terminal="Counter 1")
    stop_all = counter_1.watch_payments(everyone.put)
    try:
        other = counter_2.create_request(customer_id=buyer["id"], tier="student", interval="month")
        request = counter_1.create_request(
            customer_id=buyer["id"], tier="employee", interval="month"
        )
        owner = counter_1.signed_in({"id": _admin(ctx)})
        owner.confirm_with_utr(request["id"], "412345678901")
        heard = _heard(mine, 2)
        assert [(c["payment_id"], c["kind"], c["terminal"]) for c in heard] == [
            (request["id"], "created", "Counter 1"),
            (request["id"], "succeeded", "Counter 1"),
        ]
        assert heard[-1]["status"] == "succeeded"
        assert {c["payment_id"] for c in _heard(everyone, 3)} == {other["id"], request["id"]}
        assert mine.empty()  # Counter 2's request never reached Counter 1's display
    finally:
        stop_mine()
        stop_all()


def test_a_change_made_by_another_process_is_heard(ctx, clock, db_path):
    clock.set(datetime.now(UTC))  # the child process reads the wall clock
    buyer = customers.add_customer(ctx, name="Ravi", email="ravi@example.com", actor="t")
    api = CheckoutApi(ctx, Caller.counter("Counter 1"))
    request = api.create_request(customer_id=buyer["id"], tier="student", interval="month")
    inbox: queue.Queue = queue.Queue()
    stop = api.watch_payments(inbox.put, terminal="Counter 1")
    try:
        done = subprocess.run(
            [sys.executable, "-m", "app.main", "upi", "confirm", request["id"], "--utr",
             "412345678902", "--json"],
            capture_output=True, text=True, cwd=ROOT, timeout=120,
            env=child_env(AUTOOS_CHECKOUT_DB=str(db_path)),
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        [change] = _heard(inbox, 1)
        assert (change["payment_id"], change["kind"], change["status"]) == (
            request["id"],
            "succeeded",
            "succeeded",
        )
    finally:
        stop()


def test_changes_after_a_number_are_what_a_screen_missed(ctx):
    buyer = customers.add_customer(ctx, name="Meera", email="meera@example.com", actor="t")
    api = CheckoutApi(ctx, Caller.counter("Counter 1"))
    first = api.create_request(customer_id=buyer["id"], tier="student", interval="month")
    [created] = api.payment_changes(0, "Counter 1")
    api.cancel_payment(first["id"])
    missed = api.payment_changes(created["event_id"], "Counter 1")
    assert [(c["kind"], c["status"]) for c in missed] == [("canceled", "canceled")]
    assert api.payment_changes(0, "Counter 2") == []


def _admin(ctx) -> int:
    from backend.services.shop import staff

    return staff.add_staff(ctx, name="Asha", role="admin", pin="4821", actor="t")["id"]
