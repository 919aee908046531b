"""``autoos-checkout kiosk|display --server URL --token T --self-test`` as separate
processes: they connect to a running store server, paint their window and exit 0."""

from __future__ import annotations

import json
import logging
import subprocess
import sys

import pytest

from backend.api.server import BackgroundServer
from backend.services.shop import api_tokens
from tests.conftest import ROOT, child_env


@pytest.mark.parametrize("mode", ["kiosk", "display"])
def test_remote_mode_starts_against_the_server(ctx, caplog, mode):
    caplog.set_level(logging.INFO, logger="autoos_checkout.api.access")
    token = api_tokens.create_token(ctx, role="kiosk", name=f"{mode}-1", actor="t")["token"]
    with BackgroundServer(ctx) as server:
        proc = subprocess.run(
            [sys.executable, "-m", "app.main", mode, "--server", server.url, "--self-test"],
            capture_output=True,
            text=True,
            cwd=ROOT,
            env=child_env(AUTOOS_CHECKOUT_TOKEN=token),
            timeout=60,
        )
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    assert (report["self_test"], report["mode"]) == ("passed", mode)
    assert report["VmRSS"] > 0
    served = [r.getMessage() for r in caplog.records]
    assert any("GET /payments/settings 200" in line and f"{mode}-1" in line for line in served)


def test_a_missing_token_is_refused_before_any_window():
    proc = subprocess.run(
        [sys.executable, "-m", "app.main", "kiosk", "--server", "http://127.0.0.1:9"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=child_env(),
        timeout=60,
    )
    assert proc.returncode == 2
    assert "--token" in proc.stderr
