"""The customer display: a QR that decodes to exactly the payment, a clear outcome, the
plans when idle, nothing staff-only, and the screen it goes to.

What the offscreen platform cannot do: add or remove a QScreen while the application
runs. So the screen choice is tested as a pure function over screen descriptions, the
wiring by emitting QGuiApplication's own screen signals, and a real two-screen start by
a child process on an offscreen platform configured with two screens.
"""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
from datetime import timedelta

import pytest
import pytestqt.exceptions
from PySide6.QtCore import QRect
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QLabel

from app.display.customer_display import CustomerDisplay
from app.display.screens import Placement, ScreenInfo, beside, choose_placement
from app.widgets.qr_view import QrView, module_layout
from backend.adapters.upi.qr import qr_matrix
from backend.services.shop import customers, staff
from backend.services.upi import upi_requests
from tests.conftest import ROOT, child_env
from tests.qr_reading import decode_image, decode_widget, query

UTR = "512345678901"


@pytest.fixture
def customer(ctx):
    return customers.add_customer(
        ctx, name="Priya Sharma", email="priya@example.com", phone="9876543210", actor="test"
    )


@pytest.fixture
def cashier(ctx):
    return staff.add_staff(ctx, name="Asha Verma", role="staff", pin="2468", actor="test")


@pytest.fixture
def request_(ctx, customer, cashier):
    return upi_requests.create_request(
        ctx,
        customer_id=customer["id"],
        tier="student",
        interval="month",
        actor=f"staff:{cashier['id']}",
    )


@pytest.fixture
def display(qtbot, clock):
    widget = CustomerDisplay(clock.now, result_seconds=0)
    qtbot.addWidget(widget)
    widget.resize(1920, 1080)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def visible_texts(widget) -> str:
    return "\n".join(label.text() for label in widget.findChildren(QLabel) if label.isVisible())


def test_the_qr_on_screen_decodes_to_exactly_the_payment_uri(qtbot, display, request_):
    display.show_payment(request_)
    with qtbot.waitSignal(display.payment_panel.qr.painted):
        display.repaint()
    texts = decode_widget(display)
    assert texts == [request_["uri"]]
    params = query(texts[0])
    assert params["am"] == "799.00"
    assert params["tr"] == request_["tr"]
    assert params["cu"] == "INR"
    shown = visible_texts(display)
    assert "₹799.00" in shown
    assert "to AUTOOS Shop" in shown
    assert "Student · Monthly" in shown


def test_on_a_portrait_screen_the_qr_sits_above_the_amount_and_decodes(qtbot, display, request_):
    display.resize(1080, 1920)  # a TV turned on its side beside the till
    display.show_payment(request_)
    display.show()
    panel = display.payment_panel
    qtbot.waitUntil(lambda: panel.amount.y() > panel.qr.geometry().bottom())
    assert panel.qr.width() >= 900  # nearly the whole width, not two fifths of it
    with qtbot.waitSignal(panel.qr.painted):
        display.repaint()
    assert decode_widget(display) == [request_["uri"]]


def test_qr_is_as_large_as_the_panel_allows_with_whole_pixel_modules(qtbot, display, request_):
    display.show_payment(request_)
    view = display.payment_panel.qr
    modules = len(qr_matrix(request_["uri"]))
    size = view.module_size()
    assert size == min(view.width(), view.height()) // (modules + 8)
    assert size >= 15  # at 1920×1080 a phone reads it from across the counter
    image = view.grab().toImage()
    rect = module_layout(view.width(), view.height(), modules)
    matrix = qr_matrix(request_["uri"])
    left, top = rect.x() + 4 * size, rect.y() + 4 * size
    # every module is a sharp square: its first and last pixel, both ways, match it
    for r, row in enumerate(matrix):
        for c, dark in enumerate(row):
            x, y = left + c * size, top + r * size
            want = 0 if dark else 255
            for px, py in ((x, y), (x + size - 1, y + size - 1)):
                assert image.pixelColor(px, py).lightness() == want, (r, c)
    # the quiet zone is four white modules wide
    for offset in range(4 * size):
        assert image.pixelColor(rect.x() + offset, top).lightness() == 255


