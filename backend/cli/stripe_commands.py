"""Sub-commands for Stripe: status, sync, card checkout, subscriptions, refunds."""

from __future__ import annotations

import argparse
from typing import Any

from backend.domain.money import parse_amount
from backend.interface import CheckoutApi


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    st = sub.add_parser("stripe", parents=[common], help="Stripe sync state and sync")
    ssub = st.add_subparsers(dest="action", metavar="ACTION", required=True)
    p = ssub.add_parser("status", parents=[common], help="configured? reachable? queue")
    p.set_defaults(handler=cmd_status)
    p = ssub.add_parser("sync", parents=[common], help="push catalog, drain the queue, pull events")
    p.set_defaults(handler=cmd_sync)
    p = ssub.add_parser("drain", parents=[common], help="send the queued Stripe requests only")
    p.set_defaults(handler=cmd_drain)
    # the spelling: `autoos-checkout sync` is the same as `stripe sync`
    p = sub.add_parser("sync", parents=[common], help="push catalog, drain the queue, pull events")
    p.set_defaults(handler=cmd_sync)

    card = sub.add_parser("card", parents=[common], help="card payments through Stripe")
    csub = card.add_subparsers(dest="action", metavar="ACTION", required=True)
    p = csub.add_parser("checkout", parents=[common], help="start a Checkout Session (QR)")
    p.add_argument("--customer", type=int, required=True)
    p.add_argument("--tier", required=True)
    p.add_argument("--interval", choices=("month", "year"), required=True)
    p.add_argument("--currency", choices=("INR", "USD"), default=None)
    p.set_defaults(handler=cmd_checkout)

    subs = sub.add_parser("subscription", parents=[common], help="card subscriptions")
    bsub = subs.add_subparsers(dest="action", metavar="ACTION", required=True)
    p = bsub.add_parser("show", parents=[common])
    p.add_argument("id", type=int)
    p.set_defaults(handler=cmd_sub_show)
    for name, handler in (("upgrade", cmd_sub_upgrade), ("downgrade", cmd_sub_downgrade)):
        p = bsub.add_parser(name, parents=[common])
        p.add_argument("id", type=int)
        p.add_argument("--tier", required=True)
        p.add_argument("--interval", choices=("month", "year"))
        p.set_defaults(handler=handler)
    p = bsub.add_parser("cancel", parents=[common])
    p.add_argument("id", type=int)
    p.add_argument("--at-period-end", action="store_true")
    p.set_defaults(handler=cmd_sub_cancel)

    p = sub.add_parser("refund", parents=[common], help="refund a card payment")
    p.add_argument("payment_id")
    p.add_argument("--amount", help="part to refund, e.g. 199.50 (default: all)")
    p.add_argument("--reason")
    p.set_defaults(handler=cmd_refund)


def cmd_status(args: argparse.Namespace, api: CheckoutApi) -> dict[str, Any]:
    return api.stripe_status()


def cmd_sync(args: argparse.Namespace, api: CheckoutApi) -> dict[str, Any]:
    return api.sync_once()


def cmd_drain(args: argparse.Namespace, api: CheckoutApi) -> dict[str, Any]:
    return api.drain_outbox()


def cmd_checkout(args: argparse.Namespace, api: CheckoutApi) -> dict[str, Any]:
    currency = args.currency or api.settings_view()["shop"]["default_currency"]
    result = api.start_checkout(args.customer, args.tier, args.interval, currency)
    return {key: result[key] for key in ("id", "url", "status", "expires_at")}


def cmd_sub_show(args: argparse.Namespace, api: CheckoutApi) -> dict[str, Any]:
    return api.card_subscription(args.id)


def cmd_sub_upgrade(args: argparse.Namespace, api: CheckoutApi) -> dict[str, Any]:
    preview = api.card_preview_upgrade(args.id, args.tier, args.interval)
    api.card_upgrade(args.id, args.tier, args.interval, preview["proration_date"])
    api.drain_outbox()
    return {"preview": preview, "subscription": api.card_subscription(args.id)}


def cmd_sub_downgrade(args: argparse.Namespace, api: CheckoutApi) -> dict[str, Any]:
    api.card_downgrade(args.id, args.tier, args.interval)
    api.drain_outbox()
    return api.card_subscription(args.id)


def cmd_sub_cancel(args: argparse.Namespace, api: CheckoutApi) -> dict[str, Any]:
    api.card_cancel(args.id, at_period_end=args.at_period_end)
    api.drain_outbox()
    return api.card_subscription(args.id)


def cmd_refund(args: argparse.Namespace, api: CheckoutApi) -> dict[str, Any]:
    if args.amount is None:
        return api.refund(args.payment_id, reason=args.reason)
    money = parse_amount(args.amount, api.payment_status(args.payment_id)["currency"])
    return api.refund(
        args.payment_id,
        amount=money.amount,
        currency=money.currency,  # type: ignore[arg-type]  # (a payment's own currency)
        reason=args.reason,
    )
