"""Staff management: each person's state, deactivate (not for the last admin, said in
words) and reactivate, a new PIN asked twice, unlock; the sign-in list and the login
follow, and the login warns before a lockout."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QDialog

from app.admin.staff_view import NewPinDialog
from backend.errors import AccountLocked, WrongPin
from backend.services.shop import staff
from tests.gui.staff.conftest import sign_in, when_dialog_opens


def _staff_page(qtbot, make_window):
    window = make_window()
    sign_in(qtbot, window, "Asha", "4821")
    qtbot.waitUntil(lambda: window.area is not None)
    page = window.area.admin_pages["staff"]
    window.area.tabs.setCurrentWidget(page)
    qtbot.waitUntil(lambda: page.model.rowCount() == 2)
    return window, page


def _lock_out(ctx, name: str) -> None:
    """Wrong PINs until the name is locked out."""
    for _ in range(4):
        with pytest.raises(WrongPin):
            staff.authenticate(ctx, name, "0000")
    with pytest.raises(AccountLocked):
        staff.authenticate(ctx, name, "0000")


def _states(page) -> dict[str, str]:
    return {p["name"]: p["state"] for p in page.model.rows}


def test_a_deactivated_person_cannot_sign_in_and_is_not_listed(qtbot, make_window, people, ctx):
    window, page = _staff_page(qtbot, make_window)
    page.select("Ravi")
    assert page.deactivate.text().replace("&", "") == "Deactivate"
    page.deactivate.click()
    qtbot.waitUntil(lambda: _states(page).get("Ravi") == "deactivated")
    assert "can no longer sign in" in page.message.text()
    assert page.deactivate.text().replace("&", "") == "Reactivate"
    assert not page.reset_pin.isEnabled()

    window.area.sign_out.click()
    login = window.login
    qtbot.waitUntil(lambda: login.name_box.count() == 1)
    assert login.name_box.findData("Ravi") == -1  # not in the sign-in list
    refused: list[object] = []
    window.runner.call(
        window.api.authenticate,
        "Ravi",
        "1357",
        on_success=refused.append,
        on_failure=refused.append,
    )
    qtbot.waitUntil(lambda: bool(refused))
    assert isinstance(refused[0], Exception)
    assert "wrong PIN" in str(refused[0])

    sign_in(qtbot, window, "Asha", "4821")
    qtbot.waitUntil(lambda: window.area is not None)
    page = window.area.admin_pages["staff"]
    window.area.tabs.setCurrentWidget(page)
    qtbot.waitUntil(lambda: page.model.rowCount() == 2)
    page.select("Ravi")
    page.deactivate.click()  # Reactivate
    qtbot.waitUntil(lambda: _states(page).get("Ravi") == "active")
    assert [p["name"] for p in staff.list_staff(ctx)] == ["Asha", "Ravi"]


def test_the_last_admin_stays_and_the_page_says_why(qtbot, make_window, people):
    _window, page = _staff_page(qtbot, make_window)
    page.select("Asha")
    page.deactivate.click()
    qtbot.waitUntil(lambda: page.message.isVisible())
    assert "last active admin" in page.message.text()
    assert page.message.objectName() == "error"
    assert _states(page)["Asha"] == "active"


def test_a_new_pin_is_asked_twice_and_unlocks(qtbot, make_window, people, ctx):
    _lock_out(ctx, "Ravi")
    _window, page = _staff_page(qtbot, make_window)
    assert _states(page)["Ravi"] == "locked"
    page.select("Ravi")
    assert page.unlock.isEnabled()
    assert "Locked out until" in page.model.data(page.model.index(1, 2))

    def type_twice(dialog: NewPinDialog) -> None:
        dialog.first.setText("8642")
        dialog.second.setText("8640")
        dialog.ok.click()  # different: refused in the dialog
        assert "different" in dialog.errors.shown()["pin2"]
        dialog.second.setText("8642")
        dialog.ok.click()

    when_dialog_opens(NewPinDialog, type_twice)
    page.reset_pin.click()
    qtbot.waitUntil(lambda: _states(page).get("Ravi") == "active")
    assert "new PIN" in page.message.text()
    assert staff.authenticate(ctx, "Ravi", "8642")["name"] == "Ravi"


def test_unlock_lets_a_locked_person_try_again(qtbot, make_window, people, ctx):
    _lock_out(ctx, "Ravi")
    _window, page = _staff_page(qtbot, make_window)
    page.select("Ravi")
    page.unlock.click()
    qtbot.waitUntil(lambda: _states(page).get("Ravi") == "active")
    assert not page.unlock.isEnabled()
    assert staff.authenticate(ctx, "Ravi", "1357")["name"] == "Ravi"


def test_the_login_warns_before_the_lockout(qtbot, make_window, people):
    window = make_window()
    said = []
    for _ in range(4):
        sign_in(qtbot, window, "Ravi", "0000")
        qtbot.waitUntil(lambda: window.login.sign_in.isEnabled())  # answered
        said.append(window.login.login_error.text())
    assert said[:2] == ["Unknown name or wrong PIN."] * 2
    assert said[2] == "Wrong PIN: 2 tries left before Ravi is locked for 5 minutes."
    assert said[3] == "Wrong PIN: 1 try left before Ravi is locked for 5 minutes."


def test_cancelling_the_new_pin_changes_nothing(qtbot, make_window, people, ctx):
    _window, page = _staff_page(qtbot, make_window)
    page.select("Ravi")
    when_dialog_opens(NewPinDialog, lambda dialog: dialog.done(QDialog.DialogCode.Rejected))
    page.reset_pin.click()
    assert staff.authenticate(ctx, "Ravi", "1357")["name"] == "Ravi"
