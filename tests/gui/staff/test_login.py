"""PIN login: roles decide which pages exist; wrong PINs lock; a new till makes an admin."""

from __future__ import annotations

from datetime import timedelta

from app.admin.settings_view import SettingsView
from app.admin.staff_view import StaffAdminView
from backend.services.shop import staff
from tests.gui.staff.conftest import sign_in

ADMIN_ONLY = {"Dashboard", "Settings", "Staff"}


def test_staff_member_has_no_admin_pages_at_all(qtbot, make_window, people):
    window = make_window()
    sign_in(qtbot, window, "Ravi", "1357")
    qtbot.waitUntil(lambda: window.area is not None)
    assert window.area.tab_titles() == ["Checkout", "Customers", "Payments"]
    assert not window.area.findChildren(SettingsView)
    assert not window.area.findChildren(StaffAdminView)
    assert window.area.payments.refund_button is None
    assert not [w for w in window.area.findChildren(object) if type(w).__name__ == "DashboardView"]


def test_admin_gets_settings_staff_and_refunds(qtbot, make_window, people):
    window = make_window()
    sign_in(qtbot, window, "Asha", "4821")
    qtbot.waitUntil(lambda: window.area is not None)
    titles = set(window.area.tab_titles())
    assert {"Checkout", "Customers", "Payments", "Settings", "Staff"} <= titles
    assert window.area.payments.refund_button is not None


def test_signing_out_removes_the_admin_pages(qtbot, make_window, people):
    window = make_window()
    sign_in(qtbot, window, "Asha", "4821")
    qtbot.waitUntil(lambda: window.area is not None)
    window.area.sign_out.click()
    sign_in(qtbot, window, "Ravi", "1357")
    qtbot.waitUntil(lambda: window.area is not None and window.area.staff["name"] == "Ravi")
    assert not ADMIN_ONLY & set(window.area.tab_titles())


def test_five_wrong_pins_lock_the_account_and_say_for_how_long(qtbot, make_window, people, ctx):
    window = make_window()
    for _ in range(5):
        sign_in(qtbot, window, "Ravi", "0000")
        qtbot.waitUntil(lambda: window.login.sign_in.isEnabled())
    qtbot.waitUntil(lambda: "locked" in window.login.login_error.text())
    assert "5 minutes" in window.login.login_error.text()
    ctx.clock.advance(timedelta(minutes=2))
    sign_in(qtbot, window, "Ravi", "1357")
    qtbot.waitUntil(lambda: "3 more minute" in window.login.login_error.text())
    assert window.area is None
    ctx.clock.advance(timedelta(minutes=3, seconds=1))
    sign_in(qtbot, window, "Ravi", "1357")
    qtbot.waitUntil(lambda: window.area is not None)


def test_first_start_creates_the_first_admin(qtbot, make_window, ctx, settings_file):
    window = make_window()
    login = window.login
    qtbot.waitUntil(
        lambda: login.first_run is not None and login.currentWidget() is login.first_run
    )
    setup = login.first_run
    qtbot.keyClicks(setup.admin_name, "Meera")
    qtbot.keyClicks(setup.admin_pin, "2468")
    qtbot.keyClicks(setup.admin_pin2, "2460")
    setup.create_admin.click()
    assert "different" in setup.errors.shown()["pin2"]
    assert staff.list_staff(ctx) == []
    qtbot.keyClicks(setup.admin_pin2, "2468")
    qtbot.keyClick(setup.admin_pin2, "\r")
    qtbot.waitUntil(lambda: window.area is not None)
    assert window.area.is_admin
    assert [(s["name"], s["role"]) for s in staff.list_staff(ctx)] == [("Meera", "admin")]


def test_admin_pages_show_settings_and_add_staff(qtbot, make_window, people, ctx):
    window = make_window()
    sign_in(qtbot, window, "Asha", "4821")
    qtbot.waitUntil(lambda: window.area is not None)
    area = window.area
    settings_page = area.admin_pages["settings"]
    area.tabs.setCurrentWidget(settings_page)

    qtbot.waitUntil(lambda: settings_page.editors.get("upi.vpa") is not None)
    assert settings_page.editors["upi.vpa"].text() == "autoos.shop@okaxis"
    assert "Card: Card payments are not configured" in settings_page.where.text()  # no key

    staff_page = area.admin_pages["staff"]
    area.tabs.setCurrentWidget(staff_page)
    qtbot.keyClicks(staff_page.name, "Meera")
    qtbot.keyClicks(staff_page.pin, "12")
    staff_page.add.click()
    qtbot.waitUntil(lambda: "pin" in staff_page.add_errors.shown())
    assert "PIN is 4 to 8 digits" in staff_page.add_errors.shown()["pin"]
    assert staff_page.pin.property("invalid") is True
    qtbot.keyClicks(staff_page.pin, "34")
    staff_page.add.click()
    qtbot.waitUntil(lambda: "can now sign in" in staff_page.add_message.text())
    assert ("Meera", "staff") in {(s["name"], s["role"]) for s in staff.list_staff(ctx)}
    audit = ctx.store.one(
        "SELECT actor FROM audit_log WHERE action='staff.create' ORDER BY id DESC"
    )
    assert audit["actor"] == f"staff:{people['admin']['id']}"


def test_the_till_is_named_in_the_title_and_beside_the_person(qtbot, make_window, people):
    window = make_window(terminal="Counter 1")
    assert window.windowTitle() == "AUTOOS Checkout — Counter 1"
    sign_in(qtbot, window, "Ravi", "1357")
    qtbot.waitUntil(lambda: window.area is not None)
    assert window.area.who.text() == "Ravi · Sales · at Counter 1"
