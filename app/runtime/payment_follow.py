"""Following the payment in front of a customer: ask the backend how it stands now
(``payment_status``, whatever its method) every few seconds, one question in flight at
a time, and say what it learnt — used by the till's checkout and by the kiosk."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from app.runtime.tasks import TaskRunner
from backend.interface import CheckoutApi


class PaymentFollow(QObject):
    """Asks about ``payment`` every ``interval_ms`` while following it; an answer about a
    payment no longer followed is dropped."""

    #: the payment as it stands now (an answer about the one followed)
    answered = Signal(dict)
    #: asking failed (the store or the network); the next tick asks again
    failed = Signal(object)

    def __init__(
        self, api: CheckoutApi, runner: TaskRunner, interval_ms: int, parent: QObject
    ) -> None:
        super().__init__(parent)
        self.api = api
        self.runner = runner
        self.payment: dict[str, Any] | None = None
        self._asking = False
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.poll)

    def follow(self, payment: dict[str, Any]) -> None:
        """Follow this payment from now on (instead of any other)."""
        self.payment = payment
        self.timer.start()

    def stop(self) -> None:
        """Stop asking (the payment is finished); an answer on its way is still said."""
        self.timer.stop()

    def forget(self) -> None:
        """Stop asking and drop any answer still on its way."""
        self.timer.stop()
        self.payment = None

    def poll(self) -> None:
        """Ask now, unless a question is in flight already."""
        if self._asking or self.payment is None:
            return
        self._asking = True
        payment_id = self.payment["id"]
        self.runner.call(
            self.api.payment_status,
            payment_id,
            on_success=lambda payment: self._answered(payment_id, payment),
            on_failure=self._failed,
        )

    def _answered(self, payment_id: str, payment: dict[str, Any]) -> None:
        self._asking = False
        if self.payment is not None and payment.get("id") == payment_id == self.payment["id"]:
            self.answered.emit(payment)

    def _failed(self, exc: Exception) -> None:
        self._asking = False
        if self.payment is not None:
            self.failed.emit(exc)
