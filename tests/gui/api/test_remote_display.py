"""A customer display in remote mode follows the store's newest UPI request over HTTP."""

from __future__ import annotations

from app.display.start import build_display
from backend.api.client import RemoteCheckoutApi
from backend.api.server import BackgroundServer
from backend.services.shop import api_tokens, customers
from backend.services.upi import upi_requests


def test_remote_display_shows_the_live_request_then_paid(qtbot, ctx, clock, runner):
    token = api_tokens.create_token(ctx, role="kiosk", name="display", actor="t")["token"]
    with BackgroundServer(ctx) as server:
        api = RemoteCheckoutApi(server.url, token, timeout=5, reconnect_seconds=5)
        display = build_display(api, runner, api.settings_view(), clock.now)
        qtbot.addWidget(display)
        try:
            display.show()
            qtbot.waitUntil(lambda: display.feed.polls >= 1, timeout=10_000)
            assert display.state == "idle"
            buyer = customers.add_customer(ctx, name="Kabir", email="kabir@example.in", actor="t")
            new = upi_requests.create_request(
                ctx, customer_id=buyer["id"], tier="employee", interval="month", actor="t"
            )
            qtbot.waitUntil(lambda: display.state == "payment", timeout=10_000)
            assert display.current["uri"] == new["uri"]
            upi_requests.confirm_with_utr(ctx, new["id"], "412345678901", actor="t")
            qtbot.waitUntil(lambda: display.state == "paid", timeout=10_000)
        finally:
            display.close()
            api.close()
