"""Payments table (a checked Qt model, filters, UTR confirmation) and the Customers page."""

from __future__ import annotations

from datetime import timedelta

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from app.till.payments_model import PaymentsModel
from app.till.plan_change_dialog import PlanChangeDialog
from app.till.utr_dialog import UtrDialog
from backend.interface import Caller, CheckoutApi
from backend.services.billing import upi_subscriptions
from backend.services.shop import customers
from backend.services.trials import trials, usage_events
from backend.services.upi import upi_requests
from tests.gui.staff.conftest import sign_in, when_dialog_opens


def _shop(ctx):
    """Three customers: one paid, one pending, one on a trial with some credits used."""
    ids = {}
    for name, email in (("Arjun", "arjun@example.com"), ("Neha", "neha@example.com")):
        ids[name] = customers.add_customer(ctx, name=name, email=email, actor="test")["id"]
    ids["Kavya"] = customers.add_customer(
        ctx, name="Kavya", email="kavya@example.com", actor="test"
    )["id"]
    paid = upi_requests.create_request(
        ctx, customer_id=ids["Arjun"], tier="student", interval="month", actor="test"
    )
    upi_requests.confirm_with_utr(ctx, paid["id"], "412345678901", actor="test")
    ctx.clock.advance(timedelta(days=1))
    pending = upi_requests.create_request(
        ctx, customer_id=ids["Neha"], tier="employee", interval="month", actor="test"
    )
    trials.start_trial(ctx, ids["Kavya"], actor="test")
    for n in range(3):
        usage_events.record_usage(
            ctx, customer_id=ids["Kavya"], kind="workflow", event_id=f"k{n}", actor="test"
        )
    return ids, paid, pending


def test_payments_model_passes_qt_model_checks(qtmodeltester, ctx, people):
    _shop(ctx)
    model = PaymentsModel()
    cashier = CheckoutApi(ctx, Caller.counter("till")).signed_in(people["staff"])
    model.set_rows(cashier.list_payments())
    qtmodeltester.check(model, force_py=True)
    assert model.rowCount() == 2
    texts = {model.data(model.index(r, 4)) for r in range(2)}
    assert texts == {"Paid", "Pending"}


def test_a_late_payment_warns_on_every_cell_and_rows_are_numbered(qtmodeltester):
    model = PaymentsModel()
    row = {"created_at": "2026-11-26T10:00:00Z", "method": "upi_qr", "amount_text": "₹799.00"}
    model.set_rows([{**row, "status": "late"}, {**row, "status": "succeeded"}])
    qtmodeltester.check(model, force_py=True)
    tips = [
        {model.data(model.index(r, c), Qt.ItemDataRole.ToolTipRole) for c in range(8)}
        for r in range(2)
    ]
    assert tips == [{"Paid after the QR expired: check and confirm with the customer."}, {None}]
    numbers = [model.headerData(r, Qt.Orientation.Vertical) for r in range(2)]
    assert numbers == ["1", "2"]


