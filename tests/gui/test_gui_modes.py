"""``autoos-checkout kiosk`` and ``autoos-checkout display`` start, paint their window
and quit cleanly (the first-paint hook ends the run), as separate processes."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.conftest import ROOT, child_env


@pytest.mark.parametrize("mode", ["kiosk", "display"])
def test_mode_starts_and_paints(tmp_path, mode):
    settings = tmp_path / "settings.toml"
    settings.write_text('[upi]\nvpa = "autoos.shop@okaxis"\npayee_name = "AUTOOS Shop"\n')
    proc = subprocess.run(
        [sys.executable, "-m", "app.main", mode, "--db", str(tmp_path / "c.db")],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=child_env(AUTOOS_CHECKOUT_FIRST_PAINT="1", AUTOOS_CHECKOUT_CONFIG=str(settings)),
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    assert report["VmRSS"] > 0
    assert (tmp_path / "c.db").exists()  # the store was opened (and migrated) for the mode
