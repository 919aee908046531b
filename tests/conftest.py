"""Shared fixtures: a real store per test (a SQLite file, and for the integration tests
also a PostgreSQL database), a manual clock, the shipped catalog, and a way to run the
CLI as a separate process (as an admin would)."""

from __future__ import annotations

import faulthandler
import functools
import json
import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from backend.clock import ManualClock
from backend.config import ENV_MAP, SECRET_NAMES, Secrets, Settings
from backend.context import Context
from backend.domain.catalog import load_catalog
from backend.store import open_store

ROOT = Path(__file__).resolve().parent.parent
#: what a developer's or CI machine's environment could carry into a test
OUTSIDE_PREFIXES = ("AUTOOS_CHECKOUT_", "STRIPE_", "RAZORPAY_", "UPI_", "SMTP_", "ENABLE_")


@pytest.fixture(autouse=True)
def isolated_environment(monkeypatch, tmp_path_factory) -> None:
    """Each test sees only what it sets: no settings or secrets from the machine's
    environment, a home and config folder of its own, no OS keyring."""
    for name in list(os.environ):
        if name.startswith(OUTSIDE_PREFIXES) or name in ENV_MAP or name in SECRET_NAMES:
            monkeypatch.delenv(name)
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local" / "share"))
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")


@pytest.fixture(autouse=True, scope="session")
def stacks_on_client_timeout() -> Iterator[None]:
    """A test's HTTP request that times out prints every thread's stack first, and the
    API's access log is kept at INFO (pytest shows it with a failure): an answer that
    is slow under load becomes a trace, not a bare ``ReadTimeout``."""
    handle = httpx.HTTPTransport.handle_request

    @functools.wraps(handle)
    def handle_request(self: httpx.HTTPTransport, request: httpx.Request) -> httpx.Response:
        try:
            return handle(self, request)
        except httpx.TimeoutException:
            print(
                f"--- {request.method} {request.url.path} timed out; every thread:", file=sys.stderr
            )
            sys.stderr.flush()
            faulthandler.dump_traceback(all_threads=True)
            raise

    access = logging.getLogger("autoos_checkout.api.access")
    level = access.level
    access.setLevel(logging.INFO)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(httpx.HTTPTransport, "handle_request", handle_request)
        yield
    access.setLevel(level)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock("2026-11-26T10:00:00Z")


#: the tests that run on both engines: everything that reaches the store, bar the GUI
BOTH_ENGINES = ("tests/integration/",)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Integration tests that use a store run once per engine, unless marked
    ``sqlite_only`` (they inspect the SQLite file itself)."""
    if "db_path" not in metafunc.fixturenames or "engine" in metafunc.fixturenames:
        return
    where = Path(str(metafunc.definition.fspath)).relative_to(ROOT).as_posix()
    both = where.startswith(BOTH_ENGINES) and not metafunc.definition.get_closest_marker(
        "sqlite_only"
    )
    metafunc.fixturenames.append("engine")
    metafunc.parametrize("engine", ["sqlite", "postgresql"] if both else ["sqlite"])


@pytest.fixture(scope="session")
def postgres():
    """One throwaway PostgreSQL cluster for the session, with a template database the
    migrations have already run on (each test's database is a copy: fast)."""
    from tests import pg_cluster

    server = pg_cluster.start()
    template = server.new_database()
    open_store(server.url(template)).close()
    server.template = template
    yield server
    server.stop()


@pytest.fixture
def db_path(request: pytest.FixtureRequest, tmp_path: Path) -> Path | str:
    """Where the test's store lives: a SQLite file, or a PostgreSQL URL."""
    if request.getfixturevalue("engine") == "sqlite":
        yield tmp_path / "checkout.db"
        return
    server = request.getfixturevalue("postgres")
    name = server.new_database(template=server.template)
    yield server.url(name)
    server.drop_database(name)


@pytest.fixture
def settings() -> Settings:
    settings = Settings()
    settings.upi.vpa = "autoos.shop@okaxis"
    settings.upi.payee_name = "AUTOOS Shop"
    settings.upi.mcc = "5734"
    return settings


@pytest.fixture
def ctx(db_path: Path, clock: ManualClock, settings: Settings) -> Context:
    store = open_store(db_path)
    context = Context(
        store=store,
        clock=clock,
        catalog=load_catalog(),
        settings=settings,
        secrets=Secrets(env={}, use_keyring=False),
    )
    yield context
    store.close()


def child_env(**extra: str) -> dict[str, str]:
    """Environment for a child process that imports this checkout's code."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("STRIPE_", "RAZORPAY_"))}
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    env["QT_QPA_PLATFORM"] = "offscreen"
    env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.null.Keyring"
    env.update(extra)
    return env


@dataclass
class CliResult:
    code: int
    stdout: str
    stderr: str

    @property
    def json(self) -> dict:
        return json.loads(self.stdout)


@pytest.fixture
def cli(db_path: Path):
    """Run ``autoos-checkout ARGS --json`` in a child process against the test's database."""

    def run(*args: str, env: dict[str, str] | None = None) -> CliResult:
        proc = subprocess.run(
            [sys.executable, "-m", "app.main", *args],
            capture_output=True,
            text=True,
            env=child_env(AUTOOS_CHECKOUT_DB=str(db_path), **(env or {})),
            cwd=ROOT,
            timeout=120,
        )
        return CliResult(proc.returncode, proc.stdout, proc.stderr)

    return run
