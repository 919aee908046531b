"""Upgrade, downgrade or cancel a subscription — the price is shown before anything changes.

Every change is asked by customer (``preview_upgrade``, ``upgrade``, ``downgrade``,
``cancel_subscription``); the backend knows whether the plan is billed by UPI or card and
answers with the plan change. A UPI upgrade answers with a request for the prorated
amount, which the checkout's waiting screen then follows (``payment_started``); a card
upgrade is charged by Stripe at the previewed proration date.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from app.runtime.tasks import TaskRunner
from app.text.date_text import day_text
from app.text.messages import say
from app.text.plan_text import plan_label
from app.widgets.style import set_role
from backend.domain.money import Money, format_money
from backend.domain.payments import method_label
from backend.interface import CheckoutApi

TITLES = {
    "upgrade": "Upgrade the plan",
    "downgrade": "Downgrade the plan",
    "cancel": "Cancel the subscription",
}


def _period_end(iso: str | None) -> str:
    return day_text(iso, "the end of the period")


def choices(
    tiers: list[dict[str, Any]], sub: dict[str, Any], kind: str
) -> list[tuple[str, str, str]]:
    """(label, tier id, interval) the cashier may pick for an upgrade or a downgrade."""
    order = [t["id"] for t in tiers]
    current = order.index(sub["tier"]) if sub["tier"] in order else -1
    out = []
    for position, tier in enumerate(tiers):
        if tier["contact_sales"] or tier["trial_days"]:
            continue
        for interval in ("month", "year"):
            if not any(
                p["interval"] == interval and p["currency"] == sub["currency"]
                for p in tier["prices"]
            ):
                continue
            if (tier["id"], interval) == (sub["tier"], sub["interval"]):
                continue
            bigger = position > current or (
                position == current and sub["interval"] == "month" and interval == "year"
            )
            if (kind == "upgrade") == bigger:
                out.append((plan_label(tier["name"], interval), tier["id"], interval))
    return out


class PlanChangeDialog(QDialog):
    #: the upgrade is paid by a request (UPI); the checkout follows it
    payment_started = Signal(dict)

    def __init__(
        self,
        api: CheckoutApi,
        runner: TaskRunner,
        *,
        kind: str,
        customer: dict[str, Any],
        subscription: dict[str, Any],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.api = api
        self.runner = runner
        self.kind = kind
        self.customer = customer
        self.sub = subscription
        self.preview: dict[str, Any] | None = None
        self.setWindowTitle(TITLES[kind])
        self.setMinimumWidth(560)
        lay = QVBoxLayout(self)
        title = QLabel(f"{TITLES[kind]} for {customer['name']}")
        title.setObjectName("title")
        title.setWordWrap(True)
        lay.addWidget(title)
        now = QLabel(
            f"Now: {plan_label(subscription.get('tier_name') or '', subscription['interval'])} · "
            f"{subscription.get('amount_text', '')} · "
            f"paid by {method_label(subscription['method'])} "
            f"· period ends {_period_end(subscription.get('current_period_end'))}"
        )
        now.setWordWrap(True)
        now.setObjectName("hint")
        lay.addWidget(now)
        self.target = QComboBox()
        self.when_group = QButtonGroup(self)
        if kind == "cancel":
            period_end = _period_end(subscription.get("current_period_end"))
            self.at_end = QRadioButton(f"At the end of the paid period ({period_end})")
            self.at_once = QRadioButton("Now — access ends immediately, nothing is refunded here")
            self.at_end.setChecked(True)
            for radio in (self.at_end, self.at_once):
                self.when_group.addButton(radio)
                lay.addWidget(radio)
        else:
            lay.addWidget(QLabel("Change to"))
            lay.addWidget(self.target)
            self.target.currentIndexChanged.connect(lambda _i: self._clear_preview())
        self.price = QLabel()
        self.price.setWordWrap(True)
        self.price.hide()
        lay.addWidget(self.price)
        lay.addStretch(1)
        buttons = QHBoxLayout()
        close = QPushButton("Close")
        close.clicked.connect(self.reject)
        buttons.addWidget(close)
        buttons.addStretch(1)
        self.preview_button = QPushButton("Show the &price")
        self.preview_button.clicked.connect(self.show_preview)
        buttons.addWidget(self.preview_button)
        self.confirm = QPushButton()
        self.confirm.setObjectName("primary")
        self.confirm.clicked.connect(self.apply)
        buttons.addWidget(self.confirm)
        lay.addLayout(buttons)
        self.preview_button.setVisible(kind == "upgrade")
        self.confirm.setText(
            {
                "upgrade": "Agree and take payment",
                "downgrade": "Schedule downgrade",
                "cancel": "Cancel subscription",
            }[kind]
        )
        self.confirm.setEnabled(kind != "upgrade")
        if kind != "cancel":
            self.runner.call(
                self.api.pricing,
                on_success=lambda pricing: self._fill_targets(pricing["tiers"]),
                on_failure=self._failed,
            )

    def chosen(self) -> tuple[str, str]:
        """The (tier, interval) picked in the list."""
        tier, _, interval = str(self.target.currentData()).partition("/")
        return tier, interval

    def _fill_targets(self, tiers: list[dict[str, Any]]) -> None:
        options = choices(tiers, self.sub, self.kind)
        for label, tier, interval in options:
            self.target.addItem(label, f"{tier}/{interval}")
        if not options:
            self._tell(f"There is no plan to {self.kind} to.", ok=False)
            self.preview_button.setEnabled(False)
            self.confirm.setEnabled(False)

    def _clear_preview(self) -> None:
        self.preview = None
        if self.kind == "upgrade":
            self.confirm.setEnabled(False)
            self.price.hide()

    def _tell(self, text: str, ok: bool = True) -> None:
        set_role(self.price, "success" if ok else "error")
        self.price.setText(text)
        self.price.show()

    def _failed(self, exc: Exception) -> None:
        self._tell(say(exc), ok=False)
        self.preview_button.setEnabled(True)

    def show_preview(self) -> None:
        """Ask what the upgrade costs today; nothing changes yet."""
        if self.target.currentData() is None:
            return
        tier, interval = self.chosen()
        self.preview_button.setEnabled(False)
        self.runner.call(
            self.api.preview_upgrade,
            self.customer["id"],
            tier,
            interval,
            on_success=self._previewed,
            on_failure=self._failed,
        )

    def _previewed(self, preview: dict[str, Any]) -> None:
        self.preview = preview
        self.preview_button.setEnabled(True)
        if preview["method"] == "upi":  # paid now, by a QR for the difference
            unused = Money(preview.get("unused_value") or 0, preview["currency"])
            text = (
                f"To pay now: {preview['amount_text']} by UPI\n"
                f"(the unused part of the current plan, {format_money(unused)}, "
                f"is taken off). {preview['tier_name']} then runs until "
                f"{_period_end(preview.get('new_period_end'))}."
            )
        else:
            text = (
                f"Stripe will charge {preview['amount_text']} to the card on file now "
                "(prorated for the rest of the period)."
            )
        self._tell(text)
        self.confirm.setEnabled(True)

    def apply(self) -> None:
        self.confirm.setEnabled(False)
        customer_id = self.customer["id"]
        if self.kind == "cancel":
            self.runner.call(
                self.api.cancel_subscription,
                customer_id,
                at_period_end=self.at_end.isChecked(),
                on_success=lambda _change: self._finished("The subscription is cancelled."),
                on_failure=self._failed,
            )
            return
        tier, interval = self.chosen()
        if self.kind == "downgrade":
            ends = _period_end(self.sub.get("current_period_end"))
            self.runner.call(
                self.api.downgrade,
                customer_id,
                tier,
                interval,
                on_success=lambda _change: self._finished(f"Done: the plan changes on {ends}."),
                on_failure=self._failed,
            )
            return
        self.runner.call(
            self.api.upgrade,
            customer_id,
            tier,
            interval,
            proration_date=(self.preview or {}).get("proration_date"),
            on_success=self._upgraded,
            on_failure=self._failed,
        )

    def _upgraded(self, change: dict[str, Any]) -> None:
        payment = change.get("payment")
        if payment:  # to be paid now (UPI): the checkout's waiting screen takes it over
            self.payment_started.emit(payment)
            self.accept()
            return
        self._finished("Upgraded: Stripe charges the card on file.")

    def _finished(self, text: str) -> None:
        self._tell(text)
        self.confirm.hide()
        self.preview_button.hide()
