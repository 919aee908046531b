"""Fixtures for driving the real staff window against a real SQLite file."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QWidget

from app.display.customer_display import CustomerDisplay
from app.runtime.tasks import TaskRunner
from app.till.staff_window import StaffWindow
from backend.clock import ManualClock
from backend.config import Secrets
from backend.context import Context
from backend.interface import Caller, CheckoutApi
from backend.services.shop import staff
from tests.fakes.stripe_server import FakeStripe
from tests.qr_reading import decode_widget


@pytest.fixture
def people(ctx: Context) -> dict[str, dict[str, Any]]:
    return {
        "admin": staff.add_staff(ctx, name="Asha", role="admin", pin="4821", actor="test"),
        "staff": staff.add_staff(ctx, name="Ravi", role="staff", pin="1357", actor="test"),
    }


@pytest.fixture
def make_window(qtbot, ctx: Context, runner: TaskRunner) -> Iterator[Callable[..., StaffWindow]]:
    """Staff windows on the test's store; closed (as a person would) before the task
    runner shuts down, so the order of teardown is the app's own."""
    made: list[StaffWindow] = []

    def make(display_factory: Any = None, terminal: str = "till") -> StaffWindow:
        window = StaffWindow(
            CheckoutApi(ctx, Caller.counter(terminal)),
            runner,
            now=ctx.clock.now,
            display_factory=display_factory,
        )
        qtbot.addWidget(window)
        window.resize(1366, 768)
        window.show()
        made.append(window)
        return window

    yield make
    for window in made:
        window.close()


@pytest.fixture
def settings_file(tmp_path, ctx: Context):
    """The settings file the Settings page (and first-run setup) saves to."""
    (tmp_path / "config").mkdir()
    path = tmp_path / "config" / "settings.toml"
    path.write_text('# the shop\n[shop]\nname = "AUTOOS"\n', encoding="utf-8")
    ctx.settings.path = path
    return path


def start_upi_sale(qtbot, checkout: Any, query: str, tier: str = "student") -> None:
    """A UPI sale on the Checkout page up to its QR, waiting to be paid."""
    from PySide6.QtCore import Qt

    from app.till.checkout.view import STEP_METHOD, STEP_WAITING

    qtbot.waitUntil(lambda: len(checkout.tier_step.cards) >= 4)
    next(c for c in checkout.tier_step.cards if c.tier["id"] == tier).button.click()
    checkout.customer_step.search.query.setText(query)
    qtbot.keyClick(checkout.customer_step.search.query, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: checkout.stack.currentIndex() == STEP_METHOD)
    checkout.method_step.buttons["upi"].click()
    qtbot.waitUntil(lambda: checkout.stack.currentIndex() == STEP_WAITING)


def upi_sale(qtbot, checkout: Any, query: str, utr: str, tier: str = "student") -> str:
    """A whole UPI sale on the Checkout page, confirmed by UTR; the receipt number."""
    from app.till.checkout.view import STEP_DONE

    start_upi_sale(qtbot, checkout, query, tier)
    checkout.submit_utr(utr)
    qtbot.waitUntil(lambda: checkout.stack.currentIndex() == STEP_DONE)
    return checkout.success_step.values["receipt_no"].text()


def sign_in(qtbot, window: StaffWindow, name: str, pin: str) -> None:
    """Pick the name and type the PIN, as a person would."""
    login = window.login
    qtbot.waitUntil(lambda: login.name_box.findData(name) >= 0)
    login.name_box.setCurrentIndex(login.name_box.findData(name))
    login.pin_edit.clear()
    qtbot.keyClicks(login.pin_edit, pin)
    qtbot.keyClick(login.pin_edit, "\r")


def when_dialog_opens(dialog_type: type, action: Callable[[Any], None]) -> QTimer:
    """Run ``action(dialog)`` as soon as a modal dialog of that type is open.

    A modal ``exec()`` blocks the test's call, so the test arranges what to type first.
    """
    timer = QTimer(QApplication.instance())  # owned by the app: lives until it fires
    timer.setInterval(10)

    def look() -> None:
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, dialog_type) and widget.isVisible():
                timer.stop()
                timer.deleteLater()
                try:
                    action(widget)
                except BaseException:
                    widget.reject()  # do not leave the test stuck in a modal dialog
                    raise
                return

    timer.timeout.connect(look)
    timer.start()
    return timer


