"""What the cashier can do with a receipt: reprint it, save it as PDF, email it — on the
checkout's last step, from the Payments table and from a customer's history.

The PDF is the backend's (``invoice_pdf``: a document named by its receipt number, the
same bytes every time and the same the email attaches); printing goes through
:func:`app.till.printing.print_pdf`. An action that cannot work says why (the shop's
GSTIN not set yet, mail not set up, the customer has no email, not paid) instead of
failing after a click, and the reasons are asked again whenever the settings change, so
a receipt becomes available the moment the settings allow it. Messages speak in receipt
numbers. Answers belong to the page the actions are on (``parent``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QDialog, QFileDialog, QWidget

from app.runtime.tasks import TaskRunner
from app.text.messages import say
from app.till.printing import print_pdf
from backend.domain.records import Document
from backend.interface import CheckoutApi

ACTIONS = ("print", "pdf", "email")
NO_GSTIN = (
    "A GST invoice needs the shop's GSTIN and state: an admin sets them in Settings "
    "(receipts are available as soon as they are saved). The sale itself is recorded."
)
NOT_PAID = "Only a paid payment has a receipt."
#: (message, ok) to the person at the till
Tell = Callable[[str, bool], None]


def ask_printer(parent: QWidget) -> QPrinter | None:
    """Which printer (the system's print dialog); ``None`` when the cashier cancels."""
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    dialog = QPrintDialog(printer, parent)
    dialog.setWindowTitle("Print receipt")
    return printer if dialog.exec() == QDialog.DialogCode.Accepted else None


def ask_save_path(parent: QWidget, name: str) -> str:
    """Where to save ``name`` (in the home folder unless the cashier chooses); ``""``
    when they cancel."""
    path, _ = QFileDialog.getSaveFileName(
        parent, "Save receipt", str(Path.home() / name), "PDF (*.pdf)"
    )
    return path


def receipt_name(payment: Mapping[str, Any]) -> str:
    """``Receipt 2026-27/0042`` (what the cashier and the customer know it by)."""
    number = payment.get("receipt_no")
    return f"Receipt {number}" if number else "The receipt"


class ReceiptActions:
    def __init__(
        self, api: CheckoutApi, runner: TaskRunner, parent: QWidget, tell: Tell | None = None
    ) -> None:
        self.api = api
        self.runner = runner
        self.parent = parent
        self.tell: Tell = tell or (lambda _message, _ok: None)
        self.settings: dict[str, Any] = {}

    @property
    def configured(self) -> bool:
        return bool(self.settings)

    def configure(self, settings: dict[str, Any]) -> None:
        self.settings = settings

    def refresh(self, then: Callable[[], None] | None = None) -> None:
        """Read the settings again (they decide what a receipt needs), then ``then``."""

        def read(view: dict[str, Any]) -> None:
            self.configure(view)
            if then is not None:
                then()

        self.runner.call(self.api.settings_view, on_success=read, owner=self.parent)

    def reasons(
        self, payment: Mapping[str, Any], email: str | bool | None = True
    ) -> dict[str, str | None]:
        """``None`` for each action that can be used now; otherwise why not. ``email``
        is the customer's address (``True``: not known here, the backend will say)."""
        if not payment.get("receipt_no"):
            return dict.fromkeys(ACTIONS, NOT_PAID)
        shop = self.settings.get("shop", {})
        if (payment.get("currency") or "INR") == "INR" and not (
            shop.get("gstin") and shop.get("state")
        ):
            return dict.fromkeys(ACTIONS, NO_GSTIN)
        reasons: dict[str, str | None] = {"pdf": None, "print": None, "email": None}
        if not self.settings.get("mail", {}).get("host"):
            reasons["email"] = "Email is not set up: an admin must enter the mail server."
        elif not email:
            reasons["email"] = "This customer has no email address."
        return reasons

    # save -----------------------------------------------------------------------------
    def save_pdf(self, payment: Mapping[str, Any]) -> None:
        """Draw the PDF in the background, then ask where to save it (under its name)."""
        self.runner.call(
            self.api.invoice_pdf,
            payment["id"],
            on_success=lambda document: self._choose_file(payment, document),
            on_failure=self._failed,
            owner=self.parent,
        )

    def _choose_file(self, payment: Mapping[str, Any], document: Document) -> None:
        path = ask_save_path(self.parent, document.name)
        if not path:
            return
        what = receipt_name(payment)
        self.runner.run_db(  # a file write: off the GUI thread like any other
            lambda: Path(path).write_bytes(document.content),
            on_success=lambda _n: self.tell(f"{what} saved as {path}", True),
            on_failure=self._failed,
            owner=self.parent,
        )

    # print ----------------------------------------------------------------------------
    def print_receipt(self, payment: Mapping[str, Any]) -> None:
        """Draw the PDF in the background (the stored receipt, byte for byte), then ask
        which printer."""
        self.runner.call(
            self.api.invoice_pdf,
            payment["id"],
            on_success=lambda document: self._print(payment, document),
            on_failure=self._failed,
            owner=self.parent,
        )

    def _print(self, payment: Mapping[str, Any], document: Document) -> None:
        printer = ask_printer(self.parent)
        if printer is None:
            return
        try:
            pages = print_pdf(document.content, printer)
        except Exception as exc:
            self._failed(exc)
            return
        self.tell(f"{receipt_name(payment)} sent to the printer ({pages} page(s)).", True)

    # email ----------------------------------------------------------------------------
    def email(self, payment: Mapping[str, Any]) -> None:
        what = receipt_name(payment)
        self.runner.call(
            self.api.email_invoice,
            payment["id"],
            on_success=lambda result: self.tell(
                f"{what} emailed to {result.get('to', 'the customer')}.", True
            ),
            on_failure=self._failed,
            owner=self.parent,
        )

    def _failed(self, exc: Exception) -> None:
        self.tell(say(exc), False)
