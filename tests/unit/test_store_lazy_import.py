"""Opening a SQLite store, new or up to date, imports neither the PostgreSQL driver nor
numpy (start-up time), and the first open applies every migration."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import ROOT, child_env

OPEN = """
import sys
from backend.store import open_store
store = open_store(sys.argv[1])
applied = store.query("SELECT name FROM _sqlite_migrations ORDER BY id")
print(",".join(row["name"] for row in applied))
print("psycopg" in sys.modules, "numpy" in sys.modules, "sqlite_utils" in sys.modules)
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


def test_a_sqlite_store_opens_without_the_heavy_imports(tmp_path):
    from backend.store.migrations import MIGRATIONS, _load

    _load()
    path = tmp_path / "c.db"
    names, imported, _ = _open(path)
    assert names.split(",") == [name for name, _fn in MIGRATIONS.entries]
    assert imported == "False False False"
    names_again, imported_again, _ = _open(path)
    assert names_again == names
    assert imported_again == "False False False"
