"""Sub-commands for UPI AutoPay: start a sign-up, follow it, cancel, and the renewals
that failed (list, one-time QR for the overdue period, a new mandate, the emails)."""

from __future__ import annotations

import argparse
from typing import Any

from backend.cli.output_files import check_writable, write_output
from backend.interface import CheckoutApi

QR_FILE_PX = 1080


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    ap = sub.add_parser("autopay", parents=[common], help="UPI AutoPay (plans that renew)")
    asub = ap.add_subparsers(dest="action", metavar="ACTION", required=True)

    p = asub.add_parser("offer", parents=[common], help="the mandate a plan would ask for")
    p.add_argument("--tier", required=True)
    p.add_argument("--interval", required=True, choices=("month", "year"))
    p.add_argument("--currency", choices=("INR", "USD"), default="INR")
    p.set_defaults(handler=cmd_offer)

    p = asub.add_parser("start", parents=[common], help="sell a plan with UPI AutoPay")
    p.add_argument("--customer", type=int, required=True, help="customer id")
    p.add_argument("--tier", required=True)
    p.add_argument("--interval", required=True, choices=("month", "year"))
    p.add_argument("--currency", choices=("INR", "USD"), default="INR")
    p.add_argument("--png", metavar="FILE", help=f"write the page's QR as a {QR_FILE_PX}px PNG")
    p.set_defaults(handler=cmd_start)

    p = asub.add_parser("status", parents=[common], help="a sign-up as it stands now")
    p.add_argument("id", help="the sign-up's payment id")
    p.set_defaults(handler=cmd_status)

    p = asub.add_parser("cancel", parents=[common], help="cancel a plan or withdraw a sign-up")
    p.add_argument("id", help="the plan's number, or a waiting sign-up's payment id")
    p.add_argument("--at-period-end", action="store_true", help="Stripe: at the period end")
    p.set_defaults(handler=cmd_cancel)

    p = asub.add_parser("attention", parents=[common], help="renewals that failed")
    p.set_defaults(handler=cmd_attention)

    p = asub.add_parser("pay-overdue", parents=[common], help="a UPI QR for an overdue period")
    p.add_argument("notice", type=int, help="the overdue renewal's number (from attention)")
    p.add_argument("--png", metavar="FILE", help=f"write the QR as a {QR_FILE_PX}px PNG")
    p.set_defaults(handler=cmd_pay_overdue)

    p = asub.add_parser("new-mandate", parents=[common], help="a new sign-up for a lapsed plan")
    p.add_argument("notice", type=int, help="the overdue renewal's number (from attention)")
    p.set_defaults(handler=cmd_new_mandate)

    p = asub.add_parser("emails", parents=[common], help="email failed renewals' customers now")
    p.set_defaults(handler=cmd_emails)


def _qr_file(path: str | None, text: str | None) -> None:
    if path and text:
        from backend.adapters.upi.qr import render_png

        check_writable(path)
        write_output(path, render_png(text, QR_FILE_PX))


def cmd_offer(args: argparse.Namespace, api: CheckoutApi) -> dict[str, Any]:
    return dict(api.autopay_offer(args.tier, args.interval, args.currency))


def cmd_start(args: argparse.Namespace, api: CheckoutApi) -> dict[str, Any]:
    if args.png:
        check_writable(args.png)
    sale = api.autopay_start(args.customer, args.tier, args.interval, args.currency)
    _qr_file(args.png, sale["url"])
    return dict(sale)


def cmd_status(args: argparse.Namespace, api: CheckoutApi) -> dict[str, Any]:
    return dict(api.autopay_status(args.id))


def cmd_cancel(args: argparse.Namespace, api: CheckoutApi) -> dict[str, Any]:
    return api.autopay_cancel(args.id, at_period_end=args.at_period_end)


def cmd_attention(args: argparse.Namespace, api: CheckoutApi) -> dict[str, Any]:
    return {"items": api.needing_attention()}


def cmd_pay_overdue(args: argparse.Namespace, api: CheckoutApi) -> dict[str, Any]:
    if args.png:
        check_writable(args.png)
    payment = api.autopay_pay_overdue(args.notice)
    _qr_file(args.png, payment.get("uri"))
    return dict(payment)


def cmd_new_mandate(args: argparse.Namespace, api: CheckoutApi) -> dict[str, Any]:
    return dict(api.autopay_new_mandate(args.notice))


def cmd_emails(args: argparse.Namespace, api: CheckoutApi) -> dict[str, Any]:
    return api.send_dunning_emails()
