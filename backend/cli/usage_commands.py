"""Sub-commands for trials, usage events and credits (``trial``, ``usage``, ``credits``)."""

from __future__ import annotations

import argparse
import uuid
from typing import Any

from backend.context import Context
from backend.errors import NotFound
from backend.services.shop.customers import get_customer
from backend.services.trials import credits, trials, usage

ACTOR = "cli"


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


def cmd_trial_start(args: argparse.Namespace, ctx: Context) -> dict[str, Any]:
    return trials.start_trial(ctx, args.customer, actor=ACTOR)


def cmd_trial_status(args: argparse.Namespace, ctx: Context) -> dict[str, Any]:
    get_customer(ctx, args.customer)
    status = trials.trial_status(ctx, args.customer)
    if status is None:
        raise NotFound(f"Customer {args.customer} has not had a free trial.")
    return status


def cmd_trial_expire(args: argparse.Namespace, ctx: Context) -> dict[str, Any]:
    return {"expired": trials.expire_due_trials(ctx, actor=ACTOR)}


def cmd_usage_record(args: argparse.Namespace, ctx: Context) -> dict[str, Any]:
    return usage.record_usage(
        ctx, customer_id=args.customer, kind=args.kind, event_id=args.event_id, actor=ACTOR
    )


def cmd_usage_summary(args: argparse.Namespace, ctx: Context) -> dict[str, Any]:
    return usage.usage_summary(ctx, args.customer)


def cmd_credits(args: argparse.Namespace, ctx: Context) -> dict[str, Any]:
    if args.show_customer is None:
        from backend.cli.main import CliUsageError

        raise CliUsageError("autoos-checkout credits: give --customer ID (or: credits adjust)")
    get_customer(ctx, args.show_customer)
    have = credits.balances(ctx, args.show_customer)
    return {
        "customer": args.show_customer,
        "balance": have["total"],
        "granted": have["granted"],
        "purchased": have["purchased"],
        "entries": credits.entries(ctx, args.show_customer),
    }


def cmd_credits_adjust(args: argparse.Namespace, ctx: Context) -> dict[str, Any]:
    result = credits.adjust(
        ctx,
        args.customer,
        credits.parse_credit_amount(args.amount),
        args.reason,
        idempotency_key=args.key or f"cli-adjust:{uuid.uuid4()}",
        actor=ACTOR,
    )
    return {
        "customer": args.customer,
        "entry": result["entry"],
        "balance": result["balance"]["total"],
        "granted": result["balance"]["granted"],
        "purchased": result["balance"]["purchased"],
    }
