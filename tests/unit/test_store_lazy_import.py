"""Opening an up-to-date store does not import sqlite-utils (start-up time), and a
store with a pending migration still gets it applied."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import ROOT, child_env

OPEN = """
import sys
from backend.store import open_store
store = open_store(sys.argv[1])
applied = store.query("SELECT name FROM _sqlite_migrations ORDER BY rowid")
print(",".join(row["name"] for row in applied))
print("sqlite_utils" in sys.modules, "numpy" in sys.modules)
"""


def _open(path) -> list[str]:
    proc = subprocess.run(
        [sys.executable, "-c", OPEN, str(path)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=child_env(),
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.split("\n")


def test_second_open_skips_sqlite_utils(tmp_path):
    path = tmp_path / "c.db"
    names, imported, _ = _open(path)
    assert names.split(",")[0] == "0001_core"
    assert imported.startswith("True")  # the first open migrated through sqlite-utils
    names_again, imported_again, _ = _open(path)
    assert names_again == names
    assert imported_again == "False False"