def decode_qr(widget: QWidget) -> list[str]:
    """What an independent reader (zxing-cpp) finds in a screenshot of ``widget``."""
    return decode_widget(widget)


API_KEY = "sk_test_fake"


@pytest.fixture
def fake(clock: ManualClock) -> Iterator[FakeStripe]:
    server = FakeStripe(clock, api_key=API_KEY).start()
    yield server
    server.stop()


@pytest.fixture
def card_ctx(ctx, fake):
    ctx.settings.stripe.api_base = fake.url
    ctx.settings.stripe.max_network_retries = 1
    ctx.settings.stripe.network_retry_max_delay_ms = 0
    ctx.settings.stripe.timeout_ms = 2000
    ctx.secrets = Secrets(env={"STRIPE_SECRET_KEY": API_KEY}, use_keyring=False)
    ctx.adapters.pop("stripe", None)
    return ctx


# a till and the stand-alone customer display paired with it ------------------------------
def open_till(qtbot, make_window, terminal: str) -> StaffWindow:
    """A till called ``terminal`` with Ravi (staff) signed in, hearing its payments."""
    window = make_window(terminal=terminal)
    sign_in(qtbot, window, "Ravi", "1357")
    qtbot.waitUntil(lambda: window.area is not None)
    checkout = window.area.checkout
    qtbot.waitUntil(lambda: len(checkout.tier_step.cards) == 5)
    qtbot.waitUntil(lambda: checkout.follow.subscribed)
    return window


def choose(qtbot, window: StaffWindow, tier: str, who: str, usd: bool = False) -> None:
    """Plan → customer (found by email), as the cashier would: the ways to pay shown."""
    from PySide6.QtCore import Qt

    from app.till.checkout.view import STEP_METHOD, STEP_TIERS

    checkout = window.area.checkout
    assert checkout.stack.currentIndex() == STEP_TIERS
    (checkout.tier_step.usd if usd else checkout.tier_step.inr).click()
    next(c for c in checkout.tier_step.cards if c.tier["id"] == tier).button.click()
    checkout.customer_step.search.query.setText(who)
    qtbot.keyClick(checkout.customer_step.search.query, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: checkout.stack.currentIndex() == STEP_METHOD)


def sell(qtbot, window: StaffWindow, tier: str, who: str, method: str, usd: bool = False):
    """Plan → customer (found by email) → method, as the cashier would; the payment."""
    from app.till.checkout.view import STEP_WAITING

    checkout = window.area.checkout
    choose(qtbot, window, tier, who, usd)
    checkout.method_step.buttons[method].click()
    qtbot.waitUntil(lambda: checkout.stack.currentIndex() == STEP_WAITING, timeout=10_000)
    return checkout.sale["request"]


@pytest.fixture
def paired_display(qtbot, ctx, runner):
    """``autoos-checkout display`` on the store's computer, paired with "Counter 1"."""
    from app.display.start import build_display

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


def assert_not_polling(display: CustomerDisplay) -> None:
    """The display hears its till's payments pushed: no timer of its own is asking."""
    follow = display.feed.follow
    assert follow.live
    assert follow.link_timer is None
    assert not follow.poll_timer.isActive()
    assert not follow.provider_timer.isActive()
    assert not follow.retry_timer.isActive()


def assert_autopay_qr_shown(qtbot, checkout, display, request, url: str, mandate: str) -> None:
    """The AutoPay approval link as the QR on the till and on its paired display, with
    the mandate's terms, pushed (the display is not polling)."""
    assert mandate in checkout.waiting_step.details.text()
    assert decode_qr(checkout.qr_preview) == [url]
    qtbot.waitUntil(lambda: display.state == "payment")
    assert display.current["id"] == request["id"]
    assert decode_qr(display) == [url]
    panel = display.payment_panel
    assert panel.heading.text() == "Scan to set up UPI AutoPay on your phone"
    assert panel.mandate.text() == mandate
    assert panel.amount.text() == "₹799.00"
    assert_not_polling(display)
