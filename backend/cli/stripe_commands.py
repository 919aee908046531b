"""Sub-commands for Stripe: status, sync, card checkout, subscriptions, refunds."""

from __future__ import annotations

import argparse
from typing import Any

from backend.adapters.stripe_gateway import card_status, gateway
from backend.context import Context
from backend.domain.money import parse_amount
from backend.errors import NotConfigured, TransientError
from backend.services.billing import card_subscriptions
from backend.services.cards import card_checkout, card_refunds, stripe_events
from backend.services.cards.stripe_sync import sync_once
from backend.sync import outbox

ACTOR = "cli"


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


def cmd_status(args: argparse.Namespace, ctx: Context) -> dict[str, Any]:
    status = card_status(ctx)
    reachable: bool | None = None
    if status["configured"]:
        try:
            gateway(ctx).call("events.list", params={"limit": 1})
            reachable = True
        except TransientError:
            reachable = False
        except NotConfigured as err:  # Stripe answered, and refused the key
            reachable = False
            status["reason"] = err.message
    return {
        **status,
        "reachable": reachable,
        "queue": outbox.sync_state(ctx),
        "failed_requests": outbox.failed_rows(ctx, 10),
        "last_event": stripe_events.last_applied(ctx),
    }


def cmd_sync(args: argparse.Namespace, ctx: Context) -> dict[str, Any]:
    return sync_once(ctx, actor=ACTOR)


def cmd_drain(args: argparse.Namespace, ctx: Context) -> dict[str, Any]:
    return outbox.drain(ctx)


def cmd_checkout(args: argparse.Namespace, ctx: Context) -> dict[str, Any]:
    currency = args.currency or ctx.settings.shop.default_currency
    result = card_checkout.start_checkout(
        ctx,
        customer_id=args.customer,
        tier=args.tier,
        interval=args.interval,
        currency=currency,
        actor=ACTOR,
    )
    return {key: result[key] for key in ("id", "url", "status", "expires_at")}


def cmd_sub_show(args: argparse.Namespace, ctx: Context) -> dict[str, Any]:
    return card_subscriptions.show(ctx, args.id)


def cmd_sub_upgrade(args: argparse.Namespace, ctx: Context) -> dict[str, Any]:
    preview = card_subscriptions.preview_upgrade(
        ctx, args.id, tier=args.tier, interval=args.interval
    )
    card_subscriptions.upgrade(
        ctx,
        args.id,
        tier=args.tier,
        interval=args.interval,
        proration_date=preview["proration_date"],
        actor=ACTOR,
    )
    outbox.drain(ctx)
    return {"preview": preview, "subscription": card_subscriptions.show(ctx, args.id)}


def cmd_sub_downgrade(args: argparse.Namespace, ctx: Context) -> dict[str, Any]:
    card_subscriptions.downgrade(ctx, args.id, tier=args.tier, interval=args.interval, actor=ACTOR)
    outbox.drain(ctx)
    return card_subscriptions.show(ctx, args.id)


def cmd_sub_cancel(args: argparse.Namespace, ctx: Context) -> dict[str, Any]:
    card_subscriptions.cancel(ctx, args.id, at_period_end=args.at_period_end, actor=ACTOR)
    outbox.drain(ctx)
    return card_subscriptions.show(ctx, args.id)


def cmd_refund(args: argparse.Namespace, ctx: Context) -> dict[str, Any]:
    amount = None
    if args.amount is not None:
        currency = ctx.store.scalar("SELECT currency FROM payments WHERE id=?", (args.payment_id,))
        amount = parse_amount(args.amount, currency or ctx.settings.shop.default_currency)
    return card_refunds.refund(ctx, args.payment_id, amount=amount, reason=args.reason, actor=ACTOR)
