"""The self-service kiosk, driven like a customer would: taps and typing, no fixed sleeps.

Outcomes are checked in the database (trial rows, credits, payment status), not in the
widgets alone.
"""

from __future__ import annotations

import contextlib
import itertools

import pytest
import pytestqt.exceptions
from PySide6.QtCore import Qt
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QApplication, QLineEdit, QPushButton

from app.kiosk.options import KioskOptions
from app.kiosk.window import KioskWindow
from app.runtime.lifecycle import close_down
from app.runtime.tasks import TaskRunner
from app.widgets.style import styled
from backend.interface import Caller, CheckoutApi
from backend.services.shop import staff
from backend.services.trials import credits, trials
from backend.services.upi import upi_requests
from tests.gui.kiosk_driving import tap, wait_for_plans
from tests.qr_reading import decode_widget, query

ADMIN = ("Ravi Admin", "1357")
CASHIER = ("Asha Staff", "2468")


@pytest.fixture(autouse=True)
def shipped_style(qapp):
    """Sizes are checked under the style sheet the kiosk runs with (``app.gui_main``)."""
    with styled(qapp):
        yield


@pytest.fixture
def people(ctx):
    staff.add_staff(ctx, name=ADMIN[0], role="admin", pin=ADMIN[1], actor="test")
    staff.add_staff(ctx, name=CASHIER[0], role="staff", pin=CASHIER[1], actor="test")


def make_kiosk(
    qtbot, ctx, clock, terminal: str = "kiosk", **options
) -> tuple[KioskWindow, TaskRunner]:
    runner = TaskRunner()
    kiosk = KioskWindow(
        CheckoutApi(ctx, Caller.counter(terminal)), runner, clock.now, KioskOptions(**options)
    )
    kiosk.resize(1920, 1080)
    kiosk.show()
    qtbot.waitExposed(kiosk)
    kiosk.start()
    wait_for_plans(qtbot, kiosk)
    return kiosk, runner


@pytest.fixture
def kiosk_factory(qtbot, ctx, clock):
    made: list[tuple[KioskWindow, TaskRunner]] = []

    def build(**options) -> KioskWindow:
        made.append(make_kiosk(qtbot, ctx, clock, **options))
        return made[-1][0]

    yield build
    for kiosk, runner in made:
        kiosk.idle.remove()
        close_down(kiosk)  # (a close would be refused: that is the point of a kiosk)
        kiosk.hide()
        runner.shutdown()
        kiosk.deleteLater()


@pytest.fixture
def kiosk(kiosk_factory):
    return kiosk_factory()


def type_into(qtbot, edit: QLineEdit, text: str) -> None:
    edit.clear()
    qtbot.keyClicks(edit, text)


def fill_details(qtbot, kiosk, name="Meera Iyer", phone="", email="meera@example.com"):
    page = kiosk.details_page
    type_into(qtbot, page.fields["name"], name)
    type_into(qtbot, page.fields["phone"], phone)
    type_into(qtbot, page.fields["email"], email)
    tap(qtbot, page.continue_button)


def test_free_trial_end_to_end(qtbot, ctx, kiosk):
    tap(qtbot, kiosk.plan_page.buttons["free_trial"])
    assert kiosk.page is kiosk.details_page
    assert kiosk.details_page.continue_button.text() == "Start my free trial"
    fill_details(qtbot, kiosk, phone="98765 43210")
    qtbot.waitUntil(lambda: kiosk.page is kiosk.result_page)
    assert kiosk.result_page.panel.headline.text() == "You're in ✓"
    assert "10 workflow credits" in kiosk.result_page.panel.detail.text()
    assert "Ends 26 Dec 2026" in kiosk.result_page.panel.detail.text()

    customer = ctx.store.one("SELECT * FROM customers WHERE email='meera@example.com'")
    assert customer["phone"] == "+919876543210"
    assert customer["name"] == "Meera Iyer"
    status = trials.trial_status(ctx, customer["id"])
    assert status["status"] == "active"
    assert status["credits_left"] == 10
    assert credits.balances(ctx, customer["id"])["total"] == 10

    tap(qtbot, kiosk.result_page.done_button)
    assert kiosk.page is kiosk.plan_page
    assert kiosk.details_page.fields["email"].text() == ""  # nothing left for the next person

    # the same person cannot take a second trial, and is told so in plain words
    tap(qtbot, kiosk.plan_page.buttons["free_trial"])
    fill_details(qtbot, kiosk, name="Meera", email="Meera@Example.com")
    qtbot.waitUntil(lambda: kiosk.details_page.status.text() != "")
    assert "already been used" in kiosk.details_page.status.text()
    assert kiosk.page is kiosk.details_page
    assert ctx.store.scalar("SELECT COUNT(*) FROM trials") == 1


