"""The staff screens at 1366×768 (first admin, login, a whole sale, customers,
payments, the admin pages, a bank statement imported and its held credit to review) and
page 1 of a GST invoice."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QApplication, QWidget

from tests.screenshots.shooting import OUT, run_qt, save, settle, wait_for

SIZE = (1366, 768)
#: the till's name in the pictures (its title and the signed-in header)
TERMINAL = "Counter 1"


class Shooter:
    def __init__(self, outdir: Path) -> None:
        self.outdir = outdir
        self.saved: list[Path] = []

    def __call__(self, widget: QWidget, name: str) -> None:
        settle()
        path = save(widget, self.outdir / f"{name}.png")
        self.saved.append(path)
        print(path)


def render_all(outdir: Path = OUT, size: tuple[int, int] = SIZE) -> list[Path]:
    """Render every staff screen at ``size``; returns the files written."""
    os.environ.setdefault("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")
    from app.runtime.tasks import TaskRunner
    from app.till.printing import save_page_png
    from app.till.staff_window import StaffWindow
    from app.widgets.style import apply_style
    from backend.bootstrap import build_context
    from backend.clock import ManualClock
    from backend.config import Settings
    from backend.interface import Caller, CheckoutApi
    from backend.services.billing import invoices
    from tests.screenshots.demo_data import ADMIN, CASHIER, build_demo

    outdir.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    apply_style(app)
    shoot = Shooter(outdir)
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings()
        settings.shop.name = "AUTOOS"
        settings.shop.address = "12 MG Road, Bengaluru 560001"
        settings.shop.gstin = "29ABCDE1234F1ZW"
        settings.shop.state = "Karnataka"
        settings.upi.vpa = "autoos.shop@okaxis"
        settings.upi.payee_name = "AUTOOS Shop"
        settings.upi.mcc = "5734"
        # shown on the Settings page (the pictures never save)
        settings.path = Path("/home/shop/.config/autoos-checkout/settings.toml")
        clock = ManualClock()

        # a brand-new till: the first admin is created here
        empty = build_context(db=Path(tmp) / "empty.db", settings=settings, env={}, clock=clock)
        runner = TaskRunner()
        window = StaffWindow(
            CheckoutApi(empty, Caller.counter("till")),
            runner,
            now=clock.now,
            display_factory=None,
        )
        window.resize(*size)
        window.show()
        wait_for(lambda: window.sync.card is not None, "the sync state")
        wait_for(lambda: window.login.currentIndex() == 1, "the first-admin form")
        shoot(window, "00-first-admin")
        window.close()
        window.deleteLater()
        runner.shutdown()
        empty.store.close()

        ctx = build_context(db=Path(tmp) / "demo.db", settings=settings, env={}, clock=clock)
        made = build_demo(ctx, clock)
        runner = TaskRunner()
        window = StaffWindow(
            CheckoutApi(ctx, Caller.counter(TERMINAL)),
            runner,
            now=clock.now,
            display_factory=None,
        )
        window.resize(*size)
        window.show()
        wait_for(lambda: window.sync.card is not None, "the sync state")
        login = window.login
        wait_for(lambda: login.name_box.findData(CASHIER[0]) >= 0, "the staff names")
        login.name_box.setCurrentIndex(login.name_box.findData(CASHIER[0]))
        login.pin_edit.setText("13")
        shoot(window, "01-login")
        login.pin_edit.setText(CASHIER[1])
        login.sign_in.click()
        wait_for(lambda: window.area is not None, "signing in")
        area = window.area
        checkout = area.checkout
        wait_for(lambda: len(checkout.tier_step.cards) == 5, "the plans")
        shoot(window, "02-checkout-plans")

        employee = next(c for c in checkout.tier_step.cards if c.tier["id"] == "employee")
        employee.button.click()
        picker = checkout.customer_step
        picker.search.query.setText("Ra")
        picker.search.search()
        wait_for(lambda: picker.search.results.count() == 1, "the search result")
        picker.form.fields["name"].setText("Sanjay Patel")
        picker.form.fields["email"].setText("sanjay.patel@example")
        picker.form.save()
        wait_for(lambda: picker.form.error.isVisible(), "the form's refusal")
        shoot(window, "03-checkout-customer")

        picker.use.click()
        wait_for(lambda: checkout.stack.currentIndex() == 2, "the payment methods")
        shoot(window, "04-checkout-method")

        checkout.method_step.buttons["upi"].click()
        wait_for(lambda: checkout.stack.currentIndex() == 3, "the waiting screen")
        clock.advance(minutes=3, seconds=12)
        checkout.waiting_step.tick(clock.now())
        shoot(window, "05-checkout-waiting")

        checkout.submit_utr("633077778888")
        wait_for(lambda: checkout.stack.currentIndex() == 4, "the receipt")
        shoot(window, "06-checkout-receipt")
        invoice = save_page_png(
            invoices.invoice_pdf(ctx, checkout.sale["payment"]), outdir / "invoice-page1.png"
        )
        shoot.saved.append(invoice)
        print(invoice)
        checkout.reset()

        area.tabs.setCurrentWidget(area.customers)
        customers_view = area.customers
        results = customers_view.search.results
        wait_for(lambda: results.count() == len(made["customers"]), "the customer list")

        def pick(name: str) -> None:
            row = next(i for i in range(results.count()) if results.item(i).text().startswith(name))
            results.setCurrentRow(row)
            wait_for(lambda: customers_view.name.text() == name, f"{name}'s details")

        pick("Kavya Rao")
        shoot(window, "07-customers-trial")
        pick("Arjun Mehta")
        shoot(window, "08-customers-subscription")
        _edit_customer(customers_view, shoot)

        area.tabs.setCurrentWidget(area.payments)
        wait_for(lambda: area.payments.model.rowCount() >= 6, "the payments")
        area.payments.table.selectRow(0)  # a paid one: its receipt can be reprinted
        shoot(window, "09-payments")

        area.sign_out.click()
        wait_for(lambda: login.name_box.findData(ADMIN[0]) >= 0, "the login again")
        login.name_box.setCurrentIndex(login.name_box.findData(ADMIN[0]))
        login.pin_edit.setText(ADMIN[1])
        login.sign_in.click()
        wait_for(lambda: window.area is not None, "the admin signing in")
        admin_area = window.area
        for name, page in admin_area.admin_pages.items():
            admin_area.tabs.setCurrentWidget(page)
            settle()
            if name == "dashboard":
                wait_for(lambda p=page: getattr(p, "board", True) is not None, "the dashboard")
            shoot(window, f"1{list(admin_area.admin_pages).index(name)}-admin-{name}")
        _import_statement(window, admin_area.payments, made, Path(tmp), shoot)
        window.close()
        window.deleteLater()
        run_qt(50)
        runner.shutdown()
        ctx.store.close()
    return shoot.saved


def _edit_customer(view: Any, shoot) -> None:
    """The edit dialog with a phone typed wrong, every refused field marked at once."""
    from app.till.customer_edit import CustomerEditDialog

    dialog = CustomerEditDialog(view.api, view.runner, view.details["customer"], view)
    dialog.form.fields["phone"].setText("98123 4abc0")
    dialog.form.fields["email"].setText("arjun.mehta@")
    dialog.show()
    dialog.save()  # refused by the store: each wrong field marked with its reason
    wait_for(lambda: len(dialog.form.errors.shown()) == 2, "the refused fields")
    settle()
    shoot(dialog, "08b-customer-edit")
    dialog.reject()


def _import_statement(window: QWidget, page: Any, made: dict[str, Any], tmp: Path, shoot) -> None:
    """Payments → Import bank statement…: one credit naming its request's ``tr`` (it
    confirms Neha's request), one with only a UTR and the amount (held for review), one
    that names nothing."""
    from PySide6.QtCore import QTimer

    from app.till import payments_view
    from app.till.statement_import import StatementImportDialog

    neha = made["payments"]["Neha Gupta"]
    statement = tmp / "hdfc-nov-2026.csv"
    statement.write_text(
        "\n".join(
            (
                "Date,Narration,Chq./Ref.No.,Value Dt,Withdrawal Amt.,Deposit Amt.,Closing Balance",
                f"24/11/26,UPI-NEHA GUPTA-{neha['tr']}-PAY,633044443333,24/11/26,,"
                '"7,999.00","1,07,999.00"',
                "25/11/26,UPI/633066667777/rverma88@okhdfcbank/Payment,633066667777,"
                '25/11/26,,"2,399.00","1,10,398.00"',
                '25/11/26,NEFT-ACME SUPPLIES LTD,N33201,25/11/26,,"12,500.00","1,22,898.00"',
            )
        )
        + "\n",
        encoding="utf-8",
    )
    window.area.tabs.setCurrentWidget(page)
    chooser = payments_view.choose_statement_file
    payments_view.choose_statement_file = lambda _parent: str(statement)

    def fill_in() -> None:
        dialog = next(
            w for w in QApplication.topLevelWidgets() if isinstance(w, StatementImportDialog)
        )
        settle()
        shoot(dialog, "13-import-statement")
        dialog.ok.click()

    try:
        QTimer.singleShot(50, fill_in)
        page.import_button.click()
    finally:
        payments_view.choose_statement_file = chooser
    wait_for(lambda: page.reviews.model.rowCount() == 1, "the held credit")
    wait_for(lambda: "held for review" in page.message.text(), "the import's summary")
    shoot(window, "14-payments-review")
