"""A stand-alone customer display (``autoos-checkout display``): no staff window calls its
slots, so a feed follows the store's live payment instead."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from app.display.customer_display import CustomerDisplay
from app.display.feed import DisplayFeed
from app.runtime.tasks import TaskRunner
from backend.interface import CheckoutApi


def build_display(
    api: CheckoutApi,
    runner: TaskRunner,
    view: Mapping[str, Any],
    now: Callable[[], datetime],
) -> CustomerDisplay:
    """The display over ``api`` (``view``: its ``settings_view()``), showing the plans
    and following the store's live payment; the caller places it on its screen. Against
    a store server it says so across its top while the server cannot be reached."""
    display = CustomerDisplay(
        now,
        display_screen=view["ui"]["display_screen"],
        standalone=True,
        currency=view["shop"]["default_currency"],
    )
    runner.call(api.pricing, on_success=lambda pricing: display.show_idle(pricing["tiers"]))
    if api.remote:
        from app.widgets.reconnect_banner import ReconnectBanner

        display.banner = ReconnectBanner(display, api)
    display.feed = DisplayFeed(display, runner, api)
    display.feed.start()
    return display
