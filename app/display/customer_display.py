"""The customer-facing display: a second top-level window showing the plans when idle, a
payment QR with its countdown, then a large "Paid ✓" or "Expired".

It goes full-screen on a non-primary screen when there is one (``settings.ui.
display_screen`` chooses) and re-places itself when screens are plugged in or removed;
with one screen it opens as a window beside the staff window — moving the staff window
to the screen's left edge when that makes room — and is kept above it there (its
transient parent). When there is no room beside it (a 1366-pixel laptop screen, or a
maximised staff window) it does not cover the till: it waits behind, ``sharing`` says
so (the staff window tells the cashier), and "Show customer display" raises it.

It only ever shows what :func:`app.widgets.payment_panel.payment_view` lets through —
never staff names, UTRs or the customer's contact details.

``state`` says what it shows: ``idle`` (the plans), ``payment`` (a QR), or the payment's
:class:`~backend.domain.payments.Outcome` (``paid``, ``expired``, ``canceled``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

from PySide6.QtCore import QRect, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QStackedLayout, QWidget

from app.display.screens import (
    AUTO,
    Placement,
    ScreenWatcher,
    beside,
    choose_placement,
    current_screens,
    screen_named,
)
from app.runtime.lifecycle import close_down
from app.widgets.payment_panel import PaymentPanel, payment_view
from app.widgets.result_panel import ResultPanel
from app.widgets.screen_note import ScreenNote
from app.widgets.tiers_panel import TiersPanel
from backend.domain.payments import Outcome

WINDOW_SIZE = (960, 600)
#: the narrowest room beside the staff window the display uses (its plans become a list)
MIN_BESIDE = 560
GAP = 16
#: where the display is on a screen it shares with the staff window
BESIDE, BEHIND = "beside", "behind"
#: how long "Paid ✓" / "Expired" stays before the plans come back
RESULT_SECONDS = 20
IDLE, PAYMENT = "idle", "payment"


class CustomerDisplay(QWidget):
    """The customer's window. Slots follow the GUI contract; ``now`` is the injected clock."""

    #: the placement chosen after screens changed (tests and logs)
    placed = Signal(object)
    #: stand-alone: what follows its paired till's payments, and (against a store
    #: server) the strip saying it is reconnecting
    feed: Any = None
    banner: QWidget | None = None

    def __init__(
        self,
        now: Callable[[], datetime],
        parent: QWidget | None = None,
        *,
        display_screen: str = AUTO,
        standalone: bool = False,
        anchor: QWidget | None = None,
        currency: str = "INR",
        result_seconds: float = RESULT_SECONDS,
    ) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setObjectName("customerDisplay")
        self.setWindowTitle("AUTOOS — Customer display")
        self._now = now
        self._setting = display_screen
        self._standalone = standalone
        self._anchor = anchor
        self._currency = currency
        self._tiers: list[dict[str, Any]] = []
        self.current: dict[str, Any] | None = None
        self.state = IDLE
        self.tiers_panel = TiersPanel()
        self.payment_panel = PaymentPanel(now)
        self.result_panel = ResultPanel()
        self._stack = QStackedLayout(self)
        for panel in (self.tiers_panel, self.payment_panel, self.result_panel):
            self._stack.addWidget(panel)
        self.payment_panel.expired.connect(self._countdown_over)
        self._back_to_idle = QTimer(self)
        self._back_to_idle.setSingleShot(True)
        self._back_to_idle.setInterval(max(0, int(result_seconds * 1000)))
        self._back_to_idle.timeout.connect(self._return_to_idle)
        self._result_seconds = result_seconds
        self.placement: Placement | None = None
        #: on a shared screen: ``beside`` the staff window or ``behind`` it; else ""
        self.sharing = ""
        self._watcher = ScreenWatcher(self)
        self._watcher.changed.connect(self._screens_changed)
        #: a line at the bottom about the screen itself (not paired, live updates paused)
        self.note = ScreenNote(self)

    # contract slots -----------------------------------------------------------------
    def show_idle(self, tiers: Sequence[Mapping[str, Any]] | None = None) -> None:
        """The plans (name, price, recommended badge); ``None`` keeps the last list."""
        if tiers is not None:
            self.set_plans(tiers)
        self._back_to_idle.stop()
        self.payment_panel.stop()
        self.current = None
        self.state = IDLE
        self._stack.setCurrentWidget(self.tiers_panel)

    def set_plans(self, tiers: Sequence[Mapping[str, Any]]) -> None:
        """The plans shown when idle, without leaving what is on screen now."""
        self._tiers = [dict(t) for t in tiers]
        self.tiers_panel.set_tiers(self._tiers, self._currency)

    def show_payment(self, request: Mapping[str, Any]) -> None:
        """The QR (``uri`` for UPI, ``url`` for a card checkout), amount, payee, countdown."""
        self._back_to_idle.stop()
        self.current = dict(request)
        self.state = PAYMENT
        self.payment_panel.show_request(request)
        self.payment_panel.set_hint("")
        self._stack.setCurrentWidget(self.payment_panel)

    def show_paid(self, request: Mapping[str, Any]) -> None:
        view = payment_view(request)
        receipt = f"Receipt {view.receipt_no}" if view.receipt_no else ""
        self._show_result(
            Outcome.PAID,
            " · ".join(part for part in (view.amount_text, view.plan, receipt) if part),
        )

    def show_expired(self, request: Mapping[str, Any] | None = None) -> None:
        self._show_result(Outcome.EXPIRED, "Please ask for a new QR code.")

    def show_canceled(self) -> None:
        self._show_result(Outcome.CANCELED, "")

    # internals ----------------------------------------------------------------------
    def _show_result(self, outcome: Outcome, detail: str) -> None:
        self.payment_panel.stop()
        self.state = outcome
        self.result_panel.show_outcome(outcome, detail)
        self._stack.setCurrentWidget(self.result_panel)
        if self._result_seconds > 0:
            self._back_to_idle.start()

    def _countdown_over(self) -> None:
        if self.state == PAYMENT:
            self.show_expired(self.current)

    def _return_to_idle(self) -> None:
        self.show_idle(None)

    # placement ----------------------------------------------------------------------
    def place(self) -> Placement:
        """Choose the screen from the setting and the connected screens, then show there."""
        placement = choose_placement(current_screens(), self._setting, standalone=self._standalone)
        screen = screen_named(placement.screen)
        self.sharing = ""
        if placement.mode == "fullscreen" and screen is not None:
            self._keep_above(None)
            if self.isFullScreen() and self.screen() is not screen:
                self.showNormal()
            self.setScreen(screen)
            self.setGeometry(screen.geometry())
            self.showFullScreen()
        else:
            if self.isFullScreen():
                self.showNormal()
            if screen is not None:
                self.setScreen(screen)
                self._share(screen.availableGeometry())
            self.show()
        self.placement = placement
        self.placed.emit(placement)
        return placement

    def _share(self, available: QRect) -> None:
        """On the staff window's screen: beside it (making room when the staff window
        can move left) and kept above it; else behind it, never over the till."""
        anchor = self._anchor
        frame = anchor.frameGeometry() if anchor is not None else None
        if anchor is not None and frame is not None and not anchor.isMaximized():
            right = available.right() + 1 - (frame.right() + 1 + GAP)
            left = frame.left() - GAP - available.left()
            if max(right, left) < MIN_BESIDE <= available.width() - frame.width() - GAP:
                anchor.move(anchor.x() - (frame.left() - available.left()), anchor.y())
                frame = anchor.frameGeometry()
        rect = beside(frame, available, *WINDOW_SIZE, gap=GAP, min_width=MIN_BESIDE)
        self.setGeometry(rect)
        overlaps = frame is not None and rect.intersects(frame)
        self.sharing = BEHIND if overlaps else BESIDE
        self._keep_above(None if overlaps else anchor)

    def _keep_above(self, anchor: QWidget | None) -> None:
        """Stay above ``anchor``'s window (its transient child), or above nothing."""
        self.winId()  # the window handle exists from here on
        handle = self.windowHandle()
        parent = anchor.window().windowHandle() if anchor is not None else None
        if anchor is not None and parent is None:
            anchor.window().winId()
            parent = anchor.window().windowHandle()
        if handle is not None and handle.transientParent() is not parent:
            handle.setTransientParent(parent)

    def bring_forward(self) -> None:
        """ "Show customer display": in front, where the customer can see it."""
        if not self.isVisible():
            self.place()
        if self.isMinimized():
            self.showNormal()
        self.raise_()

    def set_screen_setting(self, setting: str) -> None:
        """``[ui] display_screen`` changed: go where it says now."""
        if setting != self._setting:
            self._setting = setting
            if self.isVisible():
                self.place()

    def _screens_changed(self) -> None:
        # let Qt finish moving windows off a removed screen before choosing again
        if self.isVisible():
            QTimer.singleShot(0, self.place)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.payment_panel.stop()
        close_down(self)  # its timers stop and it stops listening for payment changes
        super().closeEvent(event)
