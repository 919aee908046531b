"""``autoos-checkout serve`` as a child process, the way a store server runs it."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.conftest import ROOT, child_env
from tests.integration.api.conftest import free_port


class Serve:
    """A running ``serve`` (``--workers N``); its log goes to a file the test reads."""

    def __init__(self, db: str | Path, log: Path, *, workers: int = 1, port: int = 0) -> None:
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log
        self._log_file = open(log, "w", encoding="utf-8")  # noqa: SIM115 (closed in stop)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "app.main", "serve", "--port", str(self.port),
             "--workers", str(workers), "--json"],
            cwd=ROOT,
            env=child_env(AUTOOS_CHECKOUT_DB=str(db)),
            stdout=subprocess.PIPE,
            stderr=self._log_file,
            text=True,
        )  # fmt: skip
        self.workers = workers
        try:
            self.wait_until_serving()
        except BaseException:
            self.proc.kill()  # its workers follow it (they stop when their supervisor dies)
            self.proc.communicate(timeout=60)
            self._log_file.close()
            raise

    def wait_until_serving(self, timeout: float = 60) -> None:
        """Until every worker has said it listens and the port answers."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, self.log.read_text()
            listening = self.log.read_text().count("Application startup complete")
            if listening >= self.workers:
                try:
                    if httpx.get(f"{self.url}/health", timeout=5).status_code == 200:
                        return
                except httpx.TransportError:
                    pass
            time.sleep(0.05)
        raise AssertionError(f"serve did not start:\n{self.log.read_text()}")

    def worker_pids(self) -> list[int]:
        """The worker processes under the supervisor (not multiprocessing's helpers)."""
        children = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children").read_text()
        pids = []
        for pid in map(int, children.split()):
            try:
                command = Path(f"/proc/{pid}/cmdline").read_bytes()
            except (FileNotFoundError, ProcessLookupError):  # gone, or going (ESRCH)
                continue
            if b"spawn_main" in command:
                pids.append(pid)
        return pids

    def stop(self) -> tuple[int, str, str]:
        """SIGTERM, as systemd stops it: the exit code, its stdout and its log."""
        self.proc.send_signal(signal.SIGTERM)
        out, _ = self.proc.communicate(timeout=60)
        self._log_file.close()
        return self.proc.returncode, out, self.log.read_text()
