"""What the cashier can do with a receipt: save it as PDF, print it, email it.

The PDF is the backend's (``invoice_pdf``: the same bytes the email attaches); printing
goes through ``app.printing.print_pdf``. An action that cannot work says why (mail not
set up, the customer has no email) instead of failing after a click.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QDialog, QFileDialog, QWidget

from app.messages import say
from app.printing import print_pdf
from app.tasks import TaskRunner
from backend.facade import CheckoutService


class ReceiptActions:
    def __init__(self, service: CheckoutService, runner: TaskRunner, parent: QWidget) -> None:
        self.service = service
        self.runner = runner
        self.parent = parent
        self.settings: dict[str, Any] = {}

    def configure(self, settings: dict[str, Any]) -> None:
        self.settings = settings

    def reasons(self, customer: dict[str, Any], currency: str) -> dict[str, str | None]:
        """``None`` for each action that can be used; otherwise why not."""
        shop = self.settings.get("shop", {})
        if currency == "INR" and not (shop.get("gstin") and shop.get("state")):
            missing = (
                "A GST invoice needs the shop's GSTIN and state: an admin must set them "
                "in the settings. The sale itself is recorded."
            )
            return {"pdf": missing, "print": missing, "email": missing}
        reasons: dict[str, str | None] = {"pdf": None, "print": None}
        if not self.settings.get("mail", {}).get("host"):
            reasons["email"] = "Email is not set up: an admin must enter the mail server."
        elif not customer.get("email"):
            reasons["email"] = "This customer has no email address."
        else:
            reasons["email"] = None
        return reasons

    def save_pdf(self, payment_id: str) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self.parent,
            "Save receipt",
            str(Path.home() / f"receipt-{payment_id}.pdf"),
            "PDF (*.pdf)",
        )
        if not path:
            return
        self.runner.run_db(
            lambda: Path(path).write_bytes(self.service.invoice_pdf(payment_id)),
            on_failure=lambda exc: self._tell(say(exc), False),
            on_success=lambda _n: self._tell(f"Saved {path}", True),
        )

    def print_receipt(self, payment_id: str) -> None:
        """Draw the PDF in the background, then ask which printer."""
        self.runner.run_db(
            lambda: self.service.invoice_pdf(payment_id),
            self._choose_printer,
            lambda exc: self._tell(say(exc), False),
        )

    def _choose_printer(self, pdf: bytes) -> None:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        dialog = QPrintDialog(printer, self.parent)
        dialog.setWindowTitle("Print receipt")
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        try:
            pages = print_pdf(pdf, printer)
        except Exception as exc:
            self._tell(say(exc), False)
            return
        self._tell(f"Sent {pages} page(s) to the printer.", True)

    def email(self, payment_id: str, tell: Callable[[str, bool], None]) -> None:
        self.runner.run_net(
            lambda: self.service.email_invoice(payment_id),
            lambda result: tell(f"Receipt emailed to {result.get('to', 'the customer')}.", True),
            lambda exc: tell(say(exc), False),
        )

    def _tell(self, message: str, ok: bool) -> None:
        teller = getattr(self.parent, "success_step", None)
        if teller is not None:
            teller.say(message, ok)
