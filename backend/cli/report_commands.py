"""Sub-commands for reports: dashboard figures, CSV exports, invoices, trial reminders."""

from __future__ import annotations

import argparse
from typing import Any

from backend.cli.output_files import check_writable, write_output
from backend.interface import CheckoutApi


def _range_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--from", dest="start", required=True, metavar="DATE", help="YYYY-MM-DD")
    p.add_argument("--to", dest="end", required=True, metavar="DATE", help="YYYY-MM-DD")


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("export", parents=[common], help="export rows of a date range as CSV")
    p.add_argument("kind", help="payments, subscriptions, customers or usage")
    _range_args(p)
    p.add_argument("--out", required=True, metavar="FILE", help="CSV file to write")
    p.set_defaults(handler=cmd_export)

    p = sub.add_parser("dashboard", parents=[common], help="the admin dashboard's figures")
    _range_args(p)
    p.add_argument("--currency", default="INR")
    p.set_defaults(handler=cmd_dashboard)

    p = sub.add_parser("invoice", parents=[common], help="write or email a payment's invoice")
    p.add_argument("payment_id")
    p.add_argument("--out", metavar="FILE", help="write the PDF here")
    p.add_argument(
        "--email", nargs="?", const="", metavar="TO", help="email it (default: the customer)"
    )
    p.set_defaults(handler=cmd_invoice)

    p = sub.add_parser(
        "reminders", parents=[common], help="send the trial reminders that are due (for cron)"
    )
    p.add_argument("--list", action="store_true", help="only list open in-app reminders")
    p.set_defaults(handler=cmd_reminders)


def cmd_export(args: argparse.Namespace, api: CheckoutApi) -> dict[str, Any]:
    return api.export_csv(args.kind, args.start, args.end, args.out).to_json()


def cmd_dashboard(args: argparse.Namespace, api: CheckoutApi) -> dict[str, Any]:
    return api.dashboard(args.start, args.end, args.currency).to_json()


def cmd_invoice(args: argparse.Namespace, api: CheckoutApi) -> dict[str, Any]:
    doc = api.invoice(args.payment_id)
    result: dict[str, Any] = {"number": doc["number"], "total": doc["total"]}
    if args.out:
        check_writable(args.out)
        write_output(args.out, api.invoice_pdf(args.payment_id).content)
        result["path"] = args.out
    if args.email is not None:
        sent = api.email_invoice(args.payment_id, args.email or None)
        result["emailed_to"] = sent["to"]
    return result


def cmd_reminders(args: argparse.Namespace, api: CheckoutApi) -> dict[str, Any]:
    if args.list:
        return {"reminders": api.reminders()}
    return api.send_reminders()
