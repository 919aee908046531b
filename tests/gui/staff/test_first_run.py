"""Day one at a shop: first-run setup asks for the shop's details with the first admin,
checks the GSTIN with its state as Settings does, and leaves receipts working; a receipt
already on screen enables itself the moment an admin saves what it needed."""

from __future__ import annotations

import tomllib

from app.till.checkout.view import STEP_DONE
from backend.services.shop import customers, staff
from tests.gui.staff.conftest import sign_in, upi_sale

GSTIN = "29AAGCB7383J1Z4"  # issued in Karnataka (code 29)


def _first_run(qtbot, make_window):
    window = make_window()
    login = window.login
    qtbot.waitUntil(
        lambda: login.first_run is not None and login.currentWidget() is login.first_run
    )
    setup = login.first_run
    qtbot.waitUntil(lambda: bool(setup.loaded))  # what the settings file says is filled in
    return window, setup


def _type(qtbot, setup, values: dict[str, str]) -> None:
    for name, value in values.items():
        editor = setup.editors[name]
        if name == "shop.state":
            editor.setCurrentIndex(editor.findData(value))
        else:
            editor.clear()
            qtbot.keyClicks(editor, value)


def _admin(qtbot, setup, name="Meera", pin="2468"):
    qtbot.keyClicks(setup.admin_name, name)
    qtbot.keyClicks(setup.admin_pin, pin)
    qtbot.keyClicks(setup.admin_pin2, pin)


def test_first_run_sets_up_the_shop_and_its_first_receipt_can_be_issued(
    qtbot, make_window, ctx, settings_file
):
    ctx.settings.upi.vpa = ctx.settings.upi.payee_name = ctx.settings.upi.mcc = ""
    window, setup = _first_run(qtbot, make_window)
    assert setup.notes["gst"].isVisibleTo(setup)  # says what waits for a GSTIN
    assert "receipts cannot be issued yet" in setup.notes["gst"].text()
    assert setup.notes["upi"].isVisibleTo(setup)
    _type(
        qtbot,
        setup,
        {
            "shop.name": "AUTOOS Indiranagar",
            "shop.address": "12 CMH Road, Bengaluru 560038",
            "shop.gstin": GSTIN.lower(),
            "shop.state": "Karnataka",
            "upi.vpa": "autoos.indiranagar@okaxis",
            "upi.payee_name": "AUTOOS Indiranagar",
            "upi.mcc": "5734",
        },
    )
    assert not setup.notes["gst"].isVisibleTo(setup)
    assert not setup.notes["upi"].isVisibleTo(setup)
    _admin(qtbot, setup)
    setup.create_admin.click()
    qtbot.waitUntil(lambda: window.area is not None)
    assert window.area.is_admin
    assert [(s["name"], s["role"]) for s in staff.list_staff(ctx)] == [("Meera", "admin")]
    saved = tomllib.loads(settings_file.read_text())
    assert saved["shop"]["gstin"] == GSTIN
    assert saved["shop"]["state"] == "Karnataka"
    assert saved["upi"] == {
        "vpa": "autoos.indiranagar@okaxis",
        "payee_name": "AUTOOS Indiranagar",
        "mcc": "5734",
    }
    audit = ctx.store.one("SELECT actor FROM audit_log WHERE action='settings.update'")
    assert audit["actor"] == "staff:1"  # saved as the new admin

    # the first sale's receipt can be saved and printed at once
    customers.add_customer(ctx, name="Kavya Rao", email="kavya@example.com", actor="test")
    checkout = window.area.checkout
    upi_sale(qtbot, checkout, "Kavya", "412345678901")
    assert checkout.success_step.pdf.isEnabled()
    assert checkout.success_step.print.isEnabled()
    assert "GSTIN" not in checkout.success_step.receipt_note.text()


def test_a_gstin_from_another_state_is_marked_and_the_rest_can_wait(
    qtbot, make_window, ctx, settings_file
):
    window, setup = _first_run(qtbot, make_window)
    _type(
        qtbot,
        setup,
        {"shop.gstin": GSTIN, "shop.state": "Kerala", "upi.mcc": "57", "upi.vpa": "shop"},
    )
    _admin(qtbot, setup)
    setup.create_admin.click()
    qtbot.waitUntil(lambda: setup.skip.isVisible())
    shown = setup.errors.shown()
    assert set(shown) == {"upi.vpa", "upi.mcc"}  # every refused field at once
    assert setup.editors["upi.vpa"].property("invalid") is True
    assert "The admin is ready" in setup.message.text()
    assert "2 shop detail(s)" in setup.message.text()
    assert not setup.admin_group.isEnabled()  # made once; the next try saves settings only
    assert ctx.settings.upi.mcc == "5734"  # all or nothing: nothing saved

    _type(qtbot, setup, {"upi.mcc": "5734", "upi.vpa": "autoos.shop@okaxis"})
    assert setup.errors.shown() == {}  # typing clears each field's message
    setup.create_admin.click()  # the GSTIN and the state are checked together
    qtbot.waitUntil(lambda: "shop.gstin" in setup.errors.shown())
    assert "Karnataka" in setup.errors.shown()["shop.gstin"]
    assert "Kerala" in setup.errors.shown()["shop.gstin"]
    assert window.area is None

    _type(qtbot, setup, {"shop.state": "Karnataka"})
    setup.create_admin.click()
    qtbot.waitUntil(lambda: window.area is not None)
    assert ctx.settings.shop.gstin == GSTIN
    assert ctx.settings.shop.state == "Karnataka"
    assert [s["name"] for s in staff.list_staff(ctx)] == ["Meera"]


def test_skipping_goes_in_as_the_admin_without_the_shop_details(
    qtbot, make_window, ctx, settings_file
):
    window, setup = _first_run(qtbot, make_window)
    _type(qtbot, setup, {"shop.gstin": "NOT-A-GSTIN"})
    _admin(qtbot, setup)
    setup.create_admin.click()
    qtbot.waitUntil(lambda: setup.skip.isVisible())
    setup.skip.click()
    qtbot.waitUntil(lambda: window.area is not None)
    assert ctx.settings.shop.gstin == ""


def test_the_receipt_on_screen_enables_itself_when_the_settings_are_saved(
    qtbot, make_window, people, ctx, settings_file
):
    customers.add_customer(ctx, name="Kavya Rao", email="kavya@example.com", actor="test")
    window = make_window()
    sign_in(qtbot, window, "Asha", "4821")
    qtbot.waitUntil(lambda: window.area is not None)
    area, checkout = window.area, window.area.checkout
    upi_sale(qtbot, checkout, "Kavya", "412345678901")
    step = checkout.success_step
    assert not step.pdf.isEnabled()
    assert not step.print.isEnabled()
    assert "GSTIN" in step.receipt_note.text()

    page = area.admin_pages["settings"]
    area.tabs.setCurrentWidget(page)
    qtbot.waitUntil(lambda: bool(page.loaded))
    page.editors["shop.state"].setCurrentText("Karnataka")
    qtbot.keyClicks(page.editors["shop.gstin"], GSTIN)
    page.save.click()
    qtbot.waitUntil(step.pdf.isEnabled)  # at once, before the cashier looks again
    assert step.print.isEnabled()
    assert "GSTIN" not in step.receipt_note.text()
    area.tabs.setCurrentWidget(checkout)
    assert checkout.stack.currentIndex() == STEP_DONE  # the sale on screen was kept
    qtbot.waitUntil(lambda: step.next.hasFocus())  # and Enter starts the next one
