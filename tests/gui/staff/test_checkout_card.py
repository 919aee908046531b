"""A card sale at the staff window against the fake Stripe server (real SDK, real HTTP)."""

from __future__ import annotations

from PySide6.QtCore import Qt

from app.till.checkout.view import STEP_DONE, STEP_METHOD, STEP_WAITING
from backend.services.shop import customers
from tests.gui.staff.conftest import decode_qr, sign_in


def test_card_sale_shows_the_session_url_as_a_qr_and_completes(
    qtbot, make_window, people, card_ctx, fake
):
    buyer = customers.add_customer(
        card_ctx, name="Dev Malhotra", email="dev@example.com", actor="test"
    )
    window = make_window()
    sign_in(qtbot, window, "Ravi", "1357")
    qtbot.waitUntil(lambda: window.area is not None)
    checkout = window.area.checkout
    qtbot.waitUntil(lambda: len(checkout.tier_step.cards) == 5)
    checkout.tier_step.usd.click()
    student = next(c for c in checkout.tier_step.cards if c.tier["id"] == "student")
    assert student.price.text() == "$9.99"
    student.button.click()
    checkout.customer_step.search.query.setText("dev@example.com")
    qtbot.keyClick(checkout.customer_step.search.query, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: checkout.stack.currentIndex() == STEP_METHOD)
    assert checkout.method_step.reasons["upi"].text().startswith("UPI takes rupees only")
    assert checkout.method_step.buttons["card"].isEnabled()

    qtbot.keyClick(checkout.method_step, Qt.Key.Key_C, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: checkout.stack.currentIndex() == STEP_WAITING, timeout=10_000)
    request = checkout.sale["request"]
    [session] = fake.all("checkout.session")
    assert request["url"] == session["url"]
    assert session["url"] in checkout.waiting_step.details.text()
    assert decode_qr(checkout.qr_preview) == [session["url"]]
    assert checkout.waiting_step.amount.text() == "$9.99"
    assert not checkout.waiting_step.utr.isVisible()

    fake.complete_session(session["id"])
    qtbot.waitUntil(lambda: checkout.stack.currentIndex() == STEP_DONE, timeout=10_000)
    receipt = checkout.success_step.values["receipt_no"].text()
    row = card_ctx.store.one(
        "SELECT status, receipt_no, amount, currency FROM payments WHERE id=?", (request["id"],)
    )
    assert row == {"status": "succeeded", "receipt_no": receipt, "amount": 999, "currency": "USD"}
    sub = card_ctx.store.one(
        "SELECT tier, interval, status, method FROM subscriptions WHERE customer_id=?",
        (buyer["id"],),
    )
    assert sub == {"tier": "student", "interval": "month", "status": "active", "method": "card"}


def test_card_button_says_why_when_stripe_is_not_configured(qtbot, make_window, people, ctx):
    customers.add_customer(ctx, name="Dev Malhotra", email="dev@example.com", actor="test")
    window = make_window()
    sign_in(qtbot, window, "Ravi", "1357")
    qtbot.waitUntil(lambda: window.area is not None)
    checkout = window.area.checkout
    qtbot.waitUntil(lambda: len(checkout.tier_step.cards) == 5)
    qtbot.waitUntil(lambda: "not configured" in window.sync.text())
    next(c for c in checkout.tier_step.cards if c.tier["id"] == "student").button.click()
    checkout.customer_step.search.query.setText("Dev")
    qtbot.keyClick(checkout.customer_step.search.query, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: checkout.stack.currentIndex() == STEP_METHOD)
    assert not checkout.method_step.buttons["card"].isEnabled()
    assert "Card payments are not configured" in checkout.method_step.reasons["card"].text()
    assert checkout.method_step.buttons["upi"].isEnabled()