@pytest.mark.parametrize("side", [233, 480, 777])
def test_qr_view_decodes_at_small_and_odd_sizes(qtbot, request_, side):
    view = QrView()
    qtbot.addWidget(view)
    view.resize(side, side)
    view.set_matrix(qr_matrix(request_["uri"]), request_["uri"])
    assert decode_image(view.grab().toImage()) == [request_["uri"]]


def test_countdown_follows_the_injected_clock_then_shows_expired(
    qtbot, ctx, clock, display, request_
):
    display.show_payment(request_)
    countdown = display.payment_panel.countdown
    assert countdown.text() == "15:00"
    clock.advance(seconds=61)
    qtbot.waitUntil(lambda: countdown.text() == "13:59", timeout=3000)
    clock.advance(minutes=14)
    qtbot.waitUntil(lambda: display.state == "expired", timeout=3000)
    assert "Expired" in visible_texts(display)
    assert upi_requests.get_payment(ctx, request_["id"])["status"] == "expired"


def test_paid_is_shown_large_without_staff_only_details(
    qtbot, ctx, display, request_, customer, cashier
):
    display.show_payment(request_)
    paid = upi_requests.confirm_with_utr(ctx, request_["id"], UTR, actor=f"staff:{cashier['id']}")
    assert paid["status"] == "succeeded"
    display.show_paid(paid)
    shown = visible_texts(display)
    assert "Paid ✓" in shown
    assert paid["receipt_no"] in shown
    for secret in (UTR, "Asha", customer["email"], customer["phone"], "Priya"):
        assert secret not in shown
    headline = display.result_panel.headline
    assert headline.font().pixelSize() >= 100  # large: read from a metre away
    assert decode_widget(display) == []  # the QR is gone once paid


def test_expired_request_is_shown_as_expired(qtbot, ctx, clock, display, request_):
    display.show_payment(request_)
    clock.advance(minutes=16)
    expired = upi_requests.get_payment(ctx, request_["id"])
    display.show_expired(expired)
    assert display.state == "expired"
    assert "Expired" in visible_texts(display)


def test_outcome_returns_to_the_plans(qtbot, clock, ctx, request_):
    display = CustomerDisplay(clock.now, result_seconds=0.05)
    qtbot.addWidget(display)
    display.show_idle([tier.to_json() for tier in ctx.catalog])
    display.show_payment(request_)
    display.show_canceled()
    assert display.state == "canceled"
    qtbot.waitUntil(lambda: display.state == "idle", timeout=3000)


def test_idle_screen_shows_the_plans_with_the_recommended_badge(qtbot, ctx, display):
    display.show_idle([tier.to_json() for tier in ctx.catalog])
    cards = {card.tier_id: card for card in display.tiers_panel.cards}
    assert list(cards) == ["free_trial", "student", "employee", "professional", "enterprise"]
    assert cards["student"].price.text() == "₹799.00"
    assert cards["student"].alt.text() == "or ₹7,999.00 per year"
    qtbot.waitUntil(cards["employee"].badge.isVisible)  # new cards are shown on the next loop
    assert not cards["student"].badge.isVisible()
    assert cards["enterprise"].price.text() == "Custom"
    assert cards["free_trial"].price.text() == "Free"


@pytest.mark.parametrize(
    ("size", "mode"),
    [
        ((1920, 1080), "cards"),
        ((1366, 768), "cards"),
        ((960, 600), "cards"),  # the window on a shared screen
        ((1024, 768), "list"),
        ((624, 1000), "list"),  # the room beside a staff window on a 1920 screen
        ((800, 480), "list"),  # a 7-inch display
    ],
)
def test_idle_plans_fit_whole_at_every_size(qtbot, clock, ctx, size, mode):
    """No plan name, price, period or badge is cut off, whatever the window's size:
    when five cards would squeeze the text, the plans become a price list."""
    from app.widgets.style import styled

    app = QGuiApplication.instance()
    with styled(app):
        display = CustomerDisplay(clock.now, result_seconds=0)
        qtbot.addWidget(display)
        display.resize(*size)
        display.show_idle([tier.to_json() for tier in ctx.catalog])
        display.show()
        qtbot.waitExposed(display)
        panel = display.tiers_panel
        assert (display.width(), display.height()) == size  # nothing forced it larger
        assert panel.mode == mode
        parts = panel.cards if mode == "cards" else panel.rows
        assert [p.tier_id for p in parts] == [t.id for t in ctx.catalog]

        def clipped() -> list[str]:
            return [
                f"{part.tier_id}: {label.text()}"
                for part in parts
                for label in (part.name, part.price, part.per, part.badge)
                if label.isVisible()
                and (
                    label.width() < label.sizeHint().width()
                    or not display.rect().contains(label.mapTo(display, label.rect().bottomRight()))
                )
            ]

        with contextlib.suppress(pytestqt.exceptions.TimeoutError):
            qtbot.waitUntil(lambda: not clipped(), timeout=3000)  # the layout settles
        assert clipped() == []
        assert min(part.price.font().pixelSize() for part in parts) >= 14


