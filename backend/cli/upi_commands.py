"""Sub-commands for UPI QR payments: request, status, confirm, cancel, statements."""

from __future__ import annotations

import argparse
from typing import Any

from backend.cli.output_files import check_writable, write_output
from backend.interface import CheckoutApi

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
        "--preset",
        default="generic",
        help="insist on a bank's layout: hdfc, icici, sbi (default: the columns are "
        "recognised by the header row; docs/upi-reconciliation.md lists the names)",
    )
    p.add_argument(
        "--columns",
        metavar='"date=…,narration=…,credit=…,reference=…"',
        help="the column names of a layout that is not recognised (reference is optional)",
    )
    p.set_defaults(handler=cmd_reconcile)


def cmd_request(args: argparse.Namespace, api: CheckoutApi) -> dict[str, Any]:
    for path in (args.png, args.svg):
        if path:
            check_writable(path)  # before the request exists: an error leaves nothing
    payment = api.create_request(
        customer_id=args.customer,
        tier=args.tier,
        interval=args.interval,
        checkout_id=args.checkout,
        purpose="upgrade" if args.upgrade else None,
    )
    if args.png:
        write_output(args.png, api.qr_png(payment["id"], QR_FILE_PX).content)
    if args.svg:
        write_output(args.svg, api.qr_svg(payment["id"]).content.decode())
    return {key: payment[key] for key in REQUEST_KEYS}  # type: ignore[literal-required]


def cmd_status(args: argparse.Namespace, api: CheckoutApi) -> dict[str, Any]:
    return dict(api.poll_psp(args.id) if args.poll else api.get_payment(args.id))


def cmd_confirm(args: argparse.Namespace, api: CheckoutApi) -> dict[str, Any]:
    return dict(api.confirm_with_utr(args.id, args.utr))


def cmd_accept_late(args: argparse.Namespace, api: CheckoutApi) -> dict[str, Any]:
    return dict(api.accept_late(args.id))


def cmd_cancel(args: argparse.Namespace, api: CheckoutApi) -> dict[str, Any]:
    return dict(api.cancel_request(args.id))


def cmd_reconcile(args: argparse.Namespace, api: CheckoutApi) -> dict[str, Any]:
    return api.import_statement_file(args.file, preset=args.preset, columns=args.columns)
