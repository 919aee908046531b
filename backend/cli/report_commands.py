"""Sub-commands for reports: dashboard figures, CSV exports, invoices, trial reminders."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from backend.cli.output_files import write_output
from backend.context import Context
from backend.domain.periods import parse_range
from backend.services.billing import invoices
from backend.services.reports import dashboard, exports, reminders

ACTOR = "cli"


def _range_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--from", dest="start", required=True, metavar="DATE", help="YYYY-MM-DD")
    p.add_argument("--to", dest="end", required=True, metavar="DATE", help="YYYY-MM-DD")


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("export", parents=[common], help="export rows of a date range as CSV")
    p.add_argument("kind", choices=exports.KINDS)
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


def cmd_export(args: argparse.Namespace, ctx: Context) -> dict[str, Any]:
    period = parse_range(args.start, args.end)
    return exports.export_csv(ctx, args.kind, period, Path(args.out)).to_json()


def cmd_dashboard(args: argparse.Namespace, ctx: Context) -> dict[str, Any]:
    return dashboard.load(ctx, parse_range(args.start, args.end), args.currency).to_json()


def cmd_invoice(args: argparse.Namespace, ctx: Context) -> dict[str, Any]:
    doc = invoices.invoice_for_payment(ctx, args.payment_id)
    result: dict[str, Any] = {"number": doc["number"], "total": doc["total"]}
    if args.out:
        write_output(args.out, invoices.invoice_pdf(ctx, args.payment_id))
        result["path"] = args.out
    if args.email is not None:
        sent = invoices.email_invoice(ctx, args.payment_id, args.email or None, actor=ACTOR)
        result["emailed_to"] = sent["to"]
    return result


def cmd_reminders(args: argparse.Namespace, ctx: Context) -> dict[str, Any]:
    if args.list:
        return {"reminders": reminders.in_app_reminders(ctx)}
    return reminders.send_due(ctx, actor=ACTOR)
