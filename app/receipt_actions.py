"""What the cashier can do with a receipt: save it as PDF, print it, email it.

Each action says honestly why it is unavailable (mail not set up, the customer has no
email, this build has no receipt PDF) instead of failing after a click.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QFileDialog, QWidget

from app.messages import say
from app.tasks import TaskRunner
from backend.facade import CheckoutService


def _has_module(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except ModuleNotFoundError:
        return False


class ReceiptActions:
    def __init__(self, service: CheckoutService, runner: TaskRunner, parent: QWidget) -> None:
        self.service = service
        self.runner = runner
        self.parent = parent
        self.settings: dict[str, Any] = {}

    def configure(self, settings: dict[str, Any]) -> None:
        self.settings = settings

    def reasons(self, customer: dict[str, Any]) -> dict[str, str | None]:
        """``None`` for each action that can be used; otherwise why not."""
        pdf_ok = _has_module("backend.services.invoices")
        no_pdf = "Receipt PDFs are not part of this build (the invoices module is missing)."
        reasons: dict[str, str | None] = {"pdf": None if pdf_ok else no_pdf}
        if not pdf_ok:
            reasons["print"] = no_pdf
        elif not _has_module("app.printing"):
            reasons["print"] = "Printing is not part of this build."
        else:
            reasons["print"] = None
        if not pdf_ok:
            reasons["email"] = no_pdf
        elif not self.settings.get("mail", {}).get("host"):
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
        from app.printing import print_pdf

        self.runner.run_db(
            lambda: self.service.invoice_pdf(payment_id),
            lambda pdf: print_pdf(pdf, self.parent),
            lambda exc: self._tell(say(exc), False),
        )

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