def test_filters_and_utr_confirmation_from_the_payments_page(qtbot, make_window, people, ctx):
    _ids, paid, pending = _shop(ctx)
    window = make_window()
    sign_in(qtbot, window, "Ravi", "1357")
    qtbot.waitUntil(lambda: window.area is not None)
    area = window.area
    area.tabs.setCurrentWidget(area.payments)
    page = area.payments
    qtbot.waitUntil(lambda: page.model.rowCount() == 2)
    page.status.setCurrentIndex(page.status.findData("succeeded"))
    qtbot.waitUntil(lambda: page.model.rowCount() == 1)
    assert page.model.row_at(0)["id"] == paid["id"]
    assert page.model.data(page.model.index(0, 5)) == "₹799.00"
    page.status.setCurrentIndex(page.status.findData("pending"))
    qtbot.waitUntil(
        lambda: page.model.rowCount() == 1 and page.model.row_at(0)["id"] == pending["id"]
    )
    page.use_dates.setChecked(True)
    page.date_from.setDate(page.date_to.date().addDays(5))
    qtbot.waitUntil(lambda: page.model.rowCount() == 0)
    page.use_dates.setChecked(False)
    qtbot.waitUntil(lambda: page.model.rowCount() == 1)

    page.table.selectRow(0)
    assert page.utr_button.isEnabled()

    def type_utr(dialog: UtrDialog) -> None:
        qtbot.keyClicks(dialog.edit, "998877665544")
        qtbot.keyClick(dialog.edit, Qt.Key.Key_Return)

    when_dialog_opens(UtrDialog, type_utr)
    page.utr_button.click()
    qtbot.waitUntil(lambda: page.message.objectName() in ("success", "error"))
    assert "Confirmed" in page.message.text(), page.message.text()
    row = ctx.store.one("SELECT status, utr, receipt_no FROM payments WHERE id=?", (pending["id"],))
    assert row["status"] == "succeeded"
    assert row["utr"] == "998877665544"
    assert row["receipt_no"] in page.message.text()


def test_customer_page_shows_credits_usage_and_history(qtbot, make_window, people, ctx):
    ids, _paid, _pending = _shop(ctx)
    window = make_window()
    sign_in(qtbot, window, "Ravi", "1357")
    qtbot.waitUntil(lambda: window.area is not None)
    area = window.area
    area.tabs.setCurrentWidget(area.customers)
    view = area.customers
    view.search.query.setText("Kavya")
    qtbot.waitUntil(lambda: view.name.text() == "Kavya")
    assert (view.credits.value(), view.credits.maximum()) == (3, 10)
    assert view.credits.text() == "3 of 10 credits used"
    assert view.credits_text.text() == "7 credit(s) left"
    assert view.workflows.text() == "3 of 10 workflows"
    assert not view.upgrade_button.isEnabled()

    view.search.query.setText("Arjun")
    qtbot.waitUntil(lambda: view.name.text() == "Arjun")
    assert "Student" in view.sub_text.text()
    assert "paid by UPI QR\n" in view.sub_text.text()  # the domain's words, not "UPI"
    assert view.history.rowCount() == 1
    assert view.upgrade_button.isEnabled()
    assert ids["Arjun"] == view.customer["id"]


def test_upgrade_shows_the_prorated_price_before_anything_changes(qtbot, make_window, people, ctx):
    ids, _paid, _pending = _shop(ctx)
    ctx.clock.advance(timedelta(days=10))
    window = make_window()
    sign_in(qtbot, window, "Ravi", "1357")
    qtbot.waitUntil(lambda: window.area is not None)
    area = window.area
    area.tabs.setCurrentWidget(area.customers)
    view = area.customers
    view.search.query.setText("Arjun")
    qtbot.waitUntil(lambda: view.upgrade_button.isEnabled())
    expected = upi_subscriptions.upgrade_preview(ctx, ids["Arjun"], "employee", "month")
    before = ctx.store.scalar("SELECT count(*) FROM payments")
    seen = {}

    def agree(dialog: PlanChangeDialog) -> None:
        qtbot.waitUntil(lambda: dialog.target.count() > 0)
        seen["now"] = [w.text() for w in dialog.findChildren(QLabel) if w.text().startswith("Now:")]
        dialog.target.setCurrentIndex(dialog.target.findData("employee/month"))
        assert not dialog.confirm.isEnabled()  # no agreeing before the price is seen
        dialog.preview_button.click()
        qtbot.waitUntil(lambda: dialog.confirm.isEnabled())
        seen["text"] = dialog.price.text()
        seen["payments"] = ctx.store.scalar("SELECT count(*) FROM payments")
        dialog.confirm.click()

    when_dialog_opens(PlanChangeDialog, agree)
    view.upgrade_button.click()
    assert expected["amount_text"] in seen["text"]
    assert seen["payments"] == before
    [now] = seen["now"]
    assert " · paid by UPI QR · " in now
    checkout = area.checkout
    qtbot.waitUntil(lambda: area.tabs.currentWidget() is checkout)
    request = checkout.sale["request"]
    assert request["amount"] == expected["amount"]
    assert request["purpose"] == "upgrade"
    assert checkout.waiting_step.amount.text() == expected["amount_text"]


