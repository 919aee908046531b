"""Two tills on one store and a stand-alone customer display paired with one of them: the
display shows that till's payments only — UPI and card — pushed, never polled."""

from __future__ import annotations

from typing import Any

from app.till.checkout.view import STEP_DONE
from backend.services.shop import customers
from backend.services.upi import upi_requests
from tests.gui.staff.conftest import assert_not_polling, decode_qr, open_till, sell


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
    counter_1 = open_till(qtbot, make_window, "Counter 1")
    counter_2 = open_till(qtbot, make_window, "Counter 2")
    assert counter_1.windowTitle() == "AUTOOS Checkout — Counter 1"

    # Counter 2's customer is not this display's
    elsewhere = sell(qtbot, counter_2, "student", "kavya@example.com", "upi")
    assert ctx.store.scalar("SELECT terminal FROM payments WHERE id=?", (elsewhere["id"],)) == (
        "Counter 2"
    )
    # Counter 1's is: its QR, pushed to the display
    mine = sell(qtbot, counter_1, "employee", "arjun@example.com", "upi")
    qtbot.waitUntil(lambda: display.state == "payment")
    assert shown == [mine["id"]]
    assert display.current["id"] == mine["id"]
    assert decode_qr(display) == [mine["uri"]]
    assert_not_polling(display)
    assert {change["terminal"] for change in heard} == {"Counter 1"}

    upi_requests.confirm_with_utr(ctx, mine["id"], "412345678901", actor="staff:1")
    qtbot.waitUntil(lambda: display.state == "paid")
    qtbot.waitUntil(lambda: counter_1.area.checkout.stack.currentIndex() == STEP_DONE)
    counter_1.area.checkout.reset()

    # a card checkout at Counter 1: its Stripe page as the QR, then paid
    card = sell(qtbot, counter_1, "student", "dev@example.com", "card", usd=True)
    [session] = fake.all("checkout.session")
    assert card["url"] == session["url"]
    qtbot.waitUntil(lambda: display.state == "payment" and display.current["id"] == card["id"])
    assert decode_qr(display) == [session["url"]]
    assert_not_polling(display)
    fake.complete_session(session["id"])  # paid on the customer's phone
    qtbot.waitUntil(lambda: display.state == "paid", timeout=10_000)
    assert "$9.99" in display.result_panel.detail.text()
    assert shown == [mine["id"], card["id"]]  # Counter 2's request was never shown
    assert elsewhere["id"] not in {change["payment_id"] for change in heard}
    assert_not_polling(display)
