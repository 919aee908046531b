"""Upgrade, downgrade or cancel a subscription — the price is shown before anything changes.

UPI plans: the backend computes the prorated upgrade (``upgrade_preview``); agreeing
creates a UPI request for that amount, which the checkout's waiting screen then follows
(``payment_started``). Card plans: Stripe computes it (``card_preview_upgrade``), and
agreeing switches the plan with the previewed proration date.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
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

from app.date_text import day_text
from app.messages import say
from app.plan_text import plan_label
from app.style import set_role
from app.tasks import TaskRunner
from backend.domain.money import Money, format_money
from backend.facade import CheckoutService

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
    #: a UPI request for the upgrade was created; the checkout follows it
    payment_started = Signal(dict)

    def __init__(
        self,
        service: CheckoutService,
        runner: TaskRunner,
        *,
        kind: str,
        customer: dict[str, Any],
        subscription: dict[str, Any],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.service = service
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
            f"{subscription.get('amount_text', '')} · paid by {subscription['method'].upper()} "
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
            self.runner.run_db(self.service.catalog, self._fill_targets, self._failed)

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
        if self.sub["method"] == "upi":
            customer_id = self.customer["id"]
            self.runner.run_db(
                lambda: self.service.upgrade_preview(customer_id, tier, interval),
                self._previewed,
                self._failed,
            )
        else:
            sub_id = self.sub["id"]
            self.runner.run_net(
                lambda: self.service.card_preview_upgrade(sub_id, tier=tier, interval=interval),
                self._previewed,
                self._failed,
            )

    def _previewed(self, preview: dict[str, Any]) -> None:
        self.preview = preview
        self.preview_button.setEnabled(True)
        if self.sub["method"] == "upi":
            unused = preview.get("unused_value") or 0
            text = (
                f"To pay now: {preview['amount_text']} by UPI\n"
                f"(the unused part of the current plan, {format_money(Money(unused, 'INR'))}, "
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
        sub, customer_id = self.sub, self.customer["id"]
        service = self.service
        if self.kind == "cancel":
            at_end = self.at_end.isChecked()
            if sub["method"] == "upi":
                op = partial(service.cancel_subscription, customer_id, at_period_end=at_end)
            else:
                op = partial(service.card_cancel, sub["id"], at_period_end=at_end)
            self._run(sub["method"], op, "The subscription is cancelled.")
            return
        tier, interval = self.chosen()
        if self.kind == "downgrade":
            if sub["method"] == "upi":
                op = partial(service.schedule_downgrade, customer_id, tier, interval)
            else:
                op = partial(service.card_downgrade, sub["id"], tier=tier, interval=interval)
            self._run(
                sub["method"],
                op,
                f"Done: the plan changes on {_period_end(sub.get('current_period_end'))}.",
            )
            return
        preview = self.preview or {}
        if sub["method"] == "upi":
            self.runner.run_db(
                lambda: service.create_request(
                    customer_id=customer_id, tier=tier, interval=interval, purpose="upgrade"
                ),
                self._upi_request_made,
                self._failed,
            )
        else:
            op = partial(
                service.card_upgrade,
                sub["id"],
                tier=tier,
                interval=interval,
                proration_date=preview.get("proration_date"),
            )
            self._run("card", op, "Upgraded: Stripe charges the card on file.")

    def _run(self, method: str, op: Callable[[], Any], done: str) -> None:
        run = self.runner.run_net if method == "card" else self.runner.run_db
        run(op, lambda _r: self._finished(done), self._failed)

    def _finished(self, text: str) -> None:
        self._tell(text)
        self.confirm.hide()
        self.preview_button.hide()

    def _upi_request_made(self, request: dict[str, Any]) -> None:
        self.payment_started.emit(request)
        self.accept()
