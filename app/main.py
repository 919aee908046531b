"""``autoos-checkout`` entry point: GUI modes here, everything else to the admin CLI.

``autoos-checkout`` (no sub-command) opens the staff window; ``kiosk`` and ``display``
open the self-service kiosk and the stand-alone customer display; ``--self-test`` with
any of them starts, paints the first window and exits 0 (:mod:`app.runtime.self_test`);
any other sub-command is the admin CLI in :mod:`backend.cli.main`.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

GUI_MODES = ("staff", "kiosk", "display")


def _split(argv: list[str]) -> tuple[str | None, list[str]]:
    """Find the sub-command (first word that is not an option or an option's value)."""
    takes_value = {"--db", "--config", "--server", "--token", "--pair"}
    i = 0
    while i < len(argv):
        word = argv[i]
        if word in takes_value:
            i += 2
            continue
        if word.startswith("-"):
            i += 1
            continue
        return word, argv
    return None, argv


def _opens_gui(command: str | None, args: list[str]) -> bool:
    """``staff`` alone opens the staff window; ``staff add`` / ``staff list`` are CLI,
    and so is ``staff --help`` (the staff commands' help, not the window launcher's)."""
    if command is None:
        return True
    if command not in GUI_MODES:
        return False
    rest = args[args.index(command) + 1 :]
    if command == "staff" and any(a in ("-h", "--help") for a in rest):
        return False
    action, _ = _split(rest)
    return action is None


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    command, _ = _split(args)
    if _opens_gui(command, args):
        if any(a in ("-h", "--help") for a in args) and command is None:
            from backend.cli.main import main as cli_main

            return cli_main(args)
        from app.gui_main import run_gui

        return run_gui(args)
    from backend.cli.main import main as cli_main

    return cli_main(args)


if __name__ == "__main__":
    raise SystemExit(main())
