"""``autoos-checkout serve`` as a process: loopback by default, answers, stops cleanly."""

from __future__ import annotations

import json
import signal
import subprocess
import sys

import httpx

from tests.conftest import ROOT, child_env
from tests.integration.api.conftest import free_port


def test_serve_listens_on_loopback_and_stops_gracefully_on_sigterm(db_path, cli):
    token = cli("token", "create", "--role", "kiosk", "--json").json["token"]
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "app.main", "serve", "--port", str(port), "--json"],
        cwd=ROOT,
        env=child_env(AUTOOS_CHECKOUT_DB=str(db_path)),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    seen = []
    try:
        for line in proc.stderr:  # blocks until uvicorn reports it is listening
            seen.append(line)
            if "Uvicorn running on" in line:
                break
        assert proc.poll() is None, "".join(seen)
        health = httpx.get(f"http://127.0.0.1:{port}/health", timeout=5)
        assert health.json()["status"] == "ok"
        priced = httpx.get(
            f"http://127.0.0.1:{port}/payments/pricing",
            headers={"Authorization": f"Bearer {token}"},
        )
        assert priced.status_code == 200
        spec = httpx.get(f"http://127.0.0.1:{port}/openapi.json").json()
        assert spec["info"]["title"] == "AUTOOS Checkout API"
    finally:
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=30)
    err = "".join(seen) + err
    assert proc.returncode == 0, err
    assert json.loads(out) == {"stopped": True, "host": "127.0.0.1", "port": port, "workers": 1}
    assert f"http://127.0.0.1:{port}" in err  # bound to loopback, the default
    assert "GET /payments/pricing 200" in err
    assert token not in err
