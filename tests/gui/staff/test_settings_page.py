"""The admin's Settings page: a refused value is marked and saves nothing; a good change
is saved to the file and used by the till at once; a key the environment sets is locked."""

from __future__ import annotations

import tomllib

import pytest

from app.settings_view import SettingsView
from tests.gui.staff.conftest import sign_in


@pytest.fixture
def settings_file(tmp_path, ctx):
    (tmp_path / "config").mkdir()
    path = tmp_path / "config" / "settings.toml"
    path.write_text('# the shop\n[shop]\nname = "AUTOOS"\n', encoding="utf-8")
    ctx.settings.path = path
    return path


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
    qtbot.keyClicks(state, "Karnataka")
    qtbot.keyClicks(gstin, "29AAGCB7383J1Z5")  # the last character mistyped
    assert page.save.isEnabled()
    page.save.click()
    qtbot.waitUntil(lambda: "typing mistake" in page.message.text())
    assert gstin.property("invalid") is True
    assert gstin.hasFocus() or not page.window().isActiveWindow()
    assert "GSTIN" not in settings_file.read_text()  # all or nothing: the state neither
    assert ctx.settings.shop.state == ""

    gstin.clear()
    qtbot.keyClicks(gstin, "29aagcb7383j1z4")
    assert gstin.property("invalid") is False  # typing clears the mark
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
    assert page.editors["upi.payee_name"].isEnabled()
