"""Sub-commands for trials, usage events and credits (``trial``, ``usage``, ``credits``)."""

from __future__ import annotations

import argparse
from typing import Any

from backend.cli import usage_import
from backend.errors import NotFound
from backend.interface import CheckoutApi


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    tr = sub.add_parser("trial", parents=[common], help="start, show or expire free trials")
    tsub = tr.add_subparsers(dest="action", metavar="ACTION", required=True)
    p = tsub.add_parser("start", parents=[common], help="start a customer's free trial")
    p.add_argument("--customer", type=int, required=True, metavar="ID")
    p.set_defaults(handler=cmd_trial_start)
    p = tsub.add_parser("status", parents=[common], help="show a customer's trial")
    p.add_argument("--customer", type=int, required=True, metavar="ID")
    p.set_defaults(handler=cmd_trial_status)
    p = tsub.add_parser("expire", parents=[common], help="expire every trial past its end")
    p.set_defaults(handler=cmd_trial_expire)

    us = sub.add_parser("usage", parents=[common], help="record usage or show a summary")
    usub = us.add_subparsers(dest="action", metavar="ACTION", required=True)
    p = usub.add_parser("record", parents=[common], help="check and record one usage event")
    p.add_argument("--customer", type=int, required=True, metavar="ID")
    p.add_argument("--kind", required=True, help="workflow, agent_start or agent_stop")
    p.add_argument("--event-id", required=True, metavar="E", help="the caller's unique id")
    p.set_defaults(handler=cmd_usage_record)
    p = usub.add_parser("summary", parents=[common], help="plan, limits and credits now")
    p.add_argument("--customer", type=int, required=True, metavar="ID")
    p.set_defaults(handler=cmd_usage_summary)
    usage_import.register(usub, common)

    cr = sub.add_parser("credits", parents=[common], help="show or adjust a customer's credits")
    cr.add_argument("--customer", type=int, metavar="ID", dest="show_customer")
    cr.set_defaults(handler=cmd_credits)
    csub = cr.add_subparsers(dest="action", metavar="ACTION")
    p = csub.add_parser("adjust", parents=[common], help="admin: add or take back credits")
    p.add_argument("--customer", type=int, required=True, metavar="ID")
    p.add_argument("--amount", required=True, help="whole credits, e.g. 25 or -5")
    p.add_argument("--reason", required=True)
    p.add_argument(
        "--key", metavar="K", help="idempotency key: repeating a command with it changes nothing"
    )
    p.set_defaults(handler=cmd_credits_adjust)


def cmd_trial_start(args: argparse.Namespace, api: CheckoutApi) -> dict[str, Any]:
    return dict(api.start_trial(args.customer))


def cmd_trial_status(args: argparse.Namespace, api: CheckoutApi) -> dict[str, Any]:
    status = api.trial_status(args.customer)
    if status is None:
        raise NotFound(f"Customer {args.customer} has not had a free trial.")
    return dict(status)


def cmd_trial_expire(args: argparse.Namespace, api: CheckoutApi) -> dict[str, Any]:
    return {"expired": api.expire_trials()}


def cmd_usage_record(args: argparse.Namespace, api: CheckoutApi) -> dict[str, Any]:
    from backend.interface import AUTOOS, Caller

    # usage is AUTOOS's to report: the owner records it as AUTOOS would, named cli
    as_autoos = type(api)(api.ctx, Caller(AUTOOS, api.actor))
    answer = as_autoos.report_usage(args.customer, args.kind, args.event_id)
    return {k: v for k, v in answer.items() if k != "event_id"}


def cmd_usage_summary(args: argparse.Namespace, api: CheckoutApi) -> dict[str, Any]:
    return dict(api.usage_summary(args.customer))


def cmd_credits(args: argparse.Namespace, api: CheckoutApi) -> dict[str, Any]:
    if args.show_customer is None:
        from backend.cli.main import CliUsageError

        raise CliUsageError("autoos-checkout credits: give --customer ID (or: credits adjust)")
    return api.credit_balance(args.show_customer)


def cmd_credits_adjust(args: argparse.Namespace, api: CheckoutApi) -> dict[str, Any]:
    return api.adjust_credits(args.customer, args.amount, args.reason, args.key)
