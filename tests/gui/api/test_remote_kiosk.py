"""A kiosk in remote mode: the real kiosk window over RemoteCheckoutApi, against a
store server on a real port. The server goes away mid sign-up and comes back."""

from __future__ import annotations

import pytest

from app.kiosk.start import build_kiosk
from app.runtime.lifecycle import close_down
from app.widgets.reconnect_banner import BANNER_TEXT
from backend.api.client import RemoteCheckoutApi
from backend.api.server import BackgroundServer
from backend.services.shop import api_tokens
from backend.services.trials import trials
from tests.gui.kiosk_driving import tap, wait_for_plans


@pytest.fixture
def server(ctx):
    with BackgroundServer(ctx) as running:
        yield running


@pytest.fixture
def remote_kiosk(qtbot, ctx, clock, server, runner):
    token = api_tokens.create_token(ctx, role="kiosk", name="front door", actor="t")["token"]
    api = RemoteCheckoutApi(server.url, token, timeout=5, reconnect_seconds=60)
    kiosk = build_kiosk(api, runner, api.settings_view(), clock.now)
    banner = kiosk.banner
    kiosk.resize(1280, 800)
    kiosk.show()
    qtbot.waitExposed(kiosk)
    wait_for_plans(qtbot, kiosk)
    yield kiosk, banner
    kiosk.idle.remove()
    close_down(kiosk)  # (a close would be refused: that is the point of a kiosk)
    kiosk.hide()
    api.close()
    kiosk.deleteLater()


def type_details(qtbot, kiosk, name: str, email: str) -> None:
    page = kiosk.details_page
    for field, text in (("name", name), ("phone", ""), ("email", email)):
        page.fields[field].clear()
        qtbot.keyClicks(page.fields[field], text)


def test_trial_sign_up_survives_the_server_restarting(qtbot, ctx, server, remote_kiosk):
    kiosk, banner = remote_kiosk
    assert set(kiosk.plan_page.buttons) >= {"free_trial", "student"}
    tap(qtbot, kiosk.plan_page.buttons["free_trial"])
    type_details(qtbot, kiosk, "Meera Iyer", "meera@example.com")

    server.stop()  # the store PC restarts while the customer presses the button
    tap(qtbot, kiosk.details_page.continue_button)
    qtbot.waitUntil(banner.isVisible, timeout=10_000)
    assert banner.text() == BANNER_TEXT
    assert kiosk.page is kiosk.details_page  # the window is alive and says what is going on
    assert ctx.store.scalar("SELECT count(*) FROM customers") == 0

    server.start()
    qtbot.waitUntil(lambda: kiosk.page is kiosk.result_page, timeout=30_000)
    qtbot.waitUntil(lambda: not banner.isVisible())
    assert "10 workflow credits" in kiosk.result_page.panel.detail.text()
    customer = ctx.store.one("SELECT id, name FROM customers WHERE email='meera@example.com'")
    assert customer["name"] == "Meera Iyer"
    assert trials.trial_status(ctx, customer["id"])["credits_left"] == 10
    audit = ctx.store.one("SELECT actor FROM audit_log WHERE action='trial.start'")
    assert audit == {"actor": "api:front door"}