def test_details_are_validated_inline_before_anything_is_saved(qtbot, ctx, kiosk):
    tap(qtbot, kiosk.plan_page.buttons["student"])
    fill_details(qtbot, kiosk, name="  ", phone="12345", email="meera@")
    errors = kiosk.details_page.errors
    assert errors["name"].isVisible()
    assert "your name" in errors["name"].text()
    assert "not a valid phone number" in errors["phone"].text()
    assert "is not an email address" in errors["email"].text()
    fill_details(qtbot, kiosk, name="Meera", phone="", email="")
    assert "phone number or your email" in errors["phone"].text()
    assert not errors["name"].isVisible()
    assert ctx.store.scalar("SELECT COUNT(*) FROM customers") == 0


def go_to_qr(qtbot, kiosk):
    tap(qtbot, kiosk.plan_page.buttons["student"])
    fill_details(qtbot, kiosk, phone="9876543210", email="")
    qtbot.waitUntil(lambda: kiosk.page is kiosk.method_page)
    assert kiosk.method_page.summary.text() == "₹799.00"
    tap(qtbot, kiosk.method_page.upi_button)
    qtbot.waitUntil(lambda: kiosk.page is kiosk.payment_page)
    return kiosk.request


def test_upi_payment_shows_a_big_qr_then_paid(qtbot, ctx, kiosk):
    request = go_to_qr(qtbot, kiosk)
    assert kiosk.method_page.card_button.isHidden()  # Stripe is not configured here
    row = ctx.store.one(
        "SELECT status, amount, customer_id FROM payments WHERE id=?", (request["id"],)
    )
    assert row["status"] == "pending"
    assert row["amount"] == 79900
    texts = decode_widget(kiosk)
    assert texts == [request["uri"]]
    assert query(texts[0])["am"] == "799.00"
    assert query(texts[0])["tr"] == request["tr"]
    assert kiosk.payment_page.panel.qr.module_size() >= 15

    upi_requests.confirm_with_utr(ctx, request["id"], "512345678901", actor="staff:1")
    qtbot.waitUntil(lambda: kiosk.page is kiosk.result_page, timeout=5000)
    assert kiosk.result_page.panel.headline.text() == "Paid ✓"
    assert "512345678901" not in kiosk.result_page.panel.detail.text()


def test_cancel_asks_first_and_only_yes_stops_the_payment(qtbot, ctx, kiosk):
    request = go_to_qr(qtbot, kiosk)
    overlay = kiosk.payment_page.stop_overlay
    assert not overlay.isVisible()
    tap(qtbot, kiosk.payment_page.cancel_button)
    assert overlay.isVisible()  # in the window, over the QR: not a desktop dialog
    assert overlay.geometry() == kiosk.payment_page.rect()
    assert overlay.title.text() == "Stop paying?"
    assert overlay.message.text() == "This QR will stop working."
    for button in (overlay.keep_button, overlay.stop_button):
        assert button.height() >= 64
        assert button.width() >= 64

    tap(qtbot, overlay.keep_button)
    assert not overlay.isVisible()
    assert kiosk.page is kiosk.payment_page
    assert decode_widget(kiosk) == [request["uri"]]  # the same QR, still payable
    status = "SELECT status FROM payments WHERE id=?"
    assert ctx.store.scalar(status, (request["id"],)) == "pending"

    tap(qtbot, kiosk.payment_page.cancel_button)
    with qtbot.waitSignal(kiosk.reset_done) as reset:
        tap(qtbot, overlay.stop_button)
    assert reset.args == ["cancel"]
    assert kiosk.page is kiosk.plan_page
    qtbot.waitUntil(lambda: ctx.store.scalar(status, (request["id"],)) == "canceled")


