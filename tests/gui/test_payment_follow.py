"""The view-model of the payment in front of a customer, against a scripted interface:
changes heard on a background thread reach it on the GUI thread, each asks once, it
polls only while the stream is down (and says so), and it stops listening when its
window closes."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from PySide6.QtCore import QThread
from PySide6.QtWidgets import QApplication, QWidget

from app.runtime.lifecycle import close_down
from app.runtime.payment_follow import PaymentFollow


class ScriptedApi:
    """``watch_payments`` and ``payment_status`` as the test says."""

    def __init__(self, remote: bool) -> None:
        self.remote = remote
        self.stream_connected = True
        self.listeners: list[Any] = []
        self.asked: list[str] = []
        self.status: dict[str, str] = {}
        self.terminals: list[str | None] = []

    def watch_payments(self, listener, terminal=None):
        self.listeners.append(listener)
        self.terminals.append(terminal)
        return lambda: self.listeners.remove(listener)

    def payment_status(self, payment_id: str) -> dict[str, Any]:
        self.asked.append(payment_id)
        return {
            "id": payment_id,
            "method": "upi_qr",
            "uri": f"upi://pay?tr={payment_id}",
            "status": self.status.get(payment_id, "pending"),
        }


@pytest.fixture
def owner(qtbot):
    widget = QWidget()
    qtbot.addWidget(widget)
    return widget


def _follow(qtbot, owner, runner, remote: bool) -> tuple[PaymentFollow, ScriptedApi]:
    api = ScriptedApi(remote)
    follow = PaymentFollow(api, runner, owner, terminal="Counter 1")  # type: ignore[arg-type]
    qtbot.waitUntil(lambda: follow.subscribed)
    assert api.terminals == ["Counter 1"]
    return follow, api


def _tell_from_a_thread(api: ScriptedApi, change: dict[str, Any]) -> None:
    """As the feed or the stream does: call every listener on a thread of its own."""
    threads = [threading.Thread(target=listener, args=(change,)) for listener in api.listeners]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def test_a_change_heard_on_another_thread_is_asked_about_once_on_the_gui_thread(
    qtbot, owner, runner
):
    follow, api = _follow(qtbot, owner, runner, remote=False)
    on_gui_thread: list[bool] = []
    follow.heard.connect(
        lambda _c: on_gui_thread.append(QThread.currentThread() is QApplication.instance().thread())
    )
    follow.follow({"id": "pay_1", "status": "pending"})
    api.status["pay_1"] = "succeeded"
    with qtbot.waitSignal(follow.answered) as answer:
        _tell_from_a_thread(api, {"payment_id": "pay_1", "kind": "succeeded"})
    assert answer.args[0]["status"] == "succeeded"
    assert on_gui_thread == [True]
    assert api.asked == ["pay_1"]  # once, for the one change
    # another payment's change is heard but not asked about
    with qtbot.waitSignal(follow.heard):
        _tell_from_a_thread(api, {"payment_id": "pay_2", "kind": "created"})
    assert api.asked == ["pay_1"]
    assert not follow.poll_timer.isActive()
    assert follow.link_timer is None


def test_it_polls_only_while_the_stream_is_down_and_says_so(qtbot, owner, runner):
    follow, api = _follow(qtbot, owner, runner, remote=True)
    follow.follow({"id": "pay_1", "status": "pending"})
    qtbot.waitUntil(lambda: api.stream_connected and follow.live)
    assert not follow.polling
    with qtbot.waitSignal(follow.live_changed) as paused:
        api.stream_connected = False
    assert paused.args == [False]
    assert follow.polling
    asked = len(api.asked)
    follow.poll_timer.setInterval(20)
    qtbot.waitUntil(lambda: len(api.asked) >= asked + 2)  # asked every interval
    with qtbot.waitSignal(follow.live_changed) as back:
        api.stream_connected = True
    assert back.args == [True]
    assert not follow.polling
    api.status["pay_1"] = "expired"
    with qtbot.waitSignal(follow.answered):
        _tell_from_a_thread(api, {"payment_id": "pay_1", "kind": "expired"})
    api.stream_connected = False
    qtbot.waitUntil(lambda: not follow.live)
    assert not follow.polling  # nothing open to ask about


def test_a_card_page_not_made_yet_is_asked_again_until_it_is_then_no_more(qtbot, owner, runner):
    follow, api = _follow(qtbot, owner, runner, remote=False)
    follow.ask_provider = False  # a display: it hears the provider's answers pushed
    page: dict[str, str] = {}

    def card_status(payment_id: str) -> dict[str, Any]:
        api.asked.append(payment_id)
        return {"id": payment_id, "method": "stripe_checkout", "status": "pending", **page}

    api.payment_status = card_status  # type: ignore[method-assign]
    follow.follow({"id": "pay_1", "method": "stripe_checkout", "status": "pending"})
    with qtbot.waitSignal(follow.answered) as first:
        _tell_from_a_thread(api, {"payment_id": "pay_1", "kind": "created"})
    assert "url" not in first.args[0]
    assert follow.retry_timer.isActive()  # the page is on its way: ask again shortly
    page["url"] = "https://checkout.stripe.com/c/pay/cs_1"
    with qtbot.waitSignal(follow.answered) as ready:
        _tell_from_a_thread(api, {"payment_id": "pay_1", "kind": "page_ready"})
    assert ready.args[0]["url"] == page["url"]
    assert not follow.retry_timer.isActive()  # it has the page: no retry left armed
    assert not follow.provider_timer.isActive()
    assert not follow.poll_timer.isActive()


def test_closing_the_window_stops_listening(qtbot, owner, runner):
    follow, api = _follow(qtbot, owner, runner, remote=False)
    listener = api.listeners[0]
    heard: list[Any] = []
    follow.heard.connect(heard.append)
    close_down(owner)
    assert api.listeners == []  # unsubscribed at once
    listener({"payment_id": "pay_1", "kind": "created"})  # a call already on its way
    QApplication.processEvents()
    assert heard == []
