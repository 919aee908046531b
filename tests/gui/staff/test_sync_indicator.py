"""The status bar's sync words, and the indicator reading the real sync state."""

from __future__ import annotations

from app.till.sync_indicator import describe
from tests.gui.staff.conftest import sign_in


def test_words_for_each_state():
    card_ok = {"configured": True, "reason": None}
    assert describe({"online": True, "waiting": 0, "failed": 0}, card_ok) == (
        "● Online · all synced",
        "online",
    )
    assert describe({"online": True, "waiting": 3, "failed": 0}, card_ok) == (
        "● Online · 3 waiting to sync",
        "waiting",
    )
    text, state = describe(
        {"online": False, "waiting": 2, "failed": 0, "last_error": "timed out"}, card_ok
    )
    assert (text, state) == ("● Offline · 2 waiting · last error: timed out", "offline")
    text, state = describe(
        {"online": True, "waiting": 0, "failed": 1, "last_error": "No such price"}, card_ok
    )
    assert state == "error"
    assert "1 failed" in text
    assert "No such price" in text
    no_card = {"configured": False, "reason": "Card payments not configured"}
    assert describe({"online": None, "waiting": 0, "failed": 0}, no_card) == (
        "● Card payments not configured",
        "waiting",
    )


def test_without_stripe_the_bar_says_card_is_not_configured(qtbot, make_window, people):
    window = make_window()
    qtbot.waitUntil(lambda: window.sync.text() != "● Checking sync…")
    assert "not configured" in window.sync.text()  # no Stripe key in the test settings
    assert window.sync.property("state") == "waiting"


def test_an_idle_till_syncs_before_anyone_signs_in(qtbot, make_window, people, card_ctx, fake):
    """What the till queued for Stripe reaches it while the counter waits for a cashier
    (offline-first: nobody has to sign in for the outbox to drain)."""
    window = make_window()
    qtbot.waitUntil(lambda: window.sync.text() == "● Online · all synced", timeout=10_000)
    assert fake.all("product")  # the sync pass pushed the catalog to Stripe


def test_with_stripe_the_bar_syncs_and_goes_offline_when_stripe_is_gone(
    qtbot, make_window, people, card_ctx, fake
):
    window = make_window()
    sign_in(qtbot, window, "Ravi", "1357")
    qtbot.waitUntil(lambda: window.area is not None)  # the bar checks again as Ravi
    qtbot.waitUntil(lambda: window.sync.text() == "● Online · all synced", timeout=10_000)
    fake.stop()
    window.sync.refresh()
    qtbot.waitUntil(lambda: window.sync.text().startswith("● Offline"), timeout=15_000)
    assert window.sync.property("state") == "offline"
