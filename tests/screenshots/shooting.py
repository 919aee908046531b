"""Letting Qt run until a screen is ready, and saving it as a PNG (shared by the staff and
the customer screens)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QDeadlineTimer, QEventLoop, QTimer
from PySide6.QtWidgets import QWidget

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "docs" / "screenshots"


def run_qt(ms: int) -> None:
    """Let Qt run (timers, background answers, layout) for ``ms`` milliseconds."""
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def wait_for(condition: Callable[[], bool], what: str, timeout_ms: int = 10_000) -> None:
    """Let Qt run (background work, timers) until ``condition`` holds."""
    deadline = QDeadlineTimer(timeout_ms)
    while not condition():
        if deadline.hasExpired():
            raise TimeoutError(f"screenshot: gave up waiting for {what}")
        run_qt(10)


def settle() -> None:
    """Let pending layout and paint events run before a picture is taken."""
    run_qt(30)


def save(widget: QWidget, path: Path) -> Path:
    """``widget`` as it is on screen, into ``path``."""
    if not widget.grab().save(str(path)):
        raise OSError(f"could not write {path}")
    return path
