"""``autoos-checkout usage import FILE``: usage events from a JSON-lines file, one event
per line, sent through the batch operation (``report_usage_batch``) up to 1,000 at a
time — each batch one transaction, so a file cut short by a crash is safely imported
again (every event is idempotent by its id).

A line that is not JSON is answered by its line number and the rest go on; an event the
batch refuses is reported the same way. Blank lines are skipped. A file that cannot be
read is one line on stderr and exit 2 (nothing imported).
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from backend.errors import ValidationError
from backend.interface import CheckoutApi

BATCH = 1000


def register(usub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = usub.add_parser(
        "import",
        parents=[common],
        help="record usage events from a JSON-lines file (one event per line)",
    )
    p.add_argument("file", type=Path, metavar="FILE")
    p.set_defaults(handler=cmd_usage_import)


def _lines(path: Path) -> Iterator[tuple[int, bytes]]:
    """Numbered non-blank lines; a file that cannot be opened or read is a
    ValidationError (exit 2)."""
    try:
        with path.open("rb") as handle:
            for number, line in enumerate(handle, start=1):
                if line.strip():
                    yield number, line
    except OSError as exc:
        raise ValidationError(
            f"Cannot read the usage file {path}: {exc.strerror or exc}."
        ) from None


def _event(line: bytes) -> Any:
    """The line's JSON value, or the ValidationError saying why it is not one."""
    try:
        return json.loads(line.decode("utf-8"))
    except UnicodeDecodeError:
        return ValidationError("not UTF-8 text")
    except json.JSONDecodeError as exc:
        return ValidationError(f"not JSON ({exc.msg} at column {exc.colno})")
    except RecursionError:
        return ValidationError("not JSON (nested too deeply)")


def _batches(path: Path) -> Iterator[list[tuple[int, Any]]]:
    """Lines as ``(line number, event or why it is not one)``, up to :data:`BATCH`."""
    chunk: list[tuple[int, Any]] = []
    for number, line in _lines(path):
        chunk.append((number, _event(line)))
        if len(chunk) == BATCH:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def import_file(api: CheckoutApi, path: Path) -> list[dict[str, Any]]:
    """Every non-blank line's answer, ``{"line": n, …}``, in file order."""
    answers: list[dict[str, Any]] = []
    for chunk in _batches(path):
        events = [event for _, event in chunk if not isinstance(event, ValidationError)]
        results = iter(api.report_usage_batch(events) if events else [])
        for number, event in chunk:
            if isinstance(event, ValidationError):
                error = {"code": event.code, "message": event.message}
                answers.append({"line": number, "event_id": None, "error": error})
            else:
                answers.append({"line": number, **next(results)})
    return answers


def summary(path: Path, answers: list[dict[str, Any]]) -> dict[str, Any]:
    refused = [a for a in answers if "error" in a]
    allowed = sum(1 for a in answers if a.get("allowed") is True)
    return {
        "file": str(path),
        "events_read": len(answers),
        "recorded": len(answers) - len(refused),
        "allowed": allowed,
        "denied": len(answers) - len(refused) - allowed,
        "refused": len(refused),
        "refused_lines": [f"line {a['line']}: {a['error']['message']}" for a in refused],
    }


def cmd_usage_import(args: argparse.Namespace, api: CheckoutApi) -> dict[str, Any]:
    from backend.interface import AUTOOS, Caller

    # usage is AUTOOS's to report: the owner imports it as AUTOOS would, named cli
    as_autoos = type(api)(api.ctx, Caller(AUTOOS, api.actor))
    answers = import_file(as_autoos, args.file)
    result = summary(args.file, answers)
    if getattr(args, "json", False):
        result["answers"] = answers
    return result
