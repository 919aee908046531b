"""Start-up stays light: building the context for an existing database and importing
the staff window pulls in none of the heavy libraries (benchmarks/startup.py measures
the time; this names the culprits if one comes back)."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.conftest import ROOT, child_env

HEAVY = (
    "stripe", "sqlite_utils", "numpy", "smtplib", "reportlab", "pyqtgraph", "fastapi",
    "_hashlib",  # OpenSSL: 3.6 MiB, loaded with the first PIN
    "importlib.resources",
    "concurrent.futures",  # the task runner's pools start with their first operation
)  # fmt: skip

START = f"""
import json, sys
from backend.bootstrap import build_context
ctx = build_context(db=sys.argv[1])
import app.gui_main, app.till.staff_window
print(json.dumps(sorted(m for m in {HEAVY!r} if m in sys.modules)))
"""


def test_context_and_staff_window_import_nothing_heavy(tmp_path):
    db = tmp_path / "c.db"
    env = child_env(AUTOOS_CHECKOUT_CONFIG=str(tmp_path / "none.toml"))
    (tmp_path / "none.toml").write_text("")
    runs = [
        subprocess.run(
            [sys.executable, "-c", START, str(db)],
            capture_output=True,
            text=True,
            cwd=ROOT,
            env=env,
            timeout=60,
        )
        for _ in range(2)  # the first creates and migrates the file
    ]
    for proc in runs:
        assert proc.returncode == 0, proc.stderr
    assert json.loads(runs[1].stdout.strip().splitlines()[-1]) == []
