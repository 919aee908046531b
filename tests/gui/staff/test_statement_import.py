"""Importing a bank statement from the Payments page, and reviewing the credits it held:
the file through the file dialog, the report in one line, Accept and Reject asked first —
every outcome checked in the database."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QFileDialog, QMessageBox

from app.till.reviews_panel import ReviewsModel
from app.till.staff_window import StaffWindow
from app.till.statement_import import StatementImportDialog, summary
from backend.interface import Caller, CheckoutApi
from backend.services.shop import customers
from backend.services.upi import upi_requests
from tests.gui.staff.conftest import sign_in, when_dialog_opens

HEADER = "Date,Narration,Chq./Ref.No.,Value Dt,Withdrawal Amt.,Deposit Amt.,Closing Balance"


@pytest.fixture
def made(ctx) -> dict[str, dict]:
    """Three customers, each with a UPI request waiting (made at the till)."""
    return _requests(ctx)


def _requests(ctx) -> dict[str, dict]:
    made = {}
    for name, tier in (("Kavya", "student"), ("Arjun", "employee"), ("Neha", "professional")):
        buyer = customers.add_customer(
            ctx, name=f"{name} Rao", email=f"{name.lower()}@example.com", actor="test"
        )
        made[name] = upi_requests.create_request(
            ctx, customer_id=buyer["id"], tier=tier, interval="month", actor="test"
        )
    return made


def _statement(tmp_path: Path, name: str, *lines: str) -> Path:
    path = tmp_path / name
    path.write_text("\n".join((HEADER, *lines)) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def payments_page(qtbot, make_window, people, made):
    window: StaffWindow = make_window()
    sign_in(qtbot, window, "Ravi", "1357")
    qtbot.waitUntil(lambda: window.area is not None)
    area = window.area
    area.tabs.setCurrentWidget(area.payments)
    page = area.payments
    qtbot.waitUntil(lambda: page.model.rowCount() == 3)
    return page


def _import(qtbot, monkeypatch, page, path: Path, columns: str = "") -> None:
    """Import bank statement… → the file dialog picks ``path`` → Import."""
    monkeypatch.setattr(
        QFileDialog, "getOpenFileName", staticmethod(lambda *_a, **_k: (str(path), ""))
    )

    def read_as(dialog: StatementImportDialog) -> None:
        assert dialog.preset.currentText() == "Recognise automatically"
        assert [dialog.preset.itemText(i) for i in range(dialog.preset.count())] == [
            "Recognise automatically",
            "HDFC",
            "ICICI",
            "SBI",
        ]
        dialog.columns.setText(columns)
        dialog.ok.click()

    when_dialog_opens(StatementImportDialog, read_as)
    page.import_button.click()


def _answer(text_has: tuple[str, ...], button=QMessageBox.StandardButton.Yes):
    def answer(box: QMessageBox) -> None:
        for part in text_has:
            assert part in box.text(), box.text()
        box.button(button).click()

    return when_dialog_opens(QMessageBox, answer)


def test_import_confirms_by_tr_holds_a_utr_only_credit_and_accept_pays_it(
    qtbot, monkeypatch, tmp_path, ctx, made, payments_page
):
    page = payments_page
    assert page.reviews.title() == "Needs review"
    assert not page.reviews.table.isVisible()
    kavya, arjun = made["Kavya"], made["Arjun"]
    path = _statement(
        tmp_path,
        "hdfc-nov.csv",
        f"26/11/26,UPI-KAVYA RAO-kavya@oksbi-{kavya['tr']}-PAYMENT,412345678901,26/11/26,,"
        '"799.00","10,799.00"',
        "26/11/26,UPI/512345678902/arjun.r@okicici/Payment from Arjun,512345678902,26/11/26,,"
        '"2,399.00","13,198.00"',
        '26/11/26,NEFT-SOMEONE ELSE,N0001,26/11/26,,"5,000.00","18,198.00"',
    )
    _import(qtbot, monkeypatch, page, path)
    expected = "hdfc-nov.csv: 1 payment confirmed, 1 held for review, 1 not matched."
    qtbot.waitUntil(lambda: page.message.text() == expected)
    status = "SELECT status FROM payments WHERE id=?"
    assert ctx.store.scalar(status, (kavya["id"],)) == "succeeded"
    assert ctx.store.scalar(status, (arjun["id"],)) == "pending"  # evidence is not proof

    reviews = page.reviews
    qtbot.waitUntil(lambda: reviews.model.rowCount() == 1)
    assert reviews.title() == "Needs review (1)"
    shown = [reviews.model.data(reviews.model.index(0, c)) for c in range(7)]
    assert shown[:5] == ["Arjun Rao", "₹2,399.00", "arjun.r@okicici", "512345678902", "26 Nov 2026"]
    assert "Payment from Arjun" in shown[5]
    assert shown[6] == "hdfc-nov.csv, line 3"
    assert reviews.accept_button.isEnabled()

    _answer(("₹2,399.00", "arjun.r@okicici", "Arjun Rao"))
    reviews.accept_button.click()
    qtbot.waitUntil(lambda: reviews.model.rowCount() == 0)
    assert ctx.store.scalar(status, (arjun["id"],)) == "succeeded"
    row = ctx.store.one("SELECT utr, receipt_no FROM payments WHERE id=?", (arjun["id"],))
    assert row["utr"] == "512345678902"
    assert row["receipt_no"]
    qtbot.waitUntil(lambda: page.message.text().startswith("Accepted: Arjun Rao's payment"))
    assert ctx.store.scalar("SELECT status FROM payment_reviews") == "accepted"
    assert not reviews.table.isVisible()


def test_reject_sets_the_credit_aside_and_the_request_stays(
    qtbot, monkeypatch, tmp_path, ctx, made, payments_page
):
    neha = made["Neha"]
    page = payments_page
    path = _statement(
        tmp_path,
        "statement.txt",
        "26/11/26,UPI/612345678903/nsharma@ybl/N SHARMA,612345678903,26/11/26,,"
        '"7,999.00","7,999.00"',
    )
    _import(qtbot, monkeypatch, page, path)
    # the summary is said when the payments are read again, after the held credit is
    # listed (two answers, in that order): wait for each, not one for the other
    qtbot.waitUntil(lambda: "1 held for review" in page.message.text())
    assert "0 payments confirmed, 1 held for review, 0 not matched" in page.message.text()
    qtbot.waitUntil(lambda: page.reviews.model.rowCount() == 1)

    _answer(("₹7,999.00", "nsharma@ybl"), QMessageBox.StandardButton.No)
    page.reviews.reject_button.click()
    assert page.reviews.model.rowCount() == 1  # "No": nothing happened
    _answer(("₹7,999.00", "nsharma@ybl", "Neha Rao"))
    page.reviews.reject_button.click()
    qtbot.waitUntil(lambda: page.reviews.model.rowCount() == 0)
    assert ctx.store.scalar("SELECT status FROM payment_reviews") == "rejected"
    assert ctx.store.scalar("SELECT status FROM payments WHERE id=?", (neha["id"],)) == "pending"
    qtbot.waitUntil(lambda: page.message.text().startswith("Set aside: ₹7,999.00"))


def test_an_unreadable_statement_is_refused_in_words(
    qtbot, monkeypatch, tmp_path, ctx, payments_page
):
    page = payments_page
    path = tmp_path / "odd.csv"
    path.write_text("Posted On,Info,Money Received\n26/11/2026,UPI-X,799.00\n", encoding="utf-8")
    _import(qtbot, monkeypatch, page, path)
    qtbot.waitUntil(lambda: page.message.text().startswith("The statement was not imported"))
    assert "Posted On, Info, Money Received" in page.message.text()
    assert page.import_button.isEnabled()

    # named by its column names (the CLI's --columns), it imports
    _import(qtbot, monkeypatch, page, path, "date=Posted On,narration=Info,credit=Money Received")
    qtbot.waitUntil(lambda: "1 not matched" in page.message.text())
    assert page.message.text().startswith("odd.csv: 0 payments confirmed")


def test_reviews_model_passes_qt_model_checks(qtmodeltester, ctx, people, made):
    from backend.services.upi import statements

    statements.import_statement_text(
        ctx,
        "\n".join((HEADER, "26/11/26,UPI-A-a@ybl-712345678904,712345678904,26/11/26,,799.00,1")),
        actor="test",
    )
    model = ReviewsModel()
    cashier = CheckoutApi(ctx, Caller.counter("till")).signed_in(people["staff"])
    model.set_rows(cashier.reviews())
    qtmodeltester.check(model, force_py=True)
    assert model.rowCount() == 1
    assert made["Kavya"]["id"] == model.rows[0]["payment_id"]


def test_summary_words():
    report = {"applied": 3, "held": [{}], "unmatched": [{}, {}], "ambiguous": [], "known": []}
    assert summary(report) == "3 payments confirmed, 1 held for review, 2 not matched."
    again = {"applied": 0, "held": [], "unmatched": [], "known": [{}], "already_imported": True}
    assert summary(again).startswith("This statement was imported before: nothing new.")
    assert "1 fits several requests (confirm with the UTR)" in summary(
        {"applied": 0, "ambiguous": [{}]}
    )
