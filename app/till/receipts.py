"""What the cashier can do with a receipt: save it as PDF, print it, email it.

The PDF is the backend's (``invoice_pdf``: a document with its file name, the same bytes
the email attaches); printing goes through :func:`app.till.printing.print_pdf`. An
action that cannot work says why (mail not set up, the customer has no email) instead of
failing after a click. Answers belong to the page the actions are on (``parent``).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QDialog, QFileDialog, QWidget

from app.runtime.tasks import TaskRunner
from app.text.messages import say
from app.till.printing import print_pdf
from backend.domain.records import Document
from backend.interface import CheckoutApi


class ReceiptActions:
    def __init__(self, api: CheckoutApi, runner: TaskRunner, parent: QWidget) -> None:
        self.api = api
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
        """Draw the PDF in the background, then ask where to save it (under its name)."""
        self.runner.call(
            self.api.invoice_pdf,
            payment_id,
            on_success=self._choose_file,
            on_failure=lambda exc: self._tell(say(exc), False),
            owner=self.parent,
        )

    def _choose_file(self, document: Document) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self.parent, "Save receipt", str(Path.home() / document.name), "PDF (*.pdf)"
        )
        if not path:
            return
        self.runner.run_db(  # a file write: off the GUI thread like any other
            lambda: Path(path).write_bytes(document.content),
            on_success=lambda _n: self._tell(f"Saved {path}", True),
            on_failure=lambda exc: self._tell(say(exc), False),
            owner=self.parent,
        )

    def print_receipt(self, payment_id: str) -> None:
        """Draw the PDF in the background, then ask which printer."""
        self.runner.call(
            self.api.invoice_pdf,
            payment_id,
            on_success=lambda document: self._choose_printer(document.content),
            on_failure=lambda exc: self._tell(say(exc), False),
            owner=self.parent,
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
        self.runner.call(
            self.api.email_invoice,
            payment_id,
            on_success=lambda result: tell(
                f"Receipt emailed to {result.get('to', 'the customer')}.", True
            ),
            on_failure=lambda exc: tell(say(exc), False),
            owner=self.parent,
        )

    def _tell(self, message: str, ok: bool) -> None:
        teller = getattr(self.parent, "success_step", None)
        if teller is not None:
            teller.say(message, ok)
