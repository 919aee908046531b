"""Sub-commands for UPI QR payments: request, status, confirm, cancel, statements."""

from __future__ import annotations

import argparse
from typing import Any

from backend.adapters.upi import qr
from backend.cli.output_files import check_writable, write_output
from backend.context import Context
from backend.services.upi import statements, upi_requests

ACTOR = "cli"
QR_FILE_PX = 1080
REQUEST_KEYS = ("id", "uri", "amount", "currency", "tr", "status", "expires_at")


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    upi = sub.add_parser("upi", parents=[common], help="UPI QR payments")
    usub = upi.add_subparsers(dest="action", metavar="ACTION", required=True)

    p = usub.add_parser("request", parents=[common], help="create a UPI QR payment request")
    p.add_argument("--customer", type=int, required=True, help="customer id")
    p.add_argument("--tier", required=True)
    p.add_argument("--interval", required=True, choices=("month", "year"))
    p.add_argument("--checkout", help="checkout id (a new request replaces its pending one)")
    p.add_argument("--upgrade", action="store_true", help="pay a prorated upgrade")
    p.add_argument("--png", metavar="FILE", help=f"write the QR as a {QR_FILE_PX}px PNG")
    p.add_argument("--svg", metavar="FILE", help="write the QR as SVG")
    p.set_defaults(handler=cmd_request)

    p = usub.add_parser("status", parents=[common], help="show a payment (expiry applied)")
    p.add_argument("id")
    p.add_argument("--poll", action="store_true", help="ask the PSP first")
    p.set_defaults(handler=cmd_status)

    p = usub.add_parser("confirm", parents=[common], help="confirm with the payer's UTR")
    p.add_argument("id")
    p.add_argument("--utr", required=True, help="12-digit UPI reference")
    p.set_defaults(handler=cmd_confirm)

    p = usub.add_parser("accept-late", parents=[common], help="accept a late payment")
    p.add_argument("id")
    p.set_defaults(handler=cmd_accept_late)

    p = usub.add_parser("cancel", parents=[common], help="cancel a pending request")
    p.add_argument("id")
    p.set_defaults(handler=cmd_cancel)

    p = usub.add_parser("reconcile", parents=[common], help="import a bank statement CSV")
    p.add_argument("file")
    p.add_argument(
        "--preset", default="generic", help=f"column layout: {', '.join(statements.PRESETS)}"
    )
    p.set_defaults(handler=cmd_reconcile)


def cmd_request(args: argparse.Namespace, ctx: Context) -> dict[str, Any]:
    for path in (args.png, args.svg):
        if path:
            check_writable(path)  # before the request exists: an error leaves nothing
    payment = upi_requests.create_request(
        ctx,
        customer_id=args.customer,
        tier=args.tier,
        interval=args.interval,
        actor=ACTOR,
        checkout_id=args.checkout,
        purpose="upgrade" if args.upgrade else None,
    )
    if args.png:
        write_output(args.png, qr.render_png(payment["uri"], QR_FILE_PX))
    if args.svg:
        write_output(args.svg, qr.render_svg(payment["uri"]))
    return {key: payment[key] for key in REQUEST_KEYS}


def cmd_status(args: argparse.Namespace, ctx: Context) -> dict[str, Any]:
    if args.poll:
        return upi_requests.poll_psp(ctx, args.id)
    return upi_requests.get_payment(ctx, args.id)


def cmd_confirm(args: argparse.Namespace, ctx: Context) -> dict[str, Any]:
    return upi_requests.confirm_with_utr(ctx, args.id, args.utr, actor=ACTOR)


def cmd_accept_late(args: argparse.Namespace, ctx: Context) -> dict[str, Any]:
    return upi_requests.accept_late(ctx, args.id, actor=ACTOR)


def cmd_cancel(args: argparse.Namespace, ctx: Context) -> dict[str, Any]:
    return upi_requests.cancel_request(ctx, args.id, actor=ACTOR)


def cmd_reconcile(args: argparse.Namespace, ctx: Context) -> dict[str, Any]:
    return statements.import_statement(ctx, args.file, preset=args.preset, actor=ACTOR)