def test_admin_refunds_part_of_a_card_payment(qtbot, make_window, people, card_ctx, fake):
    from app.till.refund_dialog import RefundDialog
    from backend.services.cards import card_checkout

    buyer = customers.add_customer(card_ctx, name="Dev", email="dev@example.com", actor="test")
    started = card_checkout.start_checkout(
        card_ctx,
        customer_id=buyer["id"],
        tier="student",
        interval="month",
        currency="INR",
        actor="test",
    )
    [session] = fake.all("checkout.session")
    fake.complete_session(session["id"])
    assert card_checkout.refresh(card_ctx, started["id"])["status"] == "succeeded"

    window = make_window()
    sign_in(qtbot, window, "Asha", "4821")
    qtbot.waitUntil(lambda: window.area is not None)
    page = window.area.payments
    window.area.tabs.setCurrentWidget(page)
    qtbot.waitUntil(lambda: page.model.rowCount() == 1)
    page.table.selectRow(0)
    assert page.refund_button.isEnabled()

    def refund(dialog: RefundDialog) -> None:
        assert dialog.edit.text() == "799.00"  # all of it, unless told otherwise
        dialog.edit.setText("900")
        dialog.ok.click()
        assert "at most ₹799.00" in dialog.error.text()  # refused before anything is sent
        dialog.edit.setText("199.50")
        dialog.reason.setText("Bought the wrong plan")
        assert dialog.ok.text() == "Refund ₹199.50"
        dialog.ok.click()

    when_dialog_opens(RefundDialog, refund)
    page.refund_button.click()
    qtbot.waitUntil(lambda: page.message.objectName() in ("success", "error"), timeout=10_000)
    assert "₹199.50" in page.message.text(), page.message.text()
    assert [r["amount"] for r in fake.all("refund")] == [19950]
    row = card_ctx.store.one("SELECT refunded_amount, status FROM payments")
    assert row == {"refunded_amount": 19950, "status": "succeeded"}


def _open_change(qtbot, make_window, name):
    window = make_window()
    sign_in(qtbot, window, "Ravi", "1357")
    qtbot.waitUntil(lambda: window.area is not None)
    view = window.area.customers
    window.area.tabs.setCurrentWidget(view)
    view.search.query.setText(name)
    qtbot.waitUntil(lambda: view.upgrade_button.isEnabled())
    return view


def test_downgrade_is_scheduled_for_the_period_end(qtbot, make_window, people, ctx):
    ids, _paid, _pending = _shop(ctx)
    upgraded = upi_requests.create_request(
        ctx,
        customer_id=ids["Arjun"],
        tier="employee",
        interval="month",
        actor="test",
        purpose="upgrade",
    )
    upi_requests.confirm_with_utr(ctx, upgraded["id"], "412345678902", actor="test")
    view = _open_change(qtbot, make_window, "Arjun")

    def downgrade(dialog: PlanChangeDialog) -> None:
        qtbot.waitUntil(lambda: dialog.target.count() > 0)
        assert dialog.target.findData("professional/month") == -1  # not a downgrade
        dialog.target.setCurrentIndex(dialog.target.findData("student/month"))
        dialog.confirm.click()
        qtbot.waitUntil(lambda: "plan changes on" in dialog.price.text())
        dialog.accept()

    when_dialog_opens(PlanChangeDialog, downgrade)
    view.downgrade_button.click()
    sub = upi_subscriptions.current_subscription(ctx, ids["Arjun"])
    assert (sub["tier"], sub["pending_tier"], sub["status"]) == ("employee", "student", "active")
    qtbot.waitUntil(lambda: "Changes to student" in view.sub_text.text())


