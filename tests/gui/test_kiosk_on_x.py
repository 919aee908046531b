"""The kiosk on a real X server with no window manager (how many kiosks run), where the
offscreen platform cannot show it: it covers the whole screen, and when something
outside takes its window away (``xdotool windowclose`` destroys the X window under Qt,
``windowunmap`` hides it) the process lives on and the window is back over the screen.

The kiosk runs as a child process under its own Xvfb; ``xdotool`` and ``xwininfo`` look
at it as the X server sees it. Needs the Debian packages ``xvfb xdotool x11-utils``
(``make sysdeps`` installs them)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.conftest import ROOT, child_env

SCREEN = (1366, 768)
DEPTH = "{}x{}x24".format(*SCREEN)
TITLE = "AUTOOS Self-service"
#: how long the child may take to start or to put its window back on a busy machine
DEADLINE_S = 60.0
TOOLS = ("Xvfb", "xdotool", "xwininfo")
#: what the kiosk logs each time it puts its window back
PUT_BACK = "taken off the screen from outside; putting it back"


def _wait_for(what: str, check: Callable[[], object], proc: subprocess.Popen) -> object:
    """``check()``'s first truthy answer; fails if the kiosk died or the deadline passed."""
    deadline = time.monotonic() + DEADLINE_S
    while time.monotonic() < deadline:
        assert proc.poll() is None, f"the kiosk process ended (exit {proc.returncode})"
        answer = check()
        if answer:
            return answer
        time.sleep(0.05)  # polling another process's state: nothing to wait on here
    raise AssertionError(f"not seen within {DEADLINE_S:.0f} s: {what}")


@pytest.fixture
def x_display() -> Iterator[str]:
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    assert not missing, f"install xvfb xdotool x11-utils (make sysdeps): {missing} missing"
    server, display = _start_xvfb()
    yield display
    server.terminate()
    server.wait(timeout=30)


def _start_xvfb() -> tuple[subprocess.Popen, str]:
    """Xvfb on a display number picked from this process's id (the next one if taken), so
    two test runs on one machine do not both take the lowest free number, :0.

    ``-noreset``: by default an X server resets itself each time its last client leaves.
    The test polls with ``xdotool``/``xwininfo``, each a client that connects and leaves,
    while the kiosk is still starting; a kiosk connecting during such a reset "could not
    connect to display" and Qt aborts (exit -6): seen on :0 and on :544 under load,
    2026-12-07.
    """
    first = 100 + os.getpid() % 800
    for number in range(first, first + 50):
        read, write = os.pipe()
        server = subprocess.Popen(
            [
                "Xvfb",
                f":{number}",
                "-displayfd",
                str(write),
                "-screen",
                "0",
                DEPTH,
                "-nolisten",
                "tcp",
                "-noreset",
            ],
            pass_fds=(write,),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        os.close(write)
        with os.fdopen(read) as pipe:
            ready = pipe.readline().strip()  # Xvfb writes its display number when ready
        if ready:
            return server, f":{ready}"
        server.wait(timeout=30)  # that number was taken
    raise AssertionError("Xvfb did not start on any display number tried")


class Screen:
    """The X server as ``xdotool`` and ``xwininfo`` report it."""

    def __init__(self, display: str) -> None:
        self.env = {**os.environ, "DISPLAY": display}

    def run(self, *args: str) -> str:
        done = subprocess.run(args, env=self.env, capture_output=True, text=True, timeout=30)
        return done.stdout

    def kiosk_windows(self) -> list[str]:
        return self.run("xdotool", "search", "--name", TITLE).split()

    def geometry(self, window: str) -> dict[str, str]:
        info = self.run("xwininfo", "-id", window)
        return dict(re.findall(r"^\s*([A-Za-z -]+):\s+(\S+)", info, re.MULTILINE))

    def covering(self) -> str | None:
        """The kiosk window that is viewable and covers the whole screen, if one is."""
        for window in self.kiosk_windows():
            info = self.geometry(window)
            at = (info.get("Absolute upper-left X"), info.get("Absolute upper-left Y"))
            size = (info.get("Width"), info.get("Height"))
            if (
                info.get("Map State") == "IsViewable"
                and at == ("0", "0")
                and size == tuple(str(n) for n in SCREEN)
            ):
                return window
        return None


@pytest.fixture
def kiosk_on_x(tmp_path: Path, x_display: str) -> Iterator[tuple[subprocess.Popen, Screen]]:
    settings = tmp_path / "settings.toml"
    settings.write_text('[upi]\nvpa = "autoos.shop@okaxis"\npayee_name = "AUTOOS Shop"\n')
    log = (tmp_path / "kiosk.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "app.main", "kiosk", "--db", str(tmp_path / "c.db")],
        cwd=ROOT,
        env=child_env(
            AUTOOS_CHECKOUT_CONFIG=str(settings), DISPLAY=x_display, QT_QPA_PLATFORM="xcb"
        ),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    yield proc, Screen(x_display)
    proc.kill()
    proc.wait(timeout=30)
    log.close()


def test_the_kiosk_covers_the_screen_with_no_window_manager_and_comes_back(kiosk_on_x, tmp_path):
    proc, screen = kiosk_on_x
    first = _wait_for("the kiosk over the whole screen", screen.covering, proc)

    screen.run("xdotool", "windowclose", str(first))  # its X window destroyed from outside
    again = _wait_for(
        "the kiosk back over the screen after windowclose",
        lambda: (window := screen.covering()) is not None and window != first and window,
        proc,
    )
    assert proc.poll() is None  # the process lives on

    screen.run("xdotool", "windowunmap", str(again))  # hidden from outside
    log = tmp_path / "kiosk.log"
    _wait_for(
        "the kiosk back after windowunmap",
        lambda: log.read_text().count(PUT_BACK) == 2 and screen.covering(),
        proc,
    )