# where the display goes ---------------------------------------------------------------
LAPTOP = ScreenInfo("eDP-1", 0, 0, 1366, 768, primary=True)
TV = ScreenInfo("HDMI-1", 1366, 0, 1920, 1080)
TABLET = ScreenInfo("DP-2", 3286, 0, 1280, 800)


@pytest.mark.parametrize(
    ("screens", "setting", "standalone", "expected"),
    [
        ([LAPTOP], "auto", False, Placement("window", "eDP-1")),
        ([LAPTOP], "auto", True, Placement("fullscreen", "eDP-1")),
        ([LAPTOP, TV], "auto", False, Placement("fullscreen", "HDMI-1")),
        ([TV, LAPTOP], "auto", False, Placement("fullscreen", "HDMI-1")),
        ([LAPTOP, TV, TABLET], "auto", False, Placement("fullscreen", "HDMI-1")),
        ([LAPTOP, TV, TABLET], "DP-2", False, Placement("fullscreen", "DP-2")),
        ([LAPTOP, TV], "DP-2", False, Placement("fullscreen", "HDMI-1")),  # unplugged
        ([LAPTOP, TV], "primary", False, Placement("fullscreen", "eDP-1")),
        ([LAPTOP], "primary", False, Placement("window", "eDP-1")),
        ([], "auto", False, Placement("window", None)),
    ],
)
def test_choose_placement(screens, setting, standalone, expected):
    assert choose_placement(screens, setting, standalone=standalone) == expected


def test_window_goes_beside_the_staff_window_inside_the_screen():
    screen = QRect(0, 0, 1920, 1080)
    assert beside(QRect(0, 0, 900, 700), screen, 960, 600) == QRect(916, 0, 960, 600)
    # no room on the right: to the left
    assert beside(QRect(1000, 100, 900, 700), screen, 960, 600) == QRect(24, 100, 960, 600)
    # no anchor: the right edge, never outside the screen
    assert beside(None, screen, 2400, 600) == QRect(0, 0, 1920, 600)
    # a 1280-wide staff window: the display fills the 624 px left beside it, full height
    assert beside(QRect(0, 0, 1280, 1000), screen, 960, 600) == QRect(1296, 0, 624, 1000)
    # a laptop's 1366 px: no room beside the staff window, so it overlaps at the right
    laptop = QRect(0, 0, 1366, 740)
    assert beside(QRect(0, 0, 1366, 740), laptop, 960, 600) == QRect(406, 0, 960, 600)


def test_display_moves_when_a_screen_is_added_or_removed(qtbot, clock, monkeypatch):
    """Qt's own screenAdded/screenRemoved signals re-place the display. The offscreen
    platform has one real QScreen, so the described screen list is substituted."""
    app = QGuiApplication.instance()
    real = app.primaryScreen()
    display = CustomerDisplay(clock.now)
    qtbot.addWidget(display)
    one = [ScreenInfo(real.name(), 0, 0, 800, 600, primary=True)]
    monkeypatch.setattr("app.display.customer_display.current_screens", lambda: one)
    assert display.place() == Placement("window", real.name())
    assert not display.isFullScreen()

    two = [ScreenInfo("laptop", 0, 0, 800, 600, True), ScreenInfo(real.name(), 800, 0, 800, 600)]
    monkeypatch.setattr("app.display.customer_display.current_screens", lambda: two)
    with qtbot.waitSignal(display.placed) as moved:
        app.screenAdded.emit(real)
    assert moved.args[0] == Placement("fullscreen", real.name())
    assert display.isFullScreen()
    assert display.screen() is real

    monkeypatch.setattr("app.display.customer_display.current_screens", lambda: one)
    with qtbot.waitSignal(display.placed) as moved:
        app.screenRemoved.emit(real)
    assert moved.args[0] == Placement("window", real.name())
    assert not display.isFullScreen()

    with qtbot.waitSignal(display.placed):
        app.primaryScreenChanged.emit(real)


