"""Start-up measurement hook: when ``AUTOOS_CHECKOUT_FIRST_PAINT`` is set, the first paint
of the main window prints one JSON line (monotonic time, resident memory) and quits.

``benchmarks/startup.py`` starts the app with it; nothing happens without the variable.
"""

from __future__ import annotations

import json
import sys
import time

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QWidget

ENV_VAR = "AUTOOS_CHECKOUT_FIRST_PAINT"


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
    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self.done = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint and not self.done:
            self.done = True
            report = {"painted_at": time.monotonic(), **memory_kib()}
            print(json.dumps(report), file=sys.stdout, flush=True)
            # exit(), not quit(): quit() first asks every window to close, and the kiosk
            # refuses to without an admin PIN
            QTimer.singleShot(0, lambda: QApplication.exit(0))
        return False


def quit_after_first_paint(window: QWidget) -> None:
    """Report and quit on ``window``'s first paint event."""
    window.installEventFilter(_FirstPaint(window))