def test_paid_while_asking_to_stop_shows_paid(qtbot, ctx, kiosk):
    request = go_to_qr(qtbot, kiosk)
    tap(qtbot, kiosk.payment_page.cancel_button)
    upi_requests.confirm_with_utr(ctx, request["id"], "512345678901", actor="staff:1")
    qtbot.waitUntil(lambda: kiosk.page is kiosk.result_page)
    assert kiosk.result_page.panel.headline.text() == "Paid ✓"
    assert not kiosk.payment_page.stop_overlay.isVisible()


def test_kiosk_names_its_terminal_and_hears_changes_pushed(qtbot, ctx, clock):
    kiosk, runner = make_kiosk(qtbot, ctx, clock, terminal="Front door")
    try:
        assert kiosk.windowTitle() == "AUTOOS Self-service — Front door"
        qtbot.waitUntil(lambda: kiosk.follow.subscribed)
        request = go_to_qr(qtbot, kiosk)
        row = ctx.store.one("SELECT terminal FROM payments WHERE id=?", (request["id"],))
        assert row == {"terminal": "Front door"}
        follow = kiosk.follow
        assert not follow.poll_timer.isActive()
        assert not follow.provider_timer.isActive()
        upi_requests.confirm_with_utr(ctx, request["id"], "512345678901", actor="staff:1")
        qtbot.waitUntil(lambda: kiosk.page is kiosk.result_page)
    finally:
        kiosk.idle.remove()
        close_down(kiosk)
        kiosk.hide()
        runner.shutdown()
        kiosk.deleteLater()


def test_upi_request_expires_on_the_clock(qtbot, ctx, clock, kiosk):
    request = go_to_qr(qtbot, kiosk)
    clock.advance(minutes=16)
    qtbot.waitUntil(lambda: kiosk.page is kiosk.result_page, timeout=5000)
    assert kiosk.result_page.panel.headline.text() == "Expired"
    assert upi_requests.get_payment(ctx, request["id"])["status"] == "expired"


def test_idle_returns_to_the_start_with_every_field_empty(qtbot, clock, kiosk):
    tap(qtbot, kiosk.plan_page.buttons["student"])
    qtbot.keyClicks(kiosk.details_page.fields["phone"], "98765")
    clock.advance(seconds=59)
    kiosk.idle.check()
    assert kiosk.page is kiosk.details_page  # a minute has not passed
    with qtbot.waitSignal(kiosk.reset_done) as reset:
        clock.advance(seconds=1)  # nobody touched the screen for a minute
    assert reset.args == ["idle"]
    assert kiosk.page is kiosk.plan_page
    assert kiosk.details_page.fields["phone"].text() == ""


def test_idle_never_abandons_a_request_that_can_still_be_paid(qtbot, ctx, clock, kiosk):
    request = go_to_qr(qtbot, kiosk)
    clock.advance(minutes=5)  # five minutes in their UPI app, nobody touching the kiosk
    kiosk.idle.check()
    assert kiosk.page is kiosk.payment_page
    assert upi_requests.get_payment(ctx, request["id"])["status"] == "pending"
    upi_requests.confirm_with_utr(ctx, request["id"], "512345678901", actor="staff:1")
    qtbot.waitUntil(lambda: kiosk.page is kiosk.result_page)
    assert kiosk.result_page.panel.headline.text() == "Paid ✓"


