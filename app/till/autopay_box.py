"""A customer's UPI AutoPay plan on the Customers page: how it stands (the plan's status,
the mandate's — active, paused or revoked in the customer's UPI app, past due with its
grace period — and the mandate's terms), and "Cancel AutoPay", asked first.

Cancelling is ``autopay_cancel`` (staff and admins): the plan ends now and the mandate
is revoked at the provider. :func:`cancel_autopay` asks the question and runs it, for
this box and for the payments needing attention alike.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.runtime.tasks import TaskRunner
from app.text.autopay_text import autopay_standing
from app.text.messages import say
from app.text.plan_text import plan_label
from backend.domain.payments import is_live
from backend.interface import CheckoutApi

PROVIDERS = {"stripe": "Stripe", "razorpay": "Razorpay"}


def cancel_autopay(
    parent: QWidget,
    api: CheckoutApi,
    runner: TaskRunner,
    subscription_id: int,
    plan: dict[str, Any],
    customer_name: str,
    *,
    on_done: Callable[[str], Any],
    on_failure: Callable[[str], Any],
) -> None:
    """Ask, then cancel the AutoPay plan number ``subscription_id`` (``plan`` names it:
    ``tier_name``, ``interval``, its provider); ``on_done`` gets what to say,
    ``on_failure`` the backend's words."""
    what = plan_label(plan.get("tier_name") or plan.get("tier") or "", plan.get("interval"))
    provider = PROVIDERS.get(str(plan.get("autopay_provider") or plan.get("provider")), "")
    at = f" at {provider}" if provider else ""
    answer = QMessageBox.question(
        parent,
        "Cancel UPI AutoPay",
        f"Cancel {customer_name}'s {what} plan paid by UPI AutoPay?\n"
        f"The plan ends now and the mandate is revoked{at}: nothing more is debited.",
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        QMessageBox.StandardButton.No,
    )
    if answer != QMessageBox.StandardButton.Yes:
        return
    runner.call(
        api.autopay_cancel,
        str(subscription_id),
        on_success=lambda _r: on_done(
            f"UPI AutoPay cancelled: {customer_name}'s {what} plan has ended."
        ),
        on_failure=lambda exc: on_failure(say(exc)),
        owner=parent,
    )


class AutopayBox(QGroupBox):
    """The customer's AutoPay plan (``autopay_plan``), with Cancel AutoPay; hidden for a
    customer without one."""

    #: the plan was cancelled (what to say): the customer should be read again
    changed = Signal(str)
    #: cancelling failed (the backend's words)
    refused = Signal(str)

    def __init__(self, api: CheckoutApi, runner: TaskRunner) -> None:
        super().__init__("UPI AutoPay")
        self.api = api
        self.runner = runner
        self.plan: dict[str, Any] | None = None
        self.customer_name = ""
        # the status on its own line: a wrapped label beside a button is given one line's
        # height and clipped; above the button it gets the lines it needs
        lay = QVBoxLayout(self)
        self.status = QLabel()
        self.status.setWordWrap(True)
        lay.addWidget(self.status)
        self.cancel_button = QPushButton("Cancel Auto&Pay…")
        self.cancel_button.setObjectName("danger")
        self.cancel_button.setToolTip("End the plan now and revoke the customer's UPI mandate")
        self.cancel_button.clicked.connect(self.cancel)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.cancel_button)
        lay.addLayout(row)
        self.hide()

    def show_plan(self, plan: dict[str, Any] | None, customer_name: str) -> None:
        self.plan = plan
        self.customer_name = customer_name
        self.setVisible(plan is not None)
        if plan is None:
            return
        self.status.setText(f"Status: {autopay_standing(plan)}")
        self.cancel_button.setEnabled(is_live(plan))

    def cancel(self) -> None:
        if self.plan is None:
            return
        cancel_autopay(
            self,
            self.api,
            self.runner,
            int(self.plan["id"]),
            self.plan,
            self.customer_name,
            on_done=self.changed.emit,
            on_failure=self.refused.emit,
        )
