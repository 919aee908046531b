"""Sub-commands for the store itself: init, tiers, customers, staff, audit."""

from __future__ import annotations

import argparse
from typing import Any

from backend.interface import CheckoutApi


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("init", parents=[common], help="create or migrate the database")
    p.add_argument("--admin-name", help="create a first admin account with this name")
    p.add_argument("--admin-pin", help="the first admin's PIN (4-8 digits)")
    p.set_defaults(handler=cmd_init)

    p = sub.add_parser("tiers", parents=[common], help="list the plans and prices")
    p.add_argument("--tier", metavar="ID", help="show only this plan")
    p.set_defaults(handler=cmd_tiers)

    cust = sub.add_parser("customer", parents=[common], help="add, correct or find customers")
    csub = cust.add_subparsers(dest="action", metavar="ACTION", required=True)
    p = csub.add_parser("add", parents=[common], help="add a customer")
    p.add_argument("--name", required=True)
    p.add_argument("--email")
    p.add_argument("--phone")
    p.add_argument("--state", help="Indian state (for GST), e.g. Karnataka")
    p.set_defaults(handler=cmd_customer_add)
    p = csub.add_parser("edit", parents=[common], help="correct a customer's details")
    p.add_argument("id", type=int, metavar="ID", help="customer number")
    p.add_argument("--name")
    p.add_argument("--email", help='new email ("" clears it)')
    p.add_argument("--phone", help='new phone ("" clears it)')
    p.add_argument("--state", help="Indian state (for GST)")
    p.set_defaults(handler=cmd_customer_edit)
    p = csub.add_parser("find", parents=[common], help="find by email, phone or name prefix")
    p.add_argument("query")
    p.set_defaults(handler=cmd_customer_find)

    st = sub.add_parser("staff", parents=[common], help="manage staff accounts")
    ssub = st.add_subparsers(dest="action", metavar="ACTION", required=True)
    p = ssub.add_parser("add", parents=[common], help="add a staff member or admin")
    p.add_argument("--name", required=True)
    p.add_argument("--role", required=True, help="staff or admin")
    p.add_argument("--pin", required=True)
    p.set_defaults(handler=cmd_staff_add)
    p = ssub.add_parser("list", parents=[common], help="list staff accounts and their state")
    p.set_defaults(handler=cmd_staff_list)
    for action, handler, words in (
        ("deactivate", cmd_staff_deactivate, "stop a person signing in"),
        ("activate", cmd_staff_activate, "let a deactivated person sign in again"),
        ("unlock", cmd_staff_unlock, "unlock a person locked out by wrong PINs"),
    ):
        p = ssub.add_parser(action, parents=[common], help=words)
        p.add_argument("id", type=int, metavar="ID", help="staff number (see: staff list)")
        p.set_defaults(handler=handler)
    p = ssub.add_parser("reset-pin", parents=[common], help="give a person a new PIN")
    p.add_argument("id", type=int, metavar="ID", help="staff number (see: staff list)")
    p.add_argument("--pin", required=True, help="4 to 8 digits")
    p.set_defaults(handler=cmd_staff_reset_pin)

    p = sub.add_parser("audit", parents=[common], help="show the latest audit entries")
    p.add_argument("--limit", type=int, default=50)
    p.set_defaults(handler=cmd_audit)


def cmd_init(args: argparse.Namespace, api: CheckoutApi) -> dict[str, Any]:
    result: dict[str, Any] = {"db": api.settings_view()["database"], "admin": None}
    if bool(args.admin_name) != bool(args.admin_pin):
        from backend.errors import ValidationError

        raise ValidationError("Give both --admin-name and --admin-pin, or neither.")
    if args.admin_name:
        result["admin"] = api.add_staff(name=args.admin_name, role="admin", pin=args.admin_pin)
    result["staff_count"] = len(api.list_staff())
    return result


def cmd_tiers(args: argparse.Namespace, api: CheckoutApi) -> dict[str, Any]:
    tiers = api.pricing()["tiers"]
    if args.tier:
        tiers = [t for t in tiers if t["id"] == args.tier]
        if not tiers:
            from backend.errors import NotFound

            raise NotFound(f"There is no plan called {args.tier!r} on sale.")
    return {"tiers": tiers}


def cmd_customer_add(args: argparse.Namespace, api: CheckoutApi) -> dict[str, Any]:
    return dict(
        api.add_customer(name=args.name, email=args.email, phone=args.phone, state=args.state)
    )


def cmd_customer_edit(args: argparse.Namespace, api: CheckoutApi) -> dict[str, Any]:
    changes = {k: getattr(args, k) for k in ("name", "email", "phone", "state")}
    if all(v is None for v in changes.values()):
        from backend.cli.main import CliUsageError

        raise CliUsageError(
            "autoos-checkout customer edit: give --name, --email, --phone or --state"
        )
    return dict(api.update_customer(args.id, **changes))


def cmd_customer_find(args: argparse.Namespace, api: CheckoutApi) -> dict[str, Any]:
    return {"customers": api.find_customers(args.query, 100)}


def cmd_staff_add(args: argparse.Namespace, api: CheckoutApi) -> dict[str, Any]:
    return dict(api.add_staff(name=args.name, role=args.role, pin=args.pin))


def cmd_staff_list(args: argparse.Namespace, api: CheckoutApi) -> dict[str, Any]:
    return {"staff": api.list_staff(include_inactive=True)}


def cmd_staff_deactivate(args: argparse.Namespace, api: CheckoutApi) -> dict[str, Any]:
    return dict(api.deactivate_staff(args.id))


def cmd_staff_activate(args: argparse.Namespace, api: CheckoutApi) -> dict[str, Any]:
    return dict(api.activate_staff(args.id))


def cmd_staff_unlock(args: argparse.Namespace, api: CheckoutApi) -> dict[str, Any]:
    return dict(api.unlock_staff(args.id))


def cmd_staff_reset_pin(args: argparse.Namespace, api: CheckoutApi) -> dict[str, Any]:
    return dict(api.reset_pin(args.id, args.pin))


def cmd_audit(args: argparse.Namespace, api: CheckoutApi) -> dict[str, Any]:
    return {"entries": api.audit_log(args.limit)}
