"""Operations on what happened: a customer's history and invoices, the dashboard, CSV
exports, trial reminders, and the Stripe sync."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from backend.domain.records import Document, History, InvoiceList, SyncState
from backend.interface.bound import Bound
from backend.interface.declare import ADMIN_ONLY, COUNTER, READERS, STAFF_ONLY, operation
from backend.interface.types import Currency, CustomerId, Day, Email, PaymentId, ReminderId

if TYPE_CHECKING:  # imported with the operation: the till does not load report code
    from backend.services.reports.dashboard import Dashboard
    from backend.services.reports.exports import ExportResult, Progress

HISTORY = "history and invoices"
ReminderAction = Literal["called", "upgraded", "dismissed"]


class ReportOps(Bound):
    # history and invoices -------------------------------------------------------------
    @operation(
        "GET",
        "/payments/history",
        roles=READERS,
        summary="Payments (any method) and refunds, newest first, and Stripe invoices",
        errors=(404,),
        network=True,
        tag=HISTORY,
    )
    def history(self, customer_id: CustomerId) -> History:
        from backend.services.cards import card_billing

        return card_billing.billing_history(self.ctx, customer_id)  # type: ignore[return-value]

    @operation(
        "GET",
        "/payments/invoices",
        roles=READERS,
        summary="The customer's receipts and GST invoices (paid payments), and Stripe's invoices",
        errors=(404,),
        network=True,
        tag=HISTORY,
    )
    def list_invoices(self, customer_id: CustomerId) -> InvoiceList:
        from backend.domain.payments import INVOICED
        from backend.services.cards import card_billing

        past = card_billing.billing_history(self.ctx, customer_id)
        paid = [
            {
                "payment_id": p["id"],
                "number": p["receipt_no"],
                "paid_at": p["paid_at"],
                "amount": p["amount"],
                "currency": p["currency"],
                "method": p["method"],
                "tier": p["tier"],
                "interval": p["interval"],
                "download": f"/payments/invoices/{p['id']}/download",
            }
            for p in past["payments"]
            if p["status"] in INVOICED and p["paid_at"]
        ]
        stripe_side = card_billing.invoices(self.ctx, customer_id)
        return {
            "customer_id": customer_id,
            "invoices": paid,
            "stripe_invoices": stripe_side["invoices"],
            "offline": stripe_side["offline"],
        }

    @operation(
        "GET",
        "/payments/invoices/{payment_id}/download",
        roles=READERS,
        summary="The invoice or receipt of a paid payment, as PDF",
        errors=(404, 409, 503),
        media_type="application/pdf",
        tag=HISTORY,
    )
    def invoice_pdf(self, payment_id: PaymentId) -> Document:
        from backend.services.billing import invoices

        name = invoices.pdf_filename(invoices.invoice_for_payment(self.ctx, payment_id))
        return Document(name, "application/pdf", invoices.invoice_pdf(self.ctx, payment_id))

    @operation(
        "GET",
        "/payments/invoices/{payment_id}",
        roles=READERS,
        summary="What the invoice or receipt of a paid payment says (number, lines, totals)",
        errors=(404, 409, 503),
        tag=HISTORY,
    )
    def invoice(self, payment_id: PaymentId) -> dict[str, Any]:
        from backend.services.billing import invoices

        return invoices.invoice_for_payment(self.ctx, payment_id)

    @operation(
        "POST",
        "/payments/invoices/{payment_id}/email",
        roles=STAFF_ONLY,
        summary="Email the invoice PDF (to the customer unless `to` is given)",
        errors=(404, 409, 502, 503),
        network=True,
        tag=HISTORY,
    )
    def email_invoice(self, payment_id: PaymentId, to: Email | None = None) -> dict[str, Any]:
        from backend.services.billing import invoices

        return invoices.email_invoice(self.ctx, payment_id, to, actor=self.actor)

    # reports (read off the writer's path, on a read-only connection) -----------------
    @operation(
        None,
        None,
        roles=ADMIN_ONLY,
        summary="The admin dashboard's figures for a range of UTC days, in one currency",
        network=True,  # a read connection of its own: never queues behind a sale
    )
    def dashboard(self, date_from: Day, date_to: Day, currency: Currency) -> Dashboard:
        from backend.domain.periods import parse_range
        from backend.services.reports import dashboard

        return dashboard.load(self.ctx, parse_range(date_from, date_to), currency)

    @operation(
        None,
        None,
        roles=ADMIN_ONLY,
        summary="What can be exported as CSV (the kinds export_csv takes), in menu order",
    )
    def export_kinds(self) -> list[str]:
        from backend.services.reports import exports

        return list(exports.KINDS)

    @operation(
        None,
        None,
        roles=ADMIN_ONLY,
        summary="Export payments, subscriptions, customers or usage of a range as CSV",
        network=True,
    )
    def export_csv(
        self,
        kind: str,
        date_from: Day,
        date_to: Day,
        out: str | Path,
        progress: Progress | None = None,
    ) -> ExportResult:
        from backend.domain.periods import parse_range
        from backend.services.reports import exports

        return exports.export_csv(
            self.ctx, kind, parse_range(date_from, date_to), Path(out), progress
        )

    @operation(
        "GET",
        "/reminders",
        roles=STAFF_ONLY,
        summary="Open in-app reminders: trials ending and renewals due, to call or upgrade",
        wrap="reminders",
        tag="reminders",
    )
    def reminders(self) -> list[dict[str, Any]]:
        from backend.services.reports import reminders

        return reminders.in_app_reminders(self.ctx)

    @operation(
        "POST",
        "/reminders/{reminder_id}/done",
        roles=STAFF_ONLY,
        summary="Close a reminder after acting on it (called, upgraded or dismissed)",
        errors=(404, 409),
        tag="reminders",
    )
    def close_reminder(self, reminder_id: ReminderId, action: ReminderAction) -> dict[str, Any]:
        from backend.services.reports import reminders

        return reminders.mark_done(self.ctx, reminder_id, action=action, actor=self.actor)

    @operation(
        "POST",
        "/reminders/send",
        roles=ADMIN_ONLY,
        summary="Create the reminders that are due and email those that can be (once each)",
        network=True,
        tag="reminders",
    )
    def send_reminders(self) -> dict[str, Any]:
        from backend.services.reports import reminders

        return reminders.send_due(self.ctx, actor=self.actor)

    # the Stripe sync ------------------------------------------------------------------
    @operation(
        "GET",
        "/payments/sync-state",
        roles=COUNTER,
        summary="Online or not, operations waiting for Stripe, failures",
        tag="sync",
    )
    def sync_state(self) -> SyncState:
        from backend.sync import outbox

        return outbox.sync_state(self.ctx)  # type: ignore[return-value]

    @operation(
        "POST",
        "/payments/sync",
        roles=COUNTER,
        summary="Run one Stripe sync pass now (push, drain the outbox, pull events)",
        description="A kiosk or an idle till syncs too: what it queued (a card checkout, a "
        "customer) reaches Stripe without anyone signing in.",
        network=True,
        tag="sync",
    )
    def sync_once(self) -> dict[str, Any]:
        from backend.services.cards import stripe_sync

        return stripe_sync.sync_once(self.ctx, actor=self.actor)

    @operation(
        "POST",
        "/payments/sync/drain",
        roles=ADMIN_ONLY,
        summary="Send the queued Stripe requests only (no catalog push, no events)",
        network=True,
        tag="sync",
    )
    def drain_outbox(self) -> dict[str, Any]:
        from backend.services.cards import stripe_sync

        return stripe_sync.drain(self.ctx)

    @operation(
        "GET",
        "/payments/stripe-status",
        roles=ADMIN_ONLY,
        summary="Is Stripe configured and reachable; the queue, failed requests, last event",
        network=True,
        tag="sync",
    )
    def stripe_status(self) -> dict[str, Any]:
        from backend.services.cards import stripe_sync

        return stripe_sync.status(self.ctx)