TWO_SCREENS = {
    "screens": [
        {"name": "Staff-1", "x": 0, "y": 0, "width": 1366, "height": 768},
        {"name": "Customer-2", "x": 1366, "y": 0, "width": 1920, "height": 1080},
    ]
}

PLACE_SCRIPT = """
import contextlib
import json
from PySide6.QtWidgets import QApplication
app = QApplication([])
from backend.clock import ManualClock
from app.display.customer_display import CustomerDisplay
display = CustomerDisplay(ManualClock().now)
placement = display.place()
app.processEvents()
print(json.dumps({
    "primary": app.primaryScreen().name(),
    "screens": [s.name() for s in app.screens()],
    "placement": [placement.mode, placement.screen],
    "on": display.screen().name(),
    "fullscreen": display.isFullScreen(),
    "geometry": display.geometry().getRect(),
}))
"""


def test_with_two_real_screens_it_goes_full_screen_on_the_other_one(tmp_path):
    config = tmp_path / "screens.json"
    config.write_text(json.dumps(TWO_SCREENS))
    proc = subprocess.run(
        [sys.executable, "-c", PLACE_SCRIPT],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=child_env(QT_QPA_PLATFORM=f"offscreen:configfile={config}"),
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    seen = json.loads(proc.stdout.strip().splitlines()[-1])
    assert sorted(seen["screens"]) == ["Customer-2", "Staff-1"]
    other = next(name for name in seen["screens"] if name != seen["primary"])
    assert seen["placement"] == ["fullscreen", other]
    assert seen["on"] == other
    assert seen["fullscreen"] is True
    geometry = next(s for s in TWO_SCREENS["screens"] if s["name"] == other)
    assert seen["geometry"] == [geometry["x"], geometry["y"], geometry["width"], geometry["height"]]


def test_clock_drives_the_countdown_not_wall_time(qtbot, clock, display, request_):
    display.show_payment(request_)
    clock.advance(timedelta(minutes=5))
    display.payment_panel.tick()
    assert display.payment_panel.countdown.text() == "10:00"


# the stand-alone display (autoos-checkout display) follows its paired till ---------------
@pytest.fixture
def standalone(qtbot, ctx, clock, runner):
    """``build_display`` as ``autoos-checkout display`` runs it (in-process)."""
    from app.display.start import build_display
    from backend.interface import Caller, CheckoutApi

    made: list[CustomerDisplay] = []

    def build(pair: str | None = None) -> CustomerDisplay:
        api = CheckoutApi(ctx, Caller.counter("display"))
        display = build_display(api, runner, api.settings_view(), clock.now, pair=pair)
        qtbot.addWidget(display)
        display.resize(1280, 720)
        display.show()
        qtbot.waitExposed(display)
        qtbot.waitUntil(lambda: bool(display.tiers_panel.cards))
        made.append(display)
        return display

    yield build
    for display in made:
        display.close()


def _request(ctx, customer, terminal: str):
    return upi_requests.create_request(
        ctx,
        customer_id=customer["id"],
        tier="student",
        interval="month",
        actor="test",
        terminal=terminal,
    )


def test_standalone_display_follows_its_paired_till(
    qtbot, ctx, clock, standalone, customer, cashier
):
    # a payment finished before the display started is not shown to the next customer
    old = _request(ctx, customer, "Counter 1")
    upi_requests.confirm_with_utr(ctx, old["id"], "412345678901", actor="test")
    ctx.settings.ui.display_pairs_with = "Counter 1"  # [ui] display_pairs_with
    display = standalone()
    follow = display.feed.follow
    qtbot.waitUntil(lambda: follow.subscribed)
    assert display.state == "idle"
    assert display.windowTitle() == "AUTOOS — Customer display for Counter 1"
    assert not display.note.isVisible()  # paired: nothing to say about itself

    other = customers.add_customer(ctx, name="Kabir", email="kabir@example.com", actor="test")
    elsewhere = _request(ctx, other, "Counter 2")  # another till's customer
    buyer = customers.add_customer(ctx, name="Meera", email="meera@example.com", actor="test")
    new = upi_requests.create_request(
        ctx,
        customer_id=buyer["id"],
        tier="employee",
        interval="year",
        actor="test",
        terminal="Counter 1",
    )
    qtbot.waitUntil(lambda: display.state == "payment")
    assert display.current["id"] == new["id"]
    assert decode_widget(display) == [new["uri"]]
    assert query(new["uri"])["am"] == "23999.00"
    assert not follow.poll_timer.isActive()  # pushed: nothing is polled

    upi_requests.confirm_with_utr(ctx, elsewhere["id"], "412345678902", actor="test")
    upi_requests.confirm_with_utr(ctx, new["id"], UTR, actor=f"staff:{cashier['id']}")
    qtbot.waitUntil(lambda: display.state == "paid")
    assert UTR not in visible_texts(display)

    third_customer = customers.add_customer(ctx, name="Zoya", phone="9123456780", actor="test")
    third = _request(ctx, third_customer, "Counter 1")
    qtbot.waitUntil(lambda: display.state == "payment" and display.current["id"] == third["id"])
    upi_requests.cancel_request(ctx, third["id"], actor="test")
    qtbot.waitUntil(lambda: display.state == "canceled")


def test_the_countdown_asks_the_store_which_says_expired(qtbot, ctx, clock, standalone, customer):
    display = standalone(pair="Counter 1")
    qtbot.waitUntil(lambda: display.feed.follow.subscribed)
    request = _request(ctx, customer, "Counter 1")
    qtbot.waitUntil(lambda: display.state == "payment")
    clock.advance(minutes=16)
    qtbot.waitUntil(lambda: display.state == "expired")
    # the display's question at zero had the store compute it from the clock
    qtbot.waitUntil(
        lambda: (
            ctx.store.scalar("SELECT status FROM payments WHERE id=?", (request["id"],))
            == "expired"
        )
    )


def test_an_unpaired_display_shows_the_plans_and_says_how_to_pair_it(qtbot, ctx, standalone):
    display = standalone()  # display_pairs_with is empty by default
    assert display.feed is None  # it listens to nobody
    assert display.state == "idle"
    note = display.note
    assert note.isVisible()
    assert "not paired with a till" in note.text()
    assert "display_pairs_with" in note.text()
    assert "--pair" in note.text()
    assert note.geometry().bottom() == display.height() - 1  # a line along the bottom
    assert display.tiers_panel.isVisible()


def test_pair_overrides_the_settings(qtbot, ctx, standalone):
    ctx.settings.ui.display_pairs_with = "Counter 1"
    display = standalone(pair="Counter 2")
    assert display.feed.pair == "Counter 2"
    assert display.feed.follow.terminal == "Counter 2"


def test_standalone_display_keeps_its_screen_when_the_store_fails(
    qtbot, ctx, standalone, customer, monkeypatch
):
    display = standalone(pair="Counter 1")
    follow = display.feed.follow
    qtbot.waitUntil(lambda: follow.subscribed)
    failures: list[Exception] = []
    follow.failed.connect(failures.append)

    def broken(payment_id):
        raise OSError("store unreachable")

    monkeypatch.setattr(follow.api, "payment_status", broken)
    _request(ctx, customer, "Counter 1")
    qtbot.waitUntil(lambda: len(failures) >= 1)
    assert display.state == "idle"


def test_card_checkout_shows_its_page_address_as_the_qr(qtbot, clock, display):
    """A card checkout (the shape ``card_payments.start_checkout`` returns) encodes its
    Stripe Checkout ``url``; there is no UPI payee to show."""
    checkout = {
        "id": "pay_0123456789abcdef0123",
        "method": "stripe_checkout",
        "url": "https://checkout.stripe.com/c/pay/cs_test_a1B2c3D4e5F6g7H8",
        "status": "pending",
        "expires_at": "2026-11-26T10:30:00Z",
        "session_id": "cs_test_a1B2c3D4e5F6g7H8",
        "amount": 2999,
        "currency": "USD",
        "amount_text": "$29.99",
        "tier": "employee",
        "tier_name": "Employee",
        "interval": "month",
    }
    display.show_payment(checkout)
    assert decode_widget(display) == [checkout["url"]]
    shown = visible_texts(display)
    assert "Scan to pay by card on your phone" in shown
    assert "$29.99" in shown
    assert "30:00" in shown
    assert "UPI" not in shown