def test_a_slow_stripe_never_freezes_the_window(qtbot, make_window, people, card_ctx, fake):
    from PySide6.QtCore import QTimer

    customers.add_customer(card_ctx, name="Dev Malhotra", email="dev@example.com", actor="test")
    window = make_window()
    sign_in(qtbot, window, "Ravi", "1357")
    qtbot.waitUntil(lambda: window.area is not None)
    checkout = window.area.checkout
    qtbot.waitUntil(lambda: len(checkout.tier_step.cards) == 5)
    next(c for c in checkout.tier_step.cards if c.tier["id"] == "student").button.click()
    checkout.customer_step.search.query.setText("Dev")
    qtbot.keyClick(checkout.customer_step.search.query, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: checkout.stack.currentIndex() == STEP_METHOD)

    qtbot.waitUntil(lambda: window.sync.text() == "● Online · all synced", timeout=10_000)
    fake.slow_seconds = 1.0
    fake.inject("slow")  # Stripe takes a whole second to create the Checkout Session
    ticks = []
    heartbeat = QTimer()
    heartbeat.timeout.connect(lambda: ticks.append(checkout.stack.currentIndex()))
    heartbeat.start(20)
    checkout.method_step.buttons["card"].click()
    qtbot.waitUntil(window.busy.isVisible, timeout=3000)  # "working…" shows while waiting
    qtbot.waitUntil(lambda: checkout.stack.currentIndex() == STEP_WAITING, timeout=10_000)
    heartbeat.stop()
    waited = [t for t in ticks if t == STEP_METHOD]
    assert len(waited) >= 20  # the GUI thread kept running timers for the whole second
    assert fake.faults_injected["slow"] == 1


def _waiting_for_a_card(qtbot, make_window, ctx):
    """Dev's $9.99 Student card sale, on the waiting step with Stripe's page."""
    customers.add_customer(ctx, name="Dev Malhotra", email="dev@example.com", actor="test")
    window = make_window()
    sign_in(qtbot, window, "Ravi", "1357")
    qtbot.waitUntil(lambda: window.area is not None)
    checkout = window.area.checkout
    qtbot.waitUntil(lambda: len(checkout.tier_step.cards) == 5)
    checkout.tier_step.usd.click()
    next(c for c in checkout.tier_step.cards if c.tier["id"] == "student").button.click()
    checkout.customer_step.search.query.setText("dev@example.com")
    qtbot.keyClick(checkout.customer_step.search.query, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: checkout.stack.currentIndex() == STEP_METHOD)
    checkout.method_step.buttons["card"].click()
    qtbot.waitUntil(lambda: checkout.stack.currentIndex() == STEP_WAITING, timeout=10_000)
    return checkout


def test_a_declined_card_is_said_on_the_waiting_screen_and_the_sale_stays_open(
    qtbot, make_window, people, card_ctx, fake
):
    """Stripe tells of the declined card (``payment_intent.payment_failed``, learnt by the
    events poll); the change is pushed to the till, which shows Stripe's words. The page
    stays open for another card, and paying with one completes the sale."""
    from backend.services.cards import stripe_sync

    checkout = _waiting_for_a_card(qtbot, make_window, card_ctx)
    waiting = checkout.waiting_step
    assert not waiting.declined.isVisible()
    [session] = fake.all("checkout.session")
    payment_id = checkout.sale["request"]["id"]

    fake.decline_session(session["id"], "Your card has insufficient funds.")
    stripe_sync.sync_once(card_ctx, actor="test")  # the Stripe events poll learns it
    qtbot.waitUntil(waiting.declined.isVisible, timeout=10_000)
    assert waiting.declined.text() == (
        "Card declined: Your card has insufficient funds. The customer may try another card."
    )
    status = "SELECT status FROM payments WHERE id=?"
    assert card_ctx.store.scalar(status, (payment_id,)) == "pending"
    assert checkout.stack.currentIndex() == STEP_WAITING
    assert waiting.cancel.isVisible()  # the cashier may still withdraw it

    fake.complete_session(session["id"])  # another card
    qtbot.waitUntil(lambda: checkout.stack.currentIndex() == STEP_DONE, timeout=10_000)
    assert card_ctx.store.scalar(status, (payment_id,)) == "succeeded"


def test_a_page_that_arrives_after_the_first_answer_is_drawn_on_the_till(
    qtbot, make_window, people, card_ctx, fake
):
    """A card or AutoPay page made after the sale's first answer (queued while Stripe was
    slow, or a remote till): the till's own QR is redrawn when the answer brings it."""
    checkout = _waiting_for_a_card(qtbot, make_window, card_ctx)
    [session] = fake.all("checkout.session")
    checkout._payment_started({**checkout.sale["request"], "url": None})  # no page yet
    assert decode_qr(checkout.qr_preview) == []
    with qtbot.waitSignal(checkout.follow.answered):
        checkout.poll()  # the store now has the page
    assert decode_qr(checkout.qr_preview) == [session["url"]]
