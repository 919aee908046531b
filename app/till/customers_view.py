"""Customers: find one; correct their name, email or phone; see trial credits, usage
against the plan's limits, the subscription (upgrade / downgrade / cancel, proration
shown first; a UPI AutoPay plan's mandate and Cancel AutoPay) and payment history, whose
receipts can be reprinted, saved or emailed."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.runtime.tasks import TaskRunner
from app.text.date_text import day_text
from app.text.messages import say
from app.text.plan_text import plan_label
from app.till.autopay_box import AutopayBox
from app.till.customer_edit import CustomerEditDialog
from app.till.customer_search import CustomerSearch, contact_text
from app.till.payments_model import PaymentsModel
from app.till.plan_change_dialog import PlanChangeDialog
from app.till.receipt_bar import ReceiptBar
from app.till.receipts import ReceiptActions
from app.widgets.style import set_role, show_message
from backend.domain.payments import (
    PaymentMethod,
    is_live,
    method_label,
    plan_refusal,
    subscription_label,
    trial_running,
)
from backend.interface import CheckoutApi


def meter(bar: QProgressBar, used: int, limit: int | None, unit: str) -> None:
    """Fill a bar as ``used of limit``; an unlimited plan shows just the count."""
    if limit is None:
        bar.setRange(0, 1)
        bar.setValue(0)
        bar.setFormat(f"{used} {unit} (unlimited)")
        return
    bar.setRange(0, max(limit, 1))
    bar.setValue(min(used, max(limit, 1)))
    bar.setFormat(f"{used} of {limit} {unit}")


class CustomersView(QWidget):
    #: an upgrade needs a UPI payment: (request, customer) for the checkout to follow
    payment_started = Signal(dict, dict)

    def __init__(self, api: CheckoutApi, runner: TaskRunner) -> None:
        super().__init__()
        self.api = api
        self.runner = runner
        self.customer: dict[str, Any] | None = None
        self.details: dict[str, Any] = {}
        lay = QHBoxLayout(self)
        lay.setContentsMargins(24, 18, 24, 18)
        lay.setSpacing(18)
        left = QVBoxLayout()
        title = QLabel("Customers")
        title.setObjectName("title")
        left.addWidget(title)
        self.search = CustomerSearch(api, runner)
        self.search.activated.connect(self.show_customer)
        self.search.results.currentItemChanged.connect(
            lambda cur, _prev: cur is not None and self.show_customer(self.search.selected())
        )
        left.addWidget(self.search, 1)
        lay.addLayout(left, 2)

        right = QVBoxLayout()
        head = QHBoxLayout()
        self.name = QLabel("Choose a customer on the left")
        self.name.setObjectName("title")
        head.addWidget(self.name, 1)
        self.edit_button = QPushButton("&Edit customer…")
        self.edit_button.setToolTip("Correct the name, email or phone")
        self.edit_button.clicked.connect(self.edit_customer)
        self.edit_button.setEnabled(False)
        head.addWidget(self.edit_button)
        right.addLayout(head)
        self.contact = QLabel()
        self.contact.setObjectName("subtitle")
        right.addWidget(self.contact)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.hide()
        right.addWidget(self.message)

        boxes = QHBoxLayout()
        trial = QGroupBox("Free trial and credits")
        tl = QVBoxLayout(trial)
        self.trial_text = QLabel()
        self.trial_text.setWordWrap(True)
        tl.addWidget(self.trial_text)
        self.credits = QProgressBar()
        self.credits.setAccessibleName("Trial credits")
        tl.addWidget(self.credits)
        self.credits_text = QLabel()
        self.credits_text.setObjectName("hint")
        tl.addWidget(self.credits_text)
        tl.addStretch(1)
        boxes.addWidget(trial, 1)

        usage = QGroupBox("Usage this month")
        ul = QGridLayout(usage)
        ul.addWidget(QLabel("Workflows"), 0, 0)
        self.workflows = QProgressBar()
        ul.addWidget(self.workflows, 0, 1)
        ul.addWidget(QLabel("Agents running"), 1, 0)
        self.agents = QProgressBar()
        ul.addWidget(self.agents, 1, 1)
        self.plan_text = QLabel()
        self.plan_text.setObjectName("hint")
        self.plan_text.setWordWrap(True)
        ul.addWidget(self.plan_text, 2, 0, 1, 2)
        ul.setColumnStretch(1, 1)
        boxes.addWidget(usage, 1)
        right.addLayout(boxes)

        sub = QGroupBox("Subscription")
        sl = QVBoxLayout(sub)
        self.sub_text = QLabel()
        self.sub_text.setWordWrap(True)
        sl.addWidget(self.sub_text)
        actions = QHBoxLayout()
        self.upgrade_button = QPushButton("&Upgrade…")
        self.downgrade_button = QPushButton("&Downgrade…")
        self.cancel_button = QPushButton("Ca&ncel subscription…")
        self.cancel_button.setObjectName("danger")
        self.upgrade_button.clicked.connect(lambda: self.change_plan("upgrade"))
        self.downgrade_button.clicked.connect(lambda: self.change_plan("downgrade"))
        self.cancel_button.clicked.connect(lambda: self.change_plan("cancel"))
        for button in (self.upgrade_button, self.downgrade_button, self.cancel_button):
            actions.addWidget(button)
        actions.addStretch(1)
        sl.addLayout(actions)
        right.addWidget(sub)
        self.autopay = AutopayBox(api, runner)
        self.autopay.changed.connect(self._autopay_changed)
        self.autopay.refused.connect(lambda message: self._tell(message, False))
        right.addWidget(self.autopay)

        history = QGroupBox("Payment history")
        hl = QVBoxLayout(history)
        self.history = PaymentsModel()
        table = QTableView()
        table.setModel(self.history)
        table.setColumnHidden(1, True)  # the customer: it is this one
        table.verticalHeader().hide()
        table.setAlternatingRowColors(True)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        table.horizontalHeader().setStretchLastSection(True)
        table.selectionModel().selectionChanged.connect(lambda *_a: self._history_chosen())
        self.history_table = table
        hl.addWidget(table)
        receipt_row = QHBoxLayout()
        self.receipts = ReceiptActions(api, runner, self, tell=self._tell)
        self.receipt_bar = ReceiptBar(self.receipts, mnemonics=False)
        receipt_row.addWidget(self.receipt_bar)
        receipt_row.addStretch(1)
        hl.addLayout(receipt_row)
        right.addWidget(history, 1)
        lay.addLayout(right, 5)
        self._show_nothing()

    def reload(self) -> None:
        self.search.search()
        self.receipts.refresh(self.receipt_bar.update_reasons)  # the settings may have changed
        if self.customer is not None:
            self.show_customer(self.customer)

    def show_customer(self, customer: dict[str, Any] | None) -> None:
        if customer is None:
            return
        self.customer = customer
        customer_id = customer["id"]
        api = self.api

        def gather() -> dict[str, Any]:
            sub = api.current_subscription(customer_id)
            autopay = sub is not None and sub["method"] == PaymentMethod.UPI_AUTOPAY
            return {
                "customer": api.get_customer(customer_id),
                "trial": api.trial_status(customer_id),
                "usage": api.usage_summary(customer_id),
                "subscription": sub,
                "autopay": api.autopay_plan(sub["id"]) if autopay else None,
                "payments": api.list_payments(customer_id=customer_id, limit=100),
            }

        self.runner.run_db(gather, self._show_details, self._failed)

    def _show_nothing(self) -> None:
        for widget in (self.upgrade_button, self.downgrade_button, self.cancel_button):
            widget.setEnabled(False)

    def _failed(self, exc: Exception) -> None:
        set_role(self.message, "error")
        self.message.setText(say(exc))
        self.message.show()

    def _tell(self, message: str, ok: bool) -> None:
        show_message(self.message, "success" if ok else "error", message)

    def _history_chosen(self) -> None:
        rows = self.history_table.selectionModel().selectedRows()
        payment = self.history.row_at(rows[0].row()) if rows else None
        email = self.details.get("customer", {}).get("email")
        self.receipt_bar.show_for(payment, email)

    def edit_customer(self) -> None:
        """Correct the customer's name, email or phone (every wrong field said at once)."""
        customer = self.details.get("customer")
        if customer is None:
            return
        dialog = CustomerEditDialog(self.api, self.runner, customer, self)
        if dialog.exec() != QDialog.DialogCode.Accepted or dialog.saved is None:
            return
        self.search.search()
        self.show_customer(dialog.saved)
        self._tell(f"Saved: {dialog.saved['name']}, {contact_text(dialog.saved)}.", True)

    def _show_details(self, details: dict[str, Any]) -> None:
        if self.customer is None or details["customer"]["id"] != self.customer["id"]:
            return
        same = self.details.get("customer", {}).get("id") == details["customer"]["id"]
        self.details = details
        customer = details["customer"]
        if not same:
            self.message.hide()  # a message about the customer shown before goes with them
        self.edit_button.setEnabled(True)
        self.name.setText(customer["name"])
        self.contact.setText(contact_text(customer))
        self._show_trial(details["trial"], details["usage"])
        self._show_usage(details["usage"])
        self._show_subscription(details["subscription"])
        self.autopay.show_plan(details["autopay"], customer["name"])
        chosen = self.receipt_bar.payment
        self.history.set_rows(details["payments"])
        for row, payment in enumerate(details["payments"]):
            if same and chosen is not None and payment["id"] == chosen["id"]:
                self.history_table.selectRow(row)  # the payment chosen stays chosen
        self._history_chosen()

    def _show_trial(self, trial: dict[str, Any] | None, usage: dict[str, Any]) -> None:
        granted = int(usage.get("credits_granted") or 0) + int(usage.get("credits_purchased") or 0)
        used = int(usage.get("credits_used") or 0)
        left = int(usage.get("credits_left") or 0)
        has_credits = granted > 0
        self.credits.setVisible(has_credits)
        self.credits_text.setVisible(has_credits)
        if trial is None:
            self.trial_text.setText("No free trial and no credits.")
        else:
            days = trial.get("days_left")
            left_text = f" · {days} day(s) left" if trial_running(trial) else ""
            self.trial_text.setText(
                f"{trial['status'].capitalize()}{left_text}\n"
                f"{day_text(trial.get('started_at'))} to {day_text(trial.get('ends_at'))}"
            )
        self.credits.setRange(0, max(granted, 1))
        self.credits.setValue(min(used, max(granted, 1)))
        self.credits.setFormat(f"{used} of {granted} credits used")
        self.credits_text.setText(f"{left} credit(s) left")

    def _show_usage(self, usage: dict[str, Any]) -> None:
        meter(self.workflows, usage["workflows_used"], usage["workflows_limit"], "workflows")
        meter(self.agents, usage["agents_running"], usage["agents_limit"], "agents")
        if usage.get("tier") is None:
            self.plan_text.setText("No plan in force: AUTOOS refuses new workflows.")
        else:
            refusal = plan_refusal(usage)
            extra = f" — {refusal}" if refusal else ""
            self.plan_text.setText(f"Limits of the {usage['tier_name']} plan{extra}")

    def _show_subscription(self, sub: dict[str, Any] | None) -> None:
        if sub is None:
            self.sub_text.setText("No paid subscription. Sell one on the Checkout tab.")
            self._show_nothing()
            return
        text = (
            f"{plan_label(sub.get('tier_name') or sub['tier'], sub['interval'])} · "
            f"{sub.get('amount_text', '')} · paid by "
            f"{method_label(sub['method'])}\n"
            f"Status: {subscription_label(sub)} · "
            f"current period ends {day_text(sub['current_period_end'])}"
        )
        if sub.get("cancel_at_period_end"):
            text += "\nCancels at the end of this period."
        if sub.get("pending_tier"):
            text += f"\nChanges to {sub['pending_tier']} at the end of this period."
        self.sub_text.setText(text)
        live = is_live(sub)
        self.upgrade_button.setEnabled(live)
        self.downgrade_button.setEnabled(live)
        self.cancel_button.setEnabled(live and not sub.get("cancel_at_period_end"))

    def _autopay_changed(self, message: str) -> None:
        self._tell(message, True)
        if self.customer is not None:
            self.show_customer(self.customer)

    def change_plan(self, kind: str) -> None:
        if self.customer is None or not self.details.get("subscription"):
            return
        dialog = PlanChangeDialog(
            self.api,
            self.runner,
            kind=kind,
            customer=self.details["customer"],
            subscription=self.details["subscription"],
            parent=self,
        )
        customer = self.details["customer"]
        dialog.payment_started.connect(lambda request: self.payment_started.emit(request, customer))
        dialog.exec()
        self.show_customer(self.customer)
