"""A throwaway PostgreSQL cluster for tests and benchmarks: made in a temporary folder,
reached only through a Unix socket in that folder (no TCP port to collide with another
run), and removed afterwards.

PostgreSQL refuses to run as root, so under root the cluster belongs to the ``postgres``
user that Debian's package creates. ``AUTOOS_TEST_POSTGRES`` (a server URL whose user
may create databases) uses an existing server instead.
"""

from __future__ import annotations

import glob
import itertools
import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path

#: what ``make test`` installs when PostgreSQL is missing
DEBIAN_PACKAGE = "postgresql"


def find_bin(name: str) -> str:
    found = shutil.which(name) or next(
        iter(sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)), None
    )
    if not found:
        raise RuntimeError(
            f"PostgreSQL's {name} was not found: install it with "
            f"`apt-get install -y {DEBIAN_PACKAGE}` (make test does this)."
        )
    return found


class Postgres:
    """A server on which tests make and drop their own databases."""

    def __init__(self) -> None:
        self._numbers = itertools.count(1)

    def url(self, database: str = "postgres") -> str:
        raise NotImplementedError

    def admin(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(sql)

    def new_database(self, template: str | None = None) -> str:
        name = f"autoos_{os.getpid()}_{next(self._numbers)}"
        self.admin(f"CREATE DATABASE {name}" + (f" TEMPLATE {template}" if template else ""))
        return name

    def drop_database(self, name: str) -> None:
        self.admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")

    def stop(self) -> None:
        """Nothing to stop for a server someone else runs."""


class Cluster(Postgres):
    """One running cluster; :meth:`new_database` hands out empty databases."""

    def __init__(self, *, fsync: bool = False) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="autoos-pg-"))
        self.data = self.folder / "data"
        self.port = 5432
        super().__init__()
        self._as: list[str] = []
        if os.geteuid() == 0:
            owner = pwd.getpwnam("postgres")
            os.chown(self.folder, owner.pw_uid, owner.pw_gid)
            self._as = ["runuser", "-u", "postgres", "--"]
        self._run(
            find_bin("initdb"),
            "-D",
            str(self.data),
            "-A",
            "trust",
            "-U",
            "postgres",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
        )
        options = f"-p {self.port} -k {self.folder} -c listen_addresses='' -c max_connections=300"
        if not fsync:  # a test's data need not survive a power cut; commits stay atomic
            options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        self._run(
            find_bin("pg_ctl"),
            "-D",
            str(self.data),
            "-o",
            options,
            "-w",
            "-l",
            str(self.folder / "log"),
            "start",
        )

    def _run(self, *command: str) -> None:
        proc = subprocess.run([*self._as, *command], capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            raise RuntimeError(f"{Path(command[0]).name} failed: {proc.stderr or proc.stdout}")

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@/{database}?host={self.folder}&port={self.port}"

    def stop(self) -> None:
        try:
            self._run(find_bin("pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop")
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)


class Server(Postgres):
    """An existing server named by ``AUTOOS_TEST_POSTGRES`` (left running)."""

    def __init__(self, url: str) -> None:
        super().__init__()
        self.base = url

    def url(self, database: str = "postgres") -> str:
        from urllib.parse import urlsplit, urlunsplit

        return urlunsplit(urlsplit(self.base)._replace(path=f"/{database}"))


def start(env: dict[str, str] | None = None, *, fsync: bool = False) -> Postgres:
    url = (env if env is not None else os.environ).get("AUTOOS_TEST_POSTGRES")
    return Server(url) if url else Cluster(fsync=fsync)