def test_cancel_at_period_end_keeps_the_plan_until_then(qtbot, make_window, people, ctx):
    ids, _paid, _pending = _shop(ctx)
    view = _open_change(qtbot, make_window, "Arjun")

    def cancel(dialog: PlanChangeDialog) -> None:
        assert dialog.at_end.isChecked()  # the gentle choice is the default
        dialog.confirm.click()
        qtbot.waitUntil(lambda: "cancelled" in dialog.price.text())
        dialog.accept()

    when_dialog_opens(PlanChangeDialog, cancel)
    view.cancel_button.click()
    sub = upi_subscriptions.current_subscription(ctx, ids["Arjun"])
    assert sub["status"] == "active"
    assert sub["cancel_at_period_end"] is True
    qtbot.waitUntil(lambda: "Cancels at the end of this period" in view.sub_text.text())
    assert not view.cancel_button.isEnabled()


def test_a_late_payment_is_kept_and_accepted_by_staff(qtbot, make_window, people, ctx):
    from PySide6.QtWidgets import QMessageBox

    ids, _paid, pending = _shop(ctx)
    ctx.clock.advance(timedelta(minutes=20))
    upi_requests.confirm_from_statement(
        ctx,
        pending["id"],
        utr="556677889900",
        evidence={"source": "test"},
        late=True,
        actor="test",
    )
    assert upi_requests.get_payment(ctx, pending["id"])["status"] == "late"
    window = make_window()
    sign_in(qtbot, window, "Ravi", "1357")
    qtbot.waitUntil(lambda: window.area is not None)
    page = window.area.payments
    window.area.tabs.setCurrentWidget(page)
    page.status.setCurrentIndex(page.status.findData("late"))
    qtbot.waitUntil(lambda: page.model.rowCount() == 1)
    assert page.model.data(page.model.index(0, 4)) == "Paid late ⚑"
    page.table.selectRow(0)
    assert page.late_button.isEnabled()
    assert not page.utr_button.isEnabled()
    when_dialog_opens(QMessageBox, lambda box: box.button(QMessageBox.StandardButton.Yes).click())
    page.late_button.click()
    qtbot.waitUntil(lambda: page.message.objectName() in ("success", "error"))
    assert "Accepted: receipt AC/" in page.message.text()
    assert upi_requests.get_payment(ctx, pending["id"])["status"] == "succeeded"
    assert upi_subscriptions.current_subscription(ctx, ids["Neha"])["tier"] == "employee"


def test_a_name_typed_as_markup_is_shown_as_typed(qtbot, make_window, people, ctx):
    """A kiosk customer who types "<h1>…</h1>" as their name must not restyle the till."""
    customers.add_customer(
        ctx, name="<h1>Meera</h1> <img src=x>", email="meera@example.com", actor="kiosk"
    )
    window = make_window()
    sign_in(qtbot, window, "Ravi", "1357")
    qtbot.waitUntil(lambda: window.area is not None)
    view = window.area.customers
    window.area.tabs.setCurrentWidget(view)
    view.search.query.setText("meera@example.com")
    qtbot.waitUntil(lambda: view.name.text() == "<h1>Meera</h1> <img src=x>")
    assert view.name.textFormat() == Qt.TextFormat.PlainText  # the tags show as typed
    assert window.login.title.textFormat() == Qt.TextFormat.PlainText  # made before, too


def test_the_utr_field_takes_twelve_digits_and_no_more(qtbot):
    dialog = UtrDialog("₹2,399.00")
    qtbot.addWidget(dialog)
    qtbot.keyClicks(dialog.edit, "4123 5678 9012 3456")
    assert dialog.utr == "412356789012"
    assert dialog.ok.isEnabled()
    assert "Looks right" in dialog.hint.text()
