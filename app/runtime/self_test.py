"""``autoos-checkout [staff|kiosk|display] --self-test``: start as usual, paint the first
window, print one JSON line and exit 0.

For installers (does it start on this machine?) and monitoring (does it still?); the
start-up benchmark (``benchmarks/startup.py``) and the modes' smoke tests use it too. The
line says which mode painted, when (``painted_at``, monotonic seconds) and the resident
memory then (``VmRSS``, ``VmHWM`` in KiB, on Linux). A start that fails exits non-zero
before any window, with the reason on stderr.
"""

from __future__ import annotations

import json
import sys
import time

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QWidget


def memory_kib() -> dict[str, int]:
    """``VmRSS`` and ``VmHWM`` of this process in KiB (Linux; empty elsewhere)."""
    found: dict[str, int] = {}
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                key, _, value = line.partition(":")
                if key in ("VmRSS", "VmHWM"):
                    found[key] = int(value.split()[0])
    except OSError:
        pass
    return found


class _FirstPaint(QObject):
    def __init__(self, window: QWidget, mode: str) -> None:
        super().__init__(window)
        self.mode = mode
        self.done = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint and not self.done:
            self.done = True
            report = {
                "self_test": "passed",
                "mode": self.mode,
                "painted_at": time.monotonic(),
                **memory_kib(),
            }
            print(json.dumps(report), file=sys.stdout, flush=True)
            # exit(), not quit(): quit() first asks every window to close, and the kiosk
            # refuses to without an admin PIN
            QTimer.singleShot(0, lambda: QApplication.exit(0))
        return False


def exit_after_first_paint(window: QWidget, mode: str) -> None:
    """Report and exit 0 on ``window``'s first paint event."""
    window.installEventFilter(_FirstPaint(window, mode))
