"""``autoos-checkout [staff|kiosk|display] --self-test`` starts, paints its window and
exits 0 (what an installer or a monitor runs), as a separate process."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.conftest import ROOT, child_env


@pytest.mark.parametrize("mode", ["staff", "kiosk", "display"])
def test_mode_starts_and_paints(tmp_path, mode):
    settings = tmp_path / "settings.toml"
    settings.write_text('[upi]\nvpa = "autoos.shop@okaxis"\npayee_name = "AUTOOS Shop"\n')
    proc = subprocess.run(
        [sys.executable, "-m", "app.main", mode, "--db", str(tmp_path / "c.db"), "--self-test"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=child_env(AUTOOS_CHECKOUT_CONFIG=str(settings)),
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    assert (report["self_test"], report["mode"]) == ("passed", mode)
    assert report["VmRSS"] > 0
    assert (tmp_path / "c.db").exists()  # the store was opened (and migrated) for the mode


def test_a_self_test_that_cannot_start_says_why_and_fails(tmp_path):
    """No window and no dialog to click away: the reason on stderr, a non-zero exit."""
    config = tmp_path / "settings.toml"
    config.write_text("[shop\n")  # not TOML
    proc = subprocess.run(
        [sys.executable, "-m", "app.main", "kiosk", "--db", str(tmp_path / "c.db"), "--self-test"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=child_env(AUTOOS_CHECKOUT_CONFIG=str(config)),
        timeout=60,
    )
    assert proc.returncode == 2
    assert "error:" in proc.stderr
    assert proc.stdout == ""


def test_pair_names_the_till_a_display_follows():
    from app.gui_main import local_pairing, parse_gui_args
    from app.main import _split

    args = parse_gui_args(["display", "--pair", "Counter 1"])
    assert (args.mode, args.pair) == ("display", "Counter 1")
    assert parse_gui_args(["display"]).pair is None
    with pytest.raises(SystemExit):
        parse_gui_args(["kiosk", "--pair", "Counter 1"])  # only a display follows a till
    assert _split(["--pair", "Counter 1", "display"])[0] == "display"
    assert local_pairing("Counter 2") == "Counter 2"


def test_a_remote_display_pairs_from_its_own_machine(monkeypatch):
    from app.gui_main import local_pairing

    monkeypatch.setenv("AUTOOS_CHECKOUT_PAIR", "Counter 3")
    assert local_pairing(None) == "Counter 3"
