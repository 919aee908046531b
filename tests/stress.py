"""Run the GUI tests N times beside two CPU-burning processes (``make test-stress``).

CI runs on a busy two-core machine, where a race that never shows on a quiet laptop
shows once in ten runs. This makes the machine busy on purpose and counts the runs that
were not clean: a failed or errored test, an exception caught in Qt's event loop, or a
fatal error (a crash prints "Fatal Python error" through faulthandler). Each failing
run's output is kept in ``.stress/`` for reading.

    python -m tests.stress [N] [pytest args...]    (default: 10 runs of tests/gui)
"""

from __future__ import annotations

import multiprocessing
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BAD_SIGNS = ("Exceptions caught in Qt event loop", "Fatal Python error", "Segmentation fault")


def burn() -> None:
    """Keep one core busy until killed."""
    x = 0
    while True:
        x = (x * 31 + 7) % 1_000_003


def one_run(number: int, args: list[str], out_dir: Path) -> tuple[bool, str]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    command = [sys.executable, "-X", "faulthandler", "-m", "pytest", "-q", "-p", "no:cacheprovider"]
    proc = subprocess.run(
        [*command, *args], capture_output=True, text=True, env=env, cwd=ROOT, check=False
    )
    output = proc.stdout + proc.stderr
    signs = [s for s in BAD_SIGNS if s in output]
    ok = proc.returncode == 0 and not signs
    last = output.strip().splitlines()[-1] if output.strip() else "(no output)"
    if not ok:
        (out_dir / f"run-{number:03d}.log").write_text(output)
        last = f"{last}  [{', '.join(signs) or f'exit {proc.returncode}'}]"
    return ok, last


def main(argv: list[str]) -> int:
    runs = int(argv[0]) if argv and argv[0].isdigit() else 10
    args = argv[1:] if argv and argv[0].isdigit() else argv
    args = args or ["tests/gui"]
    out_dir = ROOT / ".stress"
    out_dir.mkdir(exist_ok=True)
    hogs = [multiprocessing.Process(target=burn, daemon=True) for _ in range(2)]
    for hog in hogs:
        hog.start()
    passed = failed = 0
    started = time.monotonic()
    try:
        for number in range(1, runs + 1):
            ok, last = one_run(number, args, out_dir)
            passed += ok
            failed += not ok
            print(f"run {number}/{runs}: {'ok  ' if ok else 'FAIL'} {last}", flush=True)
    finally:
        for hog in hogs:
            hog.kill()
    minutes = (time.monotonic() - started) / 60
    print(f"{passed} passed, {failed} failed ({minutes:.1f} min; logs of failures in .stress/)")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
