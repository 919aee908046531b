"""Entry point of the admin CLI: parse, build the context, run, print.

Every sub-command calls the application interface (:class:`~backend.interface.CheckoutApi`)
as the store's owner — an admin, named ``cli`` in the audit log — so a rule or a
permission is the same here as at the till or over the REST API. It returns one
JSON-able dict. With ``--json`` it is printed as one JSON object; otherwise as readable
lines. Any :class:`~backend.errors.CheckoutError` (or a usage mistake) prints one clear
line to stderr and exits 2; because each change is one transaction, the database is then
unchanged.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from typing import Any, NoReturn

from backend.errors import CheckoutError

EXIT_ERROR = 2

#: modules whose ``register(subparsers, common)`` adds sub-commands, in help order
COMMAND_MODULES = (
    "backend.cli.core_commands",
    "backend.cli.usage_commands",
    "backend.cli.upi_commands",
    "backend.cli.autopay_commands",
    "backend.cli.report_commands",
    "backend.cli.stripe_commands",
    "backend.cli.api_commands",
)


class CliUsageError(Exception):
    """Raised instead of argparse's exit so that usage errors are one line too."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise CliUsageError(f"{self.prog}: {message}")


def _common() -> argparse.ArgumentParser:
    """Options every sub-command accepts (before or after the sub-command name)."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--json", action="store_true", default=argparse.SUPPRESS, help="print one JSON object"
    )
    common.add_argument(
        "--db",
        metavar="PATH_OR_URL",
        default=argparse.SUPPRESS,
        help="database file, or a postgresql://user@host/name URL "
        "(default: AUTOOS_CHECKOUT_DB or the data dir)",
    )
    common.add_argument(
        "--config", metavar="PATH", default=argparse.SUPPRESS, help="settings TOML file"
    )
    return common


def build_parser() -> argparse.ArgumentParser:
    import importlib

    common = _common()
    parser = _Parser(
        prog="autoos-checkout",
        parents=[common],
        description="AUTOOS Checkout admin command line. "
        "With no sub-command the staff window opens.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub, common)
    return parser


#: ``handler(args, api)``: the interface as the store's owner (``None`` for commands
#: that need no store)
Handler = Callable[[argparse.Namespace, Any], dict[str, Any]]


def _render(value: Any, indent: int = 0) -> list[str]:
    pad = "  " * indent
    if isinstance(value, dict):
        lines = []
        for key, item in value.items():
            if isinstance(item, dict | list) and item:
                lines.append(f"{pad}{key}:")
                lines.extend(_render(item, indent + 1))
            else:
                lines.append(f"{pad}{key}: {'' if item is None else item}")
        return lines
    if isinstance(value, list):
        lines = []
        for item in value:
            sub = _render(item, indent + 1)
            if sub:
                lines.append(f"{pad}- {sub[0].strip()}")
                lines.extend(sub[1:])
        return lines
    return [f"{pad}{value}"]


def owner_api(ctx: Any) -> Any:
    """The interface as whoever runs the command line on the store's machine."""
    from backend.interface import Caller, CheckoutApi

    return CheckoutApi(ctx, Caller.owner("cli"))


def emit(result: dict[str, Any], as_json: bool) -> None:
    if as_json:
        print(json.dumps(result, ensure_ascii=False, default=str))
    else:
        print("\n".join(_render(result)))


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        parser = build_parser()
        args = parser.parse_args(argv)
        if not getattr(args, "command", None):
            raise CliUsageError("autoos-checkout: choose a sub-command (see --help)")
        handler: Handler = args.handler
        if getattr(args, "needs_context", True):
            from backend.bootstrap import build_context

            ctx = build_context(db=getattr(args, "db", None), config=getattr(args, "config", None))
        else:
            ctx = None
        try:
            result = handler(args, owner_api(ctx) if ctx is not None else None)
        finally:
            if ctx is not None:
                ctx.store.close()
    except CliUsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except CheckoutError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return EXIT_ERROR
    emit(result, getattr(args, "json", False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
