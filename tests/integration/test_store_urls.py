"""A database URL that is wrong in any way gets one clear line and exit 2, with the
password never shown, and nothing is created anywhere."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.conftest import ROOT, child_env


def _staff_list(db: str, cwd) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "app.main", "staff", "list", "--db", db, "--json"],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=child_env(PYTHONPATH=str(ROOT)),
        timeout=120,
    )


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("postgresql://shop:s3cret-pw@127.0.0.1:1/checkout", "Connection refused"),
        ("postgresql://127.0.0.1:1/checkout?password=s3cret-pw", "Connection refused"),
        ("postgresql://shop:s3cret-pw@127.0.0.1:1/checkout?sslmode=bogus", "invalid sslmode"),
        ("postgresql://shop:s3cret-pw@127.0.0.1:99999/checkout", "invalid port"),
        ("postgresql://shop:s3cret-pw@no-such-host.invalid/checkout", "no-such-host.invalid"),
        ("mysql://shop:s3cret-pw@db/checkout", "not supported"),
    ],
)
def test_a_bad_database_url_is_one_clear_line(url, words, tmp_path):
    done = _staff_list(url, tmp_path)
    assert done.returncode == 2, done.stderr
    assert words in done.stderr
    assert "Traceback" not in done.stderr
    assert "s3cret-pw" not in done.stderr + done.stdout
    assert list(tmp_path.iterdir()) == []  # no stray SQLite file named like the URL


def test_a_missing_database_on_a_running_server_is_named(postgres, tmp_path):
    done = _staff_list(postgres.url("no_such_shop"), tmp_path)
    assert done.returncode == 2, done.stderr
    assert 'database "no_such_shop" does not exist' in done.stderr
    assert "Traceback" not in done.stderr
