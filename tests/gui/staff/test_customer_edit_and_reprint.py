"""Customers are corrected from the Customers page (every wrong field said at once;
nothing stored until all is right; a trial's email cannot be moved), and receipts are
reprinted, saved and emailed from the Payments table and a customer's history — the same
PDF as the original, byte for byte, named by its receipt number."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtPrintSupport import QPrinter

from app.till import receipts
from app.till.customer_edit import CustomerEditDialog
from backend.interface import Caller, CheckoutApi
from backend.services.shop import customers
from backend.services.trials import trials
from backend.services.upi import upi_requests
from tests.gui.staff.conftest import sign_in, when_dialog_opens


def _customers_page(qtbot, make_window, query: str):
    window = make_window()
    sign_in(qtbot, window, "Ravi", "1357")
    qtbot.waitUntil(lambda: window.area is not None)
    view = window.area.customers
    window.area.tabs.setCurrentWidget(view)
    view.search.query.setText(query)
    qtbot.waitUntil(lambda: view.details.get("customer", {}).get("email") == query)
    return window, view


def test_edit_marks_every_wrong_field_and_stores_nothing(qtbot, make_window, people, ctx):
    kavya = customers.add_customer(ctx, name="Kavya Rao", email="kavya@example.com", actor="t")
    _window, view = _customers_page(qtbot, make_window, "kavya@example.com")
    assert view.edit_button.isEnabled()
    seen: dict[str, object] = {}

    def correct(dialog: CustomerEditDialog) -> None:
        fields = dialog.form.fields
        assert fields["email"].text() == "kavya@example.com"  # the stored values to correct
        fields["email"].setText("kavya@example")
        fields["phone"].setText("98765abc10")
        dialog.save_button.click()
        qtbot.waitUntil(lambda: dialog.message.isVisible())
        seen["shown"] = dialog.form.errors.shown()
        seen["message"] = dialog.message.text()
        seen["marked"] = [k for k, e in fields.items() if e.property("invalid")]
        seen["stored"] = customers.get_customer(ctx, kavya["id"])
        fields["email"].setText("kavya.rao@example.com")
        fields["phone"].setText("98765 43210")
        dialog.save_button.click()

    when_dialog_opens(CustomerEditDialog, correct)
    view.edit_button.click()
    assert set(seen["shown"]) == {"email", "phone"}  # type: ignore[arg-type]
    assert "'abc'" in seen["shown"]["phone"]  # type: ignore[index]
    assert sorted(seen["marked"]) == ["email", "phone"]  # type: ignore[arg-type]
    assert "2 fields" in str(seen["message"])
    assert seen["stored"] == kavya  # nothing stored while any field was wrong
    qtbot.waitUntil(lambda: view.contact.text() == "kavya.rao@example.com · +91 98765 43210")
    stored = customers.get_customer(ctx, kavya["id"])
    assert (stored["email"], stored["phone"]) == ("kavya.rao@example.com", "+919876543210")
    assert "Saved: Kavya Rao" in view.message.text()


def test_edit_cannot_take_another_customers_trial_email(qtbot, make_window, people, ctx):
    meera = customers.add_customer(ctx, name="Meera", email="meera@example.com", actor="t")
    trials.start_trial(ctx, meera["id"], actor="t")
    customers.update_customer(ctx, meera["id"], email="meera.s@example.com", actor="t")
    ravi = customers.add_customer(ctx, name="Ravi Shah", email="ravi@example.com", actor="t")
    _window, view = _customers_page(qtbot, make_window, "ravi@example.com")
    said: dict[str, str] = {}

    def take_trial_email(dialog: CustomerEditDialog) -> None:
        dialog.form.fields["email"].setText("meera@example.com")
        dialog.save_button.click()
        qtbot.waitUntil(lambda: "email" in dialog.form.errors.shown())
        said.update(dialog.form.errors.shown())
        dialog.reject()

    when_dialog_opens(CustomerEditDialog, take_trial_email)
    view.edit_button.click()
    assert said["email"] == (
        "That email address already had a free trial with another customer; it cannot be "
        "moved to this one."
    )
    assert customers.get_customer(ctx, ravi["id"])["email"] == "ravi@example.com"


def _paid(ctx, name: str, email: str, utr: str) -> dict:
    customer = customers.add_customer(ctx, name=name, email=email, actor="t")
    request = upi_requests.create_request(
        ctx, customer_id=customer["id"], tier="student", interval="month", actor="staff:2"
    )
    return upi_requests.confirm_with_utr(ctx, request["id"], utr, actor="staff:2")


def test_reprint_and_save_from_payments_give_the_original_pdf(
    qtbot, make_window, people, ctx, tmp_path, monkeypatch
):
    ctx.settings.shop.gstin = "29AAGCB7383J1Z4"
    ctx.settings.shop.state = "Karnataka"
    paid = _paid(ctx, "Kavya Rao", "kavya@example.com", "412345678901")
    original = CheckoutApi(ctx, Caller.owner()).invoice_pdf(paid["id"])
    assert paid["receipt_no"].replace("/", "-") in original.name
    window = make_window()
    sign_in(qtbot, window, "Ravi", "1357")  # staff may reprint (refunds stay admin-only)
    qtbot.waitUntil(lambda: window.area is not None)
    page = window.area.payments
    window.area.tabs.setCurrentWidget(page)
    qtbot.waitUntil(lambda: page.model.rowCount() == 1)
    bar = page.receipt_bar
    assert not bar.reprint.isEnabled()  # nothing chosen yet
    page.table.selectRow(0)
    qtbot.waitUntil(bar.reprint.isEnabled)
    assert bar.pdf.isEnabled()

    printed: list[bytes] = []
    monkeypatch.setattr(receipts, "ask_printer", lambda _parent: QPrinter())
    monkeypatch.setattr(receipts, "print_pdf", lambda data, _printer: printed.append(data) or 1)
    bar.reprint.click()
    qtbot.waitUntil(lambda: bool(printed))
    assert printed == [original.content]  # byte for byte
    assert page.message.text() == f"Receipt {paid['receipt_no']} sent to the printer (1 page(s))."

    suggested: list[str] = []
    target = tmp_path / "copy.pdf"
    monkeypatch.setattr(
        receipts, "ask_save_path", lambda _parent, name: suggested.append(name) or str(target)
    )
    bar.pdf.click()
    qtbot.waitUntil(lambda: "saved as" in page.message.text())
    assert target.read_bytes() == original.content
    assert suggested == [original.name]  # the receipt number's file name
    assert page.message.text() == f"Receipt {paid['receipt_no']} saved as {target}"


def test_a_customers_history_saves_and_says_why_email_cannot(
    qtbot, make_window, people, ctx, tmp_path, monkeypatch
):
    paid = _paid(ctx, "Kavya Rao", "kavya@example.com", "412345678901")
    _window, view = _customers_page(qtbot, make_window, "kavya@example.com")
    bar = view.receipt_bar
    qtbot.waitUntil(lambda: view.history.rowCount() == 1)
    view.history_table.selectRow(0)
    assert not bar.pdf.isEnabled()  # no GSTIN yet: it says so
    assert "GSTIN" in bar.pdf.toolTip()
    ctx.settings.shop.gstin = "29AAGCB7383J1Z4"
    ctx.settings.shop.state = "Karnataka"
    view.reload()  # shown again: the settings are read again
    qtbot.waitUntil(bar.pdf.isEnabled)
    assert not bar.email.isEnabled()
    assert "Email is not set up" in bar.email.toolTip()
    target = Path(tmp_path / "saved.pdf")
    monkeypatch.setattr(receipts, "ask_save_path", lambda _parent, _name: str(target))
    bar.pdf.click()
    qtbot.waitUntil(lambda: target.exists() and "saved as" in view.message.text())
    assert view.message.text().startswith(f"Receipt {paid['receipt_no']}")
