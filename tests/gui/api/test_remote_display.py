"""A customer display in remote mode follows its paired till's payments as the server
pushes them; while the server is away it says live updates are paused and asks every
2 s, and when the server is back it carries on."""

from __future__ import annotations

from app.display.start import build_display
from backend.api.client import RemoteCheckoutApi
from backend.api.server import BackgroundServer
from backend.services.shop import api_tokens, customers
from backend.services.upi import upi_requests


def _request(ctx, email: str):
    buyer = customers.add_customer(ctx, name=email.split("@")[0], email=email, actor="t")
    return upi_requests.create_request(
        ctx,
        customer_id=buyer["id"],
        tier="employee",
        interval="month",
        actor="t",
        terminal="Counter 1",
    )


def test_remote_display_keeps_working_while_the_server_restarts(qtbot, ctx, clock, runner):
    token = api_tokens.create_token(ctx, role="kiosk", name="Display 1", actor="t")["token"]
    with BackgroundServer(ctx) as server:
        api = RemoteCheckoutApi(server.url, token, timeout=5, reconnect_seconds=5)
        display = build_display(api, runner, api.settings_view(), clock.now, pair="Counter 1")
        qtbot.addWidget(display)
        follow = display.feed.follow
        try:
            display.resize(1280, 720)
            display.show()
            qtbot.waitUntil(lambda: follow.subscribed and api.stream_connected, timeout=10_000)
            assert display.state == "idle"
            first = _request(ctx, "kabir@example.in")
            qtbot.waitUntil(lambda: display.state == "payment", timeout=10_000)
            assert display.current["uri"] == first["uri"]
            assert follow.live
            assert not follow.polling
            assert not display.note.isVisible()

            server.stop()  # the store PC restarts
            qtbot.waitUntil(lambda: display.note.isVisible(), timeout=10_000)
            assert display.note.text() == "Live updates paused — checking every 2 s"
            assert follow.polling
            assert not follow.live
            assert display.state == "payment"  # the QR stays up meanwhile
            upi_requests.confirm_with_utr(ctx, first["id"], "412345678901", actor="t")

            server.start()  # same port
            qtbot.waitUntil(lambda: display.state == "paid", timeout=30_000)
            qtbot.waitUntil(lambda: follow.live, timeout=30_000)
            assert not display.note.isVisible()
            assert not follow.polling

            second = _request(ctx, "zoya@example.in")
            qtbot.waitUntil(
                lambda: display.state == "payment" and display.current["id"] == second["id"],
                timeout=10_000,
            )
            assert not follow.polling
        finally:
            display.close()
            api.close()
