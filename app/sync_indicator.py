"""The always-visible sync state in the status bar: online / offline / N waiting / error."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QLabel

from app.messages import say
from app.style import set_flag
from app.tasks import TaskRunner
from backend.facade import CheckoutService

REFRESH_MS = 10_000


def describe(state: dict[str, Any], card: dict[str, Any] | None) -> tuple[str, str]:
    """(text, state) for the label; ``state`` picks the colour in the style sheet."""
    if card is not None and not card.get("configured"):
        return "● " + (card.get("reason") or "Card payments not configured"), "waiting"
    waiting = int(state.get("waiting") or 0)
    failed = int(state.get("failed") or 0)
    if state.get("online") is None:
        return "● Not synced with Stripe yet", "waiting"
    if not state.get("online"):
        text = "● Offline"
        if waiting:
            text += f" · {waiting} waiting"
        if state.get("last_error"):
            text += f" · last error: {state['last_error']}"
        return text, "offline"
    if failed:
        return f"● Online · {failed} failed · {state.get('last_error') or ''}".rstrip(" ·"), "error"
    if waiting:
        return f"● Online · {waiting} waiting to sync", "waiting"
    return "● Online · all synced", "online"


class SyncIndicator(QLabel):
    """Every ten seconds, off the GUI thread: when card payments are configured, one pass
    of the Stripe sync (push, drain the outbox, pull events), then the sync state."""

    def __init__(self, service: CheckoutService, runner: TaskRunner) -> None:
        super().__init__("● Checking sync…")
        self.setObjectName("sync")
        self.service = service
        self.runner = runner
        self.card: dict[str, Any] | None = None
        self._busy = False
        self.timer = QTimer(self)
        self.timer.setInterval(REFRESH_MS)
        self.timer.timeout.connect(self.refresh)

    def start(self) -> None:
        self.refresh()
        self.timer.start()

    def refresh(self) -> None:
        if self._busy:
            return
        self._busy = True

        service = self.service

        def read() -> tuple[dict[str, Any], dict[str, Any]]:
            card = service.card_status()
            if card.get("configured"):
                state = service.sync_once().get("state") or service.sync_state()
            else:
                state = service.sync_state()
            return state, card

        self.runner.run_net(read, self._show, self._failed)

    def _show(self, result: tuple[dict[str, Any], dict[str, Any]]) -> None:
        self._busy = False
        state, self.card = result
        text, kind = describe(state, self.card)
        self.setText(text)
        self.setToolTip(f"Last sync: {state.get('last_sync_at') or 'never'}")
        set_flag(self, "state", kind)

    def _failed(self, exc: Exception) -> None:
        self._busy = False
        self.setText("● Sync state unknown: " + say(exc))
        set_flag(self, "state", "error")
