"""Payment changes pushed to a remote screen over server-sent events: only its own
till's, and nothing lost or heard twice when the server goes away and comes back."""

from __future__ import annotations

import queue
import time

import httpx
import pytest

from backend.api.client import RemoteCheckoutApi
from backend.services.shop import api_tokens, customers, staff
from backend.services.upi import upi_requests

WAIT = 10


def _token(ctx, role: str, name: str) -> str:
    return api_tokens.create_token(ctx, role=role, name=name, actor="t")["token"]


def _until(condition, timeout: float = WAIT) -> None:
    """Wait for a condition another thread makes true (a bound, not a fixed sleep)."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.01)


@pytest.fixture
def remote(ctx, server):
    made: list[RemoteCheckoutApi] = []

    def connect(role: str, name: str) -> RemoteCheckoutApi:
        made.append(RemoteCheckoutApi(server.url, _token(ctx, role, name), timeout=5))
        return made[-1]

    yield connect
    for api in made:
        api.close()


def test_a_display_hears_its_own_till_only_and_nothing_is_lost_while_down(ctx, server, remote):
    buyer = customers.add_customer(ctx, name="Kavya", email="kavya@example.com", actor="t")
    counter_1, counter_2 = remote("staff", "Counter 1"), remote("staff", "Counter 2")
    display = remote("kiosk", "Display 1")
    heard: queue.Queue = queue.Queue()
    stop = display.watch_payments(heard.put, terminal="Counter 1")
    try:
        _until(lambda: display.stream_connected)
        counter_2.create_request(customer_id=buyer["id"], tier="student", interval="month")
        mine = counter_1.create_request(customer_id=buyer["id"], tier="employee", interval="month")
        created = heard.get(timeout=WAIT)
        assert (created["payment_id"], created["kind"], created["terminal"]) == (
            mine["id"],
            "created",
            "Counter 1",
        )

        server.stop()
        _until(lambda: not display.stream_connected)
        upi_requests.confirm_with_utr(ctx, mine["id"], "412345678901", actor="staff:1")
        server.start()  # same port
        paid = heard.get(timeout=WAIT)
        assert (paid["payment_id"], paid["kind"], paid["status"]) == (
            mine["id"],
            "succeeded",
            "succeeded",
        )
        _until(lambda: display.stream_connected)
        other = customers.add_customer(ctx, name="Ravi", email="ravi@example.com", actor="t")
        again = counter_1.create_request(customer_id=other["id"], tier="student", interval="month")
        counter_1.cancel_payment(again["id"])
        later = [heard.get(timeout=WAIT)["kind"] for _ in range(2)]
        assert later == ["created", "canceled"]
        assert heard.empty()  # the success was heard once, Counter 2's request never
    finally:
        stop()


def test_the_stream_needs_a_counter_token(ctx, server):
    staff.add_staff(ctx, name="Asha", role="admin", pin="4821", actor="t")
    autoos = _token(ctx, "autoos", "AUTOOS")
    with httpx.stream(
        "GET", f"{server.url}/payments/stream", headers={"Authorization": f"Bearer {autoos}"}
    ) as response:
        assert response.status_code == 403
    with httpx.stream("GET", f"{server.url}/payments/stream") as response:
        assert response.status_code == 401
