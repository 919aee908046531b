"""A stand-alone customer display (``autoos-checkout display``): no staff window calls its
slots, so it follows the payments of the till it is paired with instead."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from app.display.customer_display import IDLE, CustomerDisplay
from app.display.till_feed import TillFeed, unpaired_text
from app.runtime.tasks import TaskRunner
from backend.interface import CheckoutApi


def build_display(
    api: CheckoutApi,
    runner: TaskRunner,
    view: Mapping[str, Any],
    now: Callable[[], datetime],
    *,
    pair: str | None = None,
) -> CustomerDisplay:
    """The display over ``api`` (``view``: its ``settings_view()``), showing the plans
    and the payments of the till it is paired with: ``pair`` (``--pair``), else
    ``[ui] display_pairs_with``; the caller places it on its screen. An unpaired display
    shows the plans and says how to pair it. Against a store server it says so across
    its top while the server cannot be reached."""
    display = CustomerDisplay(
        now,
        display_screen=view["ui"]["display_screen"],
        standalone=True,
        currency=view["shop"]["default_currency"],
    )

    def plans(pricing: Mapping[str, Any]) -> None:
        if display.state == IDLE:
            display.show_idle(pricing["tiers"])
        else:  # a payment came first: the plans wait behind it
            display.set_plans(pricing["tiers"])

    runner.call(api.pricing, on_success=plans)
    if api.remote:
        from app.widgets.reconnect_banner import ReconnectBanner

        display.banner = ReconnectBanner(display, api)
    till = (view["ui"].get("display_pairs_with", "") if pair is None else pair).strip()
    if till:
        display.feed = TillFeed(display, runner, api, till)
        display.setWindowTitle(f"AUTOOS — Customer display for {till}")
    else:
        display.note.say(unpaired_text())
    return display
