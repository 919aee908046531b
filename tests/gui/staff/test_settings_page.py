"""The admin's Settings page: a refused value is marked and saves nothing; a good change
is saved to the file and used by the till at once; a key the environment sets is locked."""

from __future__ import annotations

import tomllib

from PySide6.QtWidgets import QLabel

from app.admin.settings_view import SettingsView
from app.display.link import make_customer_display
from tests.gui.staff.conftest import sign_in


def open_settings(qtbot, make_window) -> SettingsView:
    window = make_window()
    sign_in(qtbot, window, "Asha", "4821")
    qtbot.waitUntil(lambda: window.area is not None)
    page = window.area.admin_pages["settings"]
    window.area.tabs.setCurrentWidget(page)
    qtbot.waitUntil(lambda: bool(page.loaded))
    return page


def test_a_bad_gstin_is_marked_then_a_good_change_is_saved_and_used(
    qtbot, make_window, people, ctx, settings_file
):
    page = open_settings(qtbot, make_window)
    assert not page.save.isEnabled()  # nothing changed yet
    gstin, state = page.editors["shop.gstin"], page.editors["shop.state"]
    state.setCurrentText("Karnataka")
    qtbot.keyClicks(gstin, "29AAGCB7383J1Z5")  # the last character mistyped
    port = page.editors["mail.port"]
    port.clear()
    qtbot.keyClicks(port, "smtp")
    assert page.save.isEnabled()
    page.save.click()
    qtbot.waitUntil(lambda: "typing mistake" in page.message.text())
    assert "2 settings need fixing" in page.message.text()
    assert gstin.property("invalid") is True  # every refused field is marked
    assert port.property("invalid") is True
    assert "GSTIN" not in settings_file.read_text()  # all or nothing: the state neither
    assert ctx.settings.shop.state == ""

    gstin.clear()
    qtbot.keyClicks(gstin, "29aagcb7383j1z4")
    assert gstin.property("invalid") is False  # typing clears the mark
    assert not page.message.isVisible()  # and the message, box and all
    port.clear()
    qtbot.keyClicks(port, "587")
    page.save.click()
    qtbot.waitUntil(lambda: "Saved to" in page.message.text())
    saved = tomllib.loads(settings_file.read_text())
    assert saved["shop"] == {"name": "AUTOOS", "gstin": "29AAGCB7383J1Z4", "state": "Karnataka"}
    assert settings_file.read_text().startswith("# the shop")
    assert ctx.settings.shop.gstin == "29AAGCB7383J1Z4"
    assert gstin.text() == "29AAGCB7383J1Z4"  # shown as saved
    assert not page.save.isEnabled()


def test_unsaved_changes_survive_a_visit_to_another_page_and_undo_drops_them(
    qtbot, make_window, people, settings_file
):
    page = open_settings(qtbot, make_window)
    tabs = page.window().area.tabs
    trials = page.editors["features.free_trial"]
    assert trials.isChecked()
    trials.click()
    tabs.setCurrentIndex(0)
    with qtbot.waitSignal(page.runner.busy_changed, check_params_cb=lambda n: n == 0):
        tabs.setCurrentWidget(page)  # reads the saved settings again
    assert not trials.isChecked()
    assert page.undo.isEnabled()
    page.undo.click()
    assert trials.isChecked()
    assert not page.save.isEnabled()


def test_a_setting_from_the_environment_is_locked(
    qtbot, make_window, people, settings_file, monkeypatch
):
    monkeypatch.setenv("UPI_DEFAULT_VPA", "env.shop@okaxis")
    page = open_settings(qtbot, make_window)
    vpa = page.editors["upi.vpa"]
    assert not vpa.isEnabled()
    assert "UPI_DEFAULT_VPA" in vpa.toolTip()
    note = "Set by UPI_DEFAULT_VPA on this computer; change it there."
    # a label added to a page on screen is shown by Qt a turn of the event loop later
    qtbot.waitUntil(
        lambda: note in [label.text() for label in page.findChildren(QLabel) if label.isVisible()]
    )
    assert page.editors["upi.payee_name"].isEnabled()


def test_saved_switches_and_shop_name_take_effect_without_a_restart(
    qtbot, make_window, people, ctx, settings_file
):
    window = make_window(make_customer_display)
    sign_in(qtbot, window, "Asha", "4821")
    qtbot.waitUntil(lambda: window.area is not None and window.display is not None)
    checkout = window.area.checkout
    qtbot.waitUntil(lambda: len(checkout.tier_step.cards) == 5)
    assert window.display.tiers_panel.cards[0].tier_id == "free_trial"
    page = window.area.admin_pages["settings"]
    window.area.tabs.setCurrentWidget(page)
    qtbot.waitUntil(lambda: bool(page.loaded))
    page.editors["features.free_trial"].click()
    page.editors["features.annual_billing"].click()
    name = page.editors["shop.name"]
    name.clear()
    qtbot.keyClicks(name, "AUTOOS Indiranagar")
    page.save.click()

    # the checkout, the customer display and the window follow at once
    qtbot.waitUntil(lambda: len(checkout.tier_step.cards) == 4)
    assert "free_trial" not in [card.tier["id"] for card in checkout.tier_step.cards]
    assert not checkout.tier_step.yearly.isVisibleTo(checkout.tier_step)
    display = window.display.tiers_panel
    qtbot.waitUntil(lambda: [c.tier_id for c in display.cards][:1] == ["student"])
    assert not [card.alt.text() for card in display.cards if "per year" in card.alt.text()]
    assert window.windowTitle() == "AUTOOS Indiranagar Checkout — till"
    window.area.sign_out.click()
    assert window.login.title.text() == "AUTOOS Indiranagar Checkout"