def test_input_keeps_the_session_alive(qtbot, clock, kiosk):
    tap(qtbot, kiosk.plan_page.buttons["student"])
    assert kiosk.idle.armed
    clock.advance(seconds=50)
    qtbot.keyClicks(kiosk.details_page.fields["name"], "M")
    assert kiosk.idle.idle_for() == 0  # counted again from the key press
    clock.advance(seconds=50)
    kiosk.idle.check()
    assert kiosk.page is kiosk.details_page  # 100 s since the tap, 50 s since the key
    with qtbot.waitSignal(kiosk.reset_done):
        clock.advance(seconds=10)


def refuses_to_close(qtbot, kiosk) -> None:
    assert kiosk.close() is False
    event = QCloseEvent()
    QApplication.sendEvent(kiosk, event)
    assert not event.isAccepted()
    qtbot.keyClick(kiosk, Qt.Key.Key_Escape)
    qtbot.keyClick(kiosk, Qt.Key.Key_F4, Qt.KeyboardModifier.AltModifier)
    QApplication.processEvents()
    assert kiosk.isVisible()


def test_kiosk_cannot_be_closed_without_an_admin_pin(qtbot, people, kiosk):
    refuses_to_close(qtbot, kiosk)

    # five quick taps in the top-left corner open the prompt
    for _ in range(5):
        qtbot.mouseClick(kiosk.corner, Qt.MouseButton.LeftButton)
    assert kiosk.page is kiosk.pin_page

    # a staff member's PIN is refused
    type_into(qtbot, kiosk.pin_page.name, CASHIER[0])
    type_into(qtbot, kiosk.pin_page.pin, CASHIER[1])
    tap(qtbot, kiosk.pin_page.unlock_button)
    qtbot.waitUntil(lambda: kiosk.pin_page.error.text() != "")
    assert kiosk.pin_page.error.text() == "Only an admin can unlock the kiosk."
    refuses_to_close(qtbot, kiosk)

    # a wrong admin PIN is refused
    type_into(qtbot, kiosk.pin_page.name, ADMIN[0])
    type_into(qtbot, kiosk.pin_page.pin, "0000")
    tap(qtbot, kiosk.pin_page.unlock_button)
    qtbot.waitUntil(lambda: "wrong PIN" in kiosk.pin_page.error.text())
    refuses_to_close(qtbot, kiosk)

    # the admin's PIN closes it
    type_into(qtbot, kiosk.pin_page.pin, ADMIN[1])
    with qtbot.waitSignal(kiosk.unlocked) as unlocked:
        tap(qtbot, kiosk.pin_page.unlock_button)
    assert unlocked.args[0]["role"] == "admin"
    qtbot.waitUntil(lambda: not kiosk.isVisible())


def test_key_chord_opens_the_pin_prompt_and_cancel_goes_back(qtbot, kiosk):
    tap(qtbot, kiosk.plan_page.buttons["student"])
    with qtbot.waitActive(kiosk):
        kiosk.activateWindow()
    name = kiosk.details_page.fields["name"]
    name.setFocus()
    qtbot.keyClick(
        name,
        Qt.Key.Key_Q,
        Qt.KeyboardModifier.ControlModifier
        | Qt.KeyboardModifier.AltModifier
        | Qt.KeyboardModifier.ShiftModifier,
    )
    qtbot.waitUntil(lambda: kiosk.page is kiosk.pin_page)
    assert name.text() == ""  # the chord typed nothing into the form
    tap(qtbot, kiosk.pin_page.cancel_button)
    assert kiosk.page is kiosk.details_page


def test_corner_needs_five_taps_within_three_seconds(qtbot, kiosk):
    times = iter([0, 1000, 2000, 3000, 3500, 3600])
    kiosk.corner.now_ms = lambda: next(times)
    for _ in range(5):  # five taps, but spread over 3.5 s
        qtbot.mouseClick(kiosk.corner, Qt.MouseButton.LeftButton)
    assert kiosk.page is kiosk.plan_page
    qtbot.mouseClick(kiosk.corner, Qt.MouseButton.LeftButton)  # last five within 2.6 s
    assert kiosk.page is kiosk.pin_page


