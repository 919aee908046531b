"""The always-visible sync state in the status bar: online / offline / N waiting / error."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QLabel

from app.runtime.tasks import TaskRunner
from app.text.messages import say
from app.widgets.style import set_flag
from backend.interface import CheckoutApi, operation_of

REFRESH_MS = 10_000


@dataclass(frozen=True)
class SyncFigures:
    """The ``sync_state`` record, typed: online or not (``None``: never synced), requests
    waiting for Stripe and those it refused for good, the last error and sync."""

    online: bool | None = None
    waiting: int = 0
    failed: int = 0
    last_error: str | None = None
    last_sync_at: str | None = None

    @classmethod
    def of(cls, state: Mapping[str, Any]) -> SyncFigures:
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in state.items() if k in known and v is not None})


def describe(state: Mapping[str, Any], card: Mapping[str, Any] | None) -> tuple[str, str]:
    """(text, state) for the label; ``state`` picks the colour in the style sheet."""
    if card is not None and not card.get("configured"):
        return "● " + (card.get("reason") or "Card payments not configured"), "waiting"
    sync = SyncFigures.of(state)
    waiting, failed = int(sync.waiting), int(sync.failed)
    if sync.online is None:
        return "● Not synced with Stripe yet", "waiting"
    if not sync.online:
        text = "● Offline"
        if waiting:
            text += f" · {waiting} waiting"
        if sync.last_error:
            text += f" · last error: {sync.last_error}"
        return text, "offline"
    if failed:
        return f"● Online · {failed} failed · {sync.last_error or ''}".rstrip(" ·"), "error"
    if waiting:
        return f"● Online · {waiting} waiting to sync", "waiting"
    return "● Online · all synced", "online"


def may_sync(api: CheckoutApi) -> bool:
    """Whether whoever ``api`` acts for may run a Stripe sync pass (by its declaration)."""
    declared = operation_of(api.sync_once)
    return declared is None or declared.roles is None or api.caller.role in declared.roles


class SyncIndicator(QLabel):
    """Every ten seconds, off the GUI thread: when card payments are configured (and the
    caller may), one pass of the Stripe sync (push, drain the outbox, pull events); then
    the sync state."""

    def __init__(self, api: CheckoutApi, runner: TaskRunner) -> None:
        super().__init__("● Checking sync…")
        self.setObjectName("sync")
        self.api = api
        self.runner = runner
        self.card: dict[str, Any] | None = None
        self._busy = False
        self._again = False
        self.timer = QTimer(self)
        self.timer.setInterval(REFRESH_MS)
        self.timer.timeout.connect(self.refresh)

    def start(self) -> None:
        self.refresh()
        self.timer.start()

    def act_as(self, api: CheckoutApi) -> None:
        """Ask as this person from now on (signed in, or the counter again): check at
        once, or as soon as the check under way has answered."""
        self.api = api
        if self._busy:
            self._again = True
        elif self.timer.isActive():
            self.refresh()

    def refresh(self) -> None:
        if self._busy:
            return
        self._busy = True

        api = self.api
        sync = may_sync(api)

        def read() -> tuple[dict[str, Any], dict[str, Any]]:
            card = dict(api.card_status())
            if card.get("configured") and sync:
                state = api.sync_once().get("state") or api.sync_state()
            else:
                state = api.sync_state()
            return dict(state), card

        self.runner.run_net(read, self._show, self._failed)

    def _answered(self) -> None:
        self._busy = False
        if self._again:
            self._again = False
            self.refresh()

    def _show(self, result: tuple[dict[str, Any], dict[str, Any]]) -> None:
        state, self.card = result
        text, kind = describe(state, self.card)
        self.setText(text)
        self.setToolTip(f"Last sync: {SyncFigures.of(state).last_sync_at or 'never'}")
        set_flag(self, "state", kind)
        self._answered()

    def _failed(self, exc: Exception) -> None:
        self.setText("● Sync state unknown: " + say(exc))
        set_flag(self, "state", "error")
        self._answered()
