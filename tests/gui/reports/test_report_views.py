"""Dashboard view, export dialog and printing, headless (pytest-qt)."""

from __future__ import annotations

import csv
import io

import pytest
from pypdf import PdfReader
from PySide6.QtPrintSupport import QPrinter

from app.admin.dashboard_view import DashboardView
from app.admin.export_dialog import ExportDialog
from app.admin.report_models import RowsTableModel
from app.till.printing import print_pdf
from backend.domain.periods import DateRange
from backend.interface import Caller, CheckoutApi
from backend.services.billing import invoices


@pytest.fixture
def admin_api(ctx):
    """The interface acting for an admin (the dashboard and exports are admin-only)."""
    return CheckoutApi(ctx, Caller.owner("test"))


@pytest.fixture
def sales(rows):
    cid = rows.customer("Asha Rao")
    rows.payment("p1", cid, amount=79900, paid_at="2026-11-26T09:00:00Z")
    rows.payment("p2", cid, amount=239900, paid_at="2026-11-20T09:00:00Z")
    rows.subscription(cid, tier="employee", interval="year", amount=2399900)
    rows.trial(cid, "2026-11-01T10:00:00Z", "2026-12-01T10:00:00Z", "converted")
    return cid


def test_table_model_passes_the_model_tester(qtmodeltester):
    model = RowsTableModel(("Day", "Revenue"), (None, lambda v: f"₹{v / 100:.2f}"))
    model.set_rows([("2026-11-01", 79900), ("2026-11-02", 0)])
    qtmodeltester.check(model)
    assert model.index(0, 1).data() == "₹799.00"


def test_dashboard_refreshes_in_the_background(qtbot, ctx, runner, admin_api, sales, qtmodeltester):
    view = DashboardView(admin_api, runner, now=ctx.clock.now)
    qtbot.addWidget(view)
    with qtbot.waitSignal(view.refreshed, timeout=10_000) as blocker:
        view.refresh()
        assert view.status.text() == "Loading…"  # the GUI thread did not wait
    board = blocker.args[0]
    assert board.revenue_30d == 79900 + 239900
    assert view.figures["Revenue:today"].text() == "₹799.00"
    assert view.figures["Revenue:30 days"].text() == "₹3,198.00"
    assert view.figures["Subscriptions:MRR"].text() == "₹1,999.92"  # 23,999.00 / 12
    assert view.figures["Trials:of ended, bought"].text() == "100.0 %"
    assert view.daily_model.rowCount() == 30
    days = {row[0]: row[1] for row in view.daily_model.rows()}
    assert days["2026-11-20"] == 239900
    assert ("Employee", 1) in view.tier_model.rows()
    qtmodeltester.check(view.daily_model)
    qtmodeltester.check(view.tier_model)


def test_category_charts_name_each_bar_on_its_own_line_with_whole_counts(
    qtbot, ctx, runner, admin_api, sales
):
    """At 1366 px the funnel's four stage names must not run into each other, and a
    count of trials is never 1.5."""
    view = DashboardView(admin_api, runner, now=ctx.clock.now)
    qtbot.addWidget(view)
    view.resize(1366, 700)
    view.show()
    with qtbot.waitSignal(view.refreshed, timeout=10_000):
        view.refresh()
    funnel = view.funnel_chart
    names = [text for _, text in funnel.getAxis("left")._tickLevels[0]]
    assert names == ["started", "converted", "expired", "running"]
    assert funnel.getAxis("bottom") is funnel.value_axis
    low, high = funnel.getViewBox().viewRange()[0]
    ticks = funnel.value_axis.tickValues(low, high, funnel.width())
    shown = [value for _, values in ticks for value in values]
    assert shown
    assert all(float(value).is_integer() for value in shown)
    tiers = [text for _, text in view.tier_chart.getAxis("left")._tickLevels[0]]
    assert "Employee" in tiers


def test_dashboard_reports_a_reversed_range(qtbot, ctx, runner, admin_api):
    view = DashboardView(admin_api, runner, now=ctx.clock.now)
    qtbot.addWidget(view)
    view.from_edit.setDate(view.to_edit.date().addDays(1))
    view.refresh()
    assert "before it starts" in view.status.text()


def test_export_dialog_writes_the_file_with_progress(qtbot, runner, admin_api, sales, tmp_path):
    from datetime import date

    dialog = ExportDialog(admin_api, runner, DateRange(date(2026, 11, 1), date(2026, 11, 30)))
    qtbot.addWidget(dialog)
    qtbot.waitUntil(dialog.start_button.isEnabled)  # the kinds are the backend's list
    assert dialog.kind.currentText() == "payments"
    out = tmp_path / "payments.csv"
    dialog.path.setText(str(out))
    with qtbot.waitSignal(dialog.finished_export, timeout=10_000) as blocker:
        dialog.start_button.click()
    assert blocker.args[0].rows == 2
    assert dialog.bar.value() == 100
    with open(out, newline="", encoding="utf-8") as fh:
        assert [r["id"] for r in csv.DictReader(fh)] == ["p2", "p1"]


def test_invoice_prints_through_qprinter(qtbot, ctx, rows, settings, tmp_path):
    settings.shop.gstin = "29AABCA1234F1Z5"
    settings.shop.state = "Karnataka"
    cid = rows.customer("Print Me")
    rows.payment("p9", cid, paid_at="2026-11-26T09:00:00Z")
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setResolution(150)
    target = tmp_path / "printed.pdf"
    printer.setOutputFileName(str(target))
    assert print_pdf(invoices.invoice_pdf(ctx, "p9"), printer) == 1
    printed = PdfReader(io.BytesIO(target.read_bytes()))
    assert len(printed.pages) == 1
    assert printed.pages[0].images  # the rendered page went to the printer


def test_reminders_view_lists_and_closes(qtbot, ctx, runner, rows, qtmodeltester):
    from app.admin.reminders_view import RemindersView
    from backend.services.reports import reminders

    staff_7 = CheckoutApi(ctx, Caller.for_staff({"id": 7, "role": "staff"}))
    first = rows.customer("Call Me", email="call@example.com")
    second = rows.customer("Upgrade Me", email="up@example.com")
    rows.trial(first, "2026-10-28T10:00:00Z", "2026-11-27T09:00:00Z")
    rows.trial(second, "2026-10-30T10:00:00Z", "2026-11-29T09:00:00Z")
    reminders.send_due(ctx, actor="cron")
    view = RemindersView(staff_7, runner)
    qtbot.addWidget(view)
    with qtbot.waitSignal(view.loaded) as blocker:
        view.refresh()
    assert blocker.args == [2]
    qtmodeltester.check(view.model)
    assert [r[0] for r in view.model.rows()] == ["Call Me", "Upgrade Me"]
    assert view.model.rows()[0][3:] == ("1 day left", 1, "no email")
    view.table.selectRow(1)
    with qtbot.waitSignal(view.upgrade_requested) as asked:
        view.upgrade_button.click()
    assert asked.args == [second]
    view.table.selectRow(0)
    with qtbot.waitSignal(view.loaded) as blocker:
        view.called_button.click()
    assert blocker.args == [1]
    done = ctx.store.one("SELECT done_action, done_by FROM trial_reminders WHERE customer_id=?",
                         (first,))  # fmt: skip
    assert done == {"done_action": "called", "done_by": "staff:7"}