@pytest.mark.parametrize("size", [(1920, 1080), (1280, 800)])
def test_every_touch_target_is_at_least_48_px(qtbot, ctx, kiosk, size):
    kiosk.resize(*size)
    pages = [
        kiosk.plan_page,
        kiosk.details_page,
        kiosk.method_page,
        kiosk.payment_page,
        kiosk.result_page,
        kiosk.pin_page,
    ]
    kiosk.method_page.card_button.show()
    checked = 0
    for page in pages:
        kiosk.stack.setCurrentWidget(page)
        QApplication.processEvents()
        for widget in page.findChildren(QPushButton) + page.findChildren(QLineEdit):
            if widget.isVisible():
                assert widget.height() >= 48, (page.objectName(), widget.objectName())
                assert widget.width() >= 48, (page.objectName(), widget.objectName())
                checked += 1
    assert checked >= 15
    assert kiosk.corner.width() >= 48
    assert kiosk.corner.height() >= 48


@pytest.mark.parametrize("size", [(1920, 1080), (1366, 768), (1280, 800)])
def test_plan_buttons_show_every_word_and_do_not_overlap(qtbot, kiosk, size):
    """Names, prices and the small print fit inside their buttons on a laptop-sized
    touch screen too, and the rows of buttons do not run into each other."""
    kiosk.resize(*size)
    page = kiosk.plan_page
    buttons = list(page.buttons.values())

    def clipped() -> list[str]:
        return [
            label.text()
            for button in buttons
            for label in (button.name, button.price, button.per, button.badge)
            if label.isVisible()
            and (
                label.width() < label.sizeHint().width()
                or not button.rect().contains(label.geometry())
            )
        ]

    with contextlib.suppress(pytestqt.exceptions.TimeoutError):
        qtbot.waitUntil(lambda: not clipped(), timeout=3000)
    assert clipped() == []
    for a, b in itertools.combinations(buttons, 2):
        assert not a.geometry().intersects(b.geometry()), (a.accessibleName(), b.accessibleName())
    assert all(button.geometry().bottom() < page.height() for button in buttons)


def test_text_is_large_enough_to_read_from_a_metre(qtbot, kiosk):
    tap(qtbot, kiosk.plan_page.buttons["student"])
    assert kiosk.details_page.title.font().pixelSize() >= 48
    assert kiosk.details_page.fields["name"].font().pixelSize() >= 28
    button = kiosk.details_page.continue_button
    assert button.font().pixelSize() >= 28


def test_frameless_and_full_screen_when_run(qtbot, kiosk):
    assert kiosk.windowFlags() & Qt.WindowType.FramelessWindowHint
    kiosk.showFullScreen()
    qtbot.waitUntil(kiosk.isFullScreen)
    assert kiosk.windowState() & Qt.WindowState.WindowFullScreen


def test_a_customer_on_a_plan_is_sent_to_the_counter_to_change_it(qtbot, ctx, kiosk):
    request = go_to_qr(qtbot, kiosk)
    upi_requests.confirm_with_utr(ctx, request["id"], "512345678901", actor="staff:1")
    qtbot.waitUntil(lambda: kiosk.page is kiosk.result_page, timeout=5000)
    tap(qtbot, kiosk.result_page.done_button)

    tap(qtbot, kiosk.plan_page.buttons["professional"])
    fill_details(qtbot, kiosk, phone="9876543210", email="")
    qtbot.waitUntil(lambda: kiosk.page is kiosk.method_page)
    tap(qtbot, kiosk.method_page.upi_button)
    qtbot.waitUntil(lambda: kiosk.method_page.status.text().startswith("You already have"))
    assert kiosk.method_page.upi_button.isEnabled()
    pending = ctx.store.scalar("SELECT COUNT(*) FROM payments WHERE status='pending'")
    assert pending == 0


