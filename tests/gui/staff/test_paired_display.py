"""Two tills on one store and a stand-alone customer display paired with one of them: the
display shows that till's payments only — UPI and card — pushed, never polled."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt

from app.display.customer_display import CustomerDisplay
from app.display.start import build_display
from app.till.checkout.view import STEP_DONE, STEP_METHOD, STEP_TIERS, STEP_WAITING
from app.till.staff_window import StaffWindow
from backend.interface import Caller, CheckoutApi
from backend.services.shop import customers
from backend.services.upi import upi_requests
from tests.gui.staff.conftest import decode_qr, sign_in


def _till(qtbot, make_window, terminal: str) -> StaffWindow:
    window = make_window(terminal=terminal)
    sign_in(qtbot, window, "Ravi", "1357")
    qtbot.waitUntil(lambda: window.area is not None)
    checkout = window.area.checkout
    qtbot.waitUntil(lambda: len(checkout.tier_step.cards) == 5)
    qtbot.waitUntil(lambda: checkout.follow.subscribed)
    return window


def _sell(qtbot, window: StaffWindow, tier: str, who: str, method: str, usd: bool = False):
    """Plan → customer (found by email) → method, as the cashier would; the payment."""
    checkout = window.area.checkout
    assert checkout.stack.currentIndex() == STEP_TIERS
    if usd:
        checkout.tier_step.usd.click()
    next(c for c in checkout.tier_step.cards if c.tier["id"] == tier).button.click()
    checkout.customer_step.search.query.setText(who)
    qtbot.keyClick(checkout.customer_step.search.query, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: checkout.stack.currentIndex() == STEP_METHOD)
    checkout.method_step.buttons[method].click()
    qtbot.waitUntil(lambda: checkout.stack.currentIndex() == STEP_WAITING, timeout=10_000)
    return checkout.sale["request"]


@pytest.fixture
def paired_display(qtbot, ctx, runner):
    """``autoos-checkout display`` on the store's computer, paired by its settings."""
    ctx.settings.ui.display_pairs_with = "Counter 1"
    api = CheckoutApi(ctx, Caller.counter("display"))
    display = build_display(api, runner, api.settings_view(), ctx.clock.now)
    qtbot.addWidget(display)
    display.resize(1280, 720)
    display.show()
    qtbot.waitExposed(display)
    qtbot.waitUntil(lambda: display.feed.follow.subscribed)
    yield display
    display.close()


def _no_polling(display: CustomerDisplay) -> None:
    follow = display.feed.follow
    assert follow.live
    assert follow.link_timer is None
    assert not follow.poll_timer.isActive()
    assert not follow.provider_timer.isActive()
    assert not follow.retry_timer.isActive()


def test_a_display_shows_only_its_own_tills_payments_upi_and_card(
    qtbot, monkeypatch, make_window, people, card_ctx, fake, paired_display
):
    ctx = card_ctx
    for name, email in (("Kavya", "kavya@example.com"), ("Arjun", "arjun@example.com")):
        customers.add_customer(ctx, name=name, email=email, actor="test")
    customers.add_customer(ctx, name="Dev", email="dev@example.com", actor="test")
    display = paired_display
    shown: list[str] = []
    show_payment = display.show_payment

    def record(request: dict[str, Any]) -> None:
        shown.append(request["id"])
        show_payment(request)

    monkeypatch.setattr(display, "show_payment", record)
    heard: list[dict[str, Any]] = []
    display.feed.follow.heard.connect(heard.append)
    counter_1 = _till(qtbot, make_window, "Counter 1")
    counter_2 = _till(qtbot, make_window, "Counter 2")
    assert counter_1.windowTitle() == "AUTOOS Checkout — Counter 1"

    # Counter 2's customer is not this display's
    elsewhere = _sell(qtbot, counter_2, "student", "kavya@example.com", "upi")
    assert ctx.store.scalar("SELECT terminal FROM payments WHERE id=?", (elsewhere["id"],)) == (
        "Counter 2"
    )
    # Counter 1's is: its QR, pushed to the display
    mine = _sell(qtbot, counter_1, "employee", "arjun@example.com", "upi")
    qtbot.waitUntil(lambda: display.state == "payment")
    assert shown == [mine["id"]]
    assert display.current["id"] == mine["id"]
    assert decode_qr(display) == [mine["uri"]]
    _no_polling(display)
    assert {change["terminal"] for change in heard} == {"Counter 1"}

    upi_requests.confirm_with_utr(ctx, mine["id"], "412345678901", actor="staff:1")
    qtbot.waitUntil(lambda: display.state == "paid")
    qtbot.waitUntil(lambda: counter_1.area.checkout.stack.currentIndex() == STEP_DONE)
    counter_1.area.checkout.reset()

    # a card checkout at Counter 1: its Stripe page as the QR, then paid
    card = _sell(qtbot, counter_1, "student", "dev@example.com", "card", usd=True)
    [session] = fake.all("checkout.session")
    assert card["url"] == session["url"]
    qtbot.waitUntil(lambda: display.state == "payment" and display.current["id"] == card["id"])
    assert decode_qr(display) == [session["url"]]
    _no_polling(display)
    fake.complete_session(session["id"])  # paid on the customer's phone
    qtbot.waitUntil(lambda: display.state == "paid", timeout=10_000)
    assert "$9.99" in display.result_panel.detail.text()
    assert shown == [mine["id"], card["id"]]  # Counter 2's request was never shown
    assert elsewhere["id"] not in {change["payment_id"] for change in heard}
    _no_polling(display)
