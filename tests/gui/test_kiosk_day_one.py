"""The kiosk on day one: each wrong detail said under its own field (a phone number with
letters refused, nothing stored), no empty message boxes, prices that say GST is
included, and a window that covers its screen and comes back when taken away."""

from __future__ import annotations

import logging

from PySide6.QtGui import QCloseEvent

from app.kiosk.details_page import INVALID
from backend.errors import FieldsInvalid
from tests.gui.kiosk_driving import tap
from tests.gui.test_kiosk import kiosk, kiosk_factory, people, shipped_style, type_into

__all__ = ["kiosk", "kiosk_factory", "people", "shipped_style"]  # the fixtures used here


def _details(qtbot, kiosk, plan="student"):
    tap(qtbot, kiosk.plan_page.buttons[plan])
    assert kiosk.page is kiosk.details_page
    return kiosk.details_page


def test_a_phone_with_letters_is_refused_under_its_field_and_nothing_is_stored(qtbot, ctx, kiosk):
    page = _details(qtbot, kiosk)
    type_into(qtbot, page.fields["name"], "Meera Iyer")
    type_into(qtbot, page.fields["phone"], "98765abc10")
    type_into(qtbot, page.fields["email"], "meera@")
    tap(qtbot, page.continue_button)
    assert page.errors["phone"].isVisible()
    assert page.errors["email"].isVisible()
    assert "'abc'" in page.errors["phone"].text()
    assert "digits only" in page.errors["phone"].text()
    assert page.fields["phone"].styleSheet() == INVALID  # outlined, both at once
    assert page.fields["email"].styleSheet() == INVALID
    assert page.fields["name"].styleSheet() == ""
    assert not page.errors["name"].isVisible()
    assert kiosk.page is page
    assert ctx.store.scalar("SELECT count(*) FROM customers") == 0


def test_every_field_the_store_refuses_is_said_at_once(qtbot, kiosk):
    page = _details(qtbot, kiosk)
    kiosk._details_failed(
        FieldsInvalid({"phone": "Not a phone number.", "email": "Not an email address."})
    )
    assert page.errors["phone"].text() == "Not a phone number."
    assert page.errors["email"].text() == "Not an email address."
    assert not page.status.isVisible()


def test_no_empty_message_box_is_left_on_screen(qtbot, ctx, kiosk):
    page = _details(qtbot, kiosk)
    type_into(qtbot, page.fields["name"], "Meera Iyer")
    type_into(qtbot, page.fields["phone"], "98765 43210")
    tap(qtbot, page.continue_button)
    qtbot.waitUntil(lambda: kiosk.page is kiosk.method_page)
    assert not kiosk.method_page.status.isVisible()  # nothing to say: no box
    kiosk.ask_pin()
    assert not kiosk.pin_page.error.isVisible()
    kiosk.pin_page.say("Only an admin can unlock the kiosk.")
    assert kiosk.pin_page.error.isVisible()
    kiosk.pin_page.reset()
    assert not kiosk.pin_page.error.isVisible()


def test_prices_say_gst_is_included(qtbot, ctx, kiosk):
    assert "GST included" in kiosk.plan_page.buttons["student"].per.text()
    page = _details(qtbot, kiosk)
    type_into(qtbot, page.fields["name"], "Meera Iyer")
    type_into(qtbot, page.fields["phone"], "98765 43210")
    tap(qtbot, page.continue_button)
    qtbot.waitUntil(lambda: kiosk.page is kiosk.method_page)
    assert "GST included" in kiosk.method_page.plan.text()


def test_the_kiosk_covers_its_screen_and_comes_back_when_taken_away(qtbot, kiosk, caplog):
    kiosk.cover_screen()
    screen = kiosk.screen().geometry()
    qtbot.waitUntil(lambda: kiosk.geometry() == screen and kiosk.isFullScreen())
    with caplog.at_level(logging.WARNING, logger="app.kiosk.lock"):
        assert kiosk.close() is False  # refused, and said in the log
        kiosk.hide()  # taken away from outside
        qtbot.waitUntil(lambda: kiosk.lock.restored == 1 and kiosk.isVisible())
    assert kiosk.geometry() == screen
    assert kiosk.isFullScreen()
    messages = [r.getMessage() for r in caplog.records]
    assert any("close the window was refused" in m for m in messages)
    assert any("putting it back" in m for m in messages)
    kiosk.lock.release()  # the fixture hides it at the end


def test_a_refused_close_event_is_logged_for_alt_f4_too(qtbot, kiosk, caplog):
    with caplog.at_level(logging.WARNING, logger="app.kiosk.lock"):
        event = QCloseEvent()
        kiosk.closeEvent(event)
    assert not event.isAccepted()
    assert "refused" in caplog.text