# card, when Stripe is configured (the real SDK against the fake Stripe over HTTP) -----
@pytest.fixture
def stripe_ctx(ctx, clock):
    from backend.config import Secrets
    from tests.fakes.stripe_server import FakeStripe
    from tests.integration.stripe.conftest import API_KEY, point_at

    fake = FakeStripe(clock, api_key=API_KEY).start()
    fake.slow_seconds = 1.0
    point_at(ctx.settings, fake)
    ctx.secrets = Secrets(env={"STRIPE_SECRET_KEY": API_KEY}, use_keyring=False)
    ctx.adapters.pop("stripe", None)
    yield ctx, fake
    fake.stop()


def test_card_is_offered_only_when_stripe_is_configured(qtbot, kiosk):
    go_to_method(qtbot, kiosk)
    assert kiosk.methods["card"]["enabled"] is False  # no Stripe key in this context
    assert kiosk.method_page.card_button.isHidden()


def go_to_method(qtbot, kiosk, tier="student"):
    tap(qtbot, kiosk.plan_page.buttons[tier])
    fill_details(qtbot, kiosk, phone="9876543210", email="")
    qtbot.waitUntil(lambda: kiosk.page is kiosk.method_page)


def test_card_payment_shows_the_checkout_qr_then_paid(qtbot, stripe_ctx, kiosk_factory):
    ctx, fake = stripe_ctx
    kiosk = kiosk_factory(poll_ms=100)
    go_to_method(qtbot, kiosk)
    assert kiosk.methods["card"]["enabled"] is True  # Stripe is configured here
    tap(qtbot, kiosk.method_page.card_button)
    qtbot.waitUntil(lambda: kiosk.page is kiosk.payment_page, timeout=10_000)
    [session] = fake.all("checkout.session")
    assert decode_widget(kiosk) == [session["url"]]
    assert "Scan to pay by card" in kiosk.payment_page.panel.heading.text()

    fake.complete_session(session["id"])
    qtbot.waitUntil(lambda: kiosk.page is kiosk.result_page, timeout=10_000)
    assert kiosk.result_page.panel.headline.text() == "Paid ✓"
    row = ctx.store.one("SELECT status, method, amount FROM payments")
    assert row == {"status": "succeeded", "method": "stripe_checkout", "amount": 79900}


def test_a_dead_network_does_not_freeze_the_kiosk(qtbot, stripe_ctx, kiosk_factory):
    """Stripe answers slower than the client's timeout on every try: the GUI thread
    keeps running (a 20 ms heartbeat keeps ticking) and the customer is told plainly."""
    from PySide6.QtCore import QTimer

    _ctx, fake = stripe_ctx
    kiosk = kiosk_factory()
    go_to_method(qtbot, kiosk)
    assert kiosk.methods["card"]["enabled"] is True
    fake.set_faults(1.0, ("slow",))
    beats = []
    heartbeat = QTimer()
    heartbeat.timeout.connect(lambda: beats.append(kiosk.runner.running))
    heartbeat.start(20)
    tap(qtbot, kiosk.method_page.card_button)
    assert not kiosk.method_page.back_button.isEnabled()  # busy, but not frozen
    qtbot.waitUntil(
        lambda: kiosk.method_page.status.text().startswith("Card payment needs"), timeout=15_000
    )
    heartbeat.stop()
    assert sum(1 for running in beats if running) >= 10  # ticked while Stripe hung
    assert kiosk.method_page.upi_button.isEnabled()  # UPI still works offline
    assert kiosk.page is kiosk.method_page


def test_an_abandoned_pin_prompt_goes_back_to_the_start(qtbot, clock, kiosk):
    kiosk.ask_pin()
    assert kiosk.page is kiosk.pin_page
    with qtbot.waitSignal(kiosk.reset_done):
        clock.advance(seconds=60)
    assert kiosk.page is kiosk.plan_page
