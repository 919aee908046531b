"""Sub-commands for the REST API: ``serve`` and ``token create|list|revoke``."""

from __future__ import annotations

import argparse
import logging
from typing import Any

from backend.api import DEFAULT_HOST, DEFAULT_PORT
from backend.errors import ValidationError
from backend.interface import CheckoutApi
from backend.interface.declare import ALL_ROLES


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("serve", parents=[common], help="run the REST API server")
    p.add_argument("--host", default=DEFAULT_HOST, help=f"address (default {DEFAULT_HOST})")
    p.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"(default {DEFAULT_PORT})")
    p.add_argument(
        "--workers",
        type=int,
        default=1,
        help="API processes on the port (default 1; more for a PostgreSQL store with many "
        "tills or usage traffic)",
    )
    p.set_defaults(handler=cmd_serve)

    tok = sub.add_parser("token", parents=[common], help="API bearer tokens")
    tsub = tok.add_subparsers(dest="action", metavar="ACTION", required=True)
    p = tsub.add_parser("create", parents=[common], help="create a token (shown once)")
    p.add_argument("--role", required=True, choices=sorted(ALL_ROLES))
    p.add_argument("--name", help="a name to recognise it by, e.g. 'kiosk-front-door'")
    p.set_defaults(handler=cmd_token_create)
    p = tsub.add_parser("list", parents=[common], help="list tokens (never their values)")
    p.add_argument("--all", action="store_true", help="include revoked tokens")
    p.set_defaults(handler=cmd_token_list)
    p = tsub.add_parser("revoke", parents=[common], help="revoke a token by number or name")
    p.add_argument("token", metavar="ID_OR_NAME")
    p.set_defaults(handler=cmd_token_revoke)


def cmd_serve(args: argparse.Namespace, api: CheckoutApi) -> dict[str, Any]:
    from backend.api.workers import MAX_WORKERS

    if not 1 <= args.workers <= MAX_WORKERS:
        raise ValidationError(f"--workers is 1 to {MAX_WORKERS}.", field="workers")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    if args.workers == 1:
        from backend.api.server import serve

        serve(api.ctx, args.host, args.port)
    else:
        from backend.api.workers import serve_workers

        api.ctx.store.close()  # each worker opens its own; the schema is up to date now
        serve_workers(
            getattr(args, "db", None), getattr(args, "config", None), args.host, args.port,
            args.workers,
        )  # fmt: skip
    return {"stopped": True, "host": args.host, "port": args.port, "workers": args.workers}


def cmd_token_create(args: argparse.Namespace, api: CheckoutApi) -> dict[str, Any]:
    result = api.create_token(args.role, args.name)
    result["note"] = "Copy the token now: it is stored only as a hash and cannot be shown again."
    return result


def cmd_token_list(args: argparse.Namespace, api: CheckoutApi) -> dict[str, Any]:
    return {"tokens": api.list_tokens(args.all)}


def cmd_token_revoke(args: argparse.Namespace, api: CheckoutApi) -> dict[str, Any]:
    return api.revoke_token(args.token)
