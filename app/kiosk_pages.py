"""The kiosk's screens: choose a plan, enter your details, choose how to pay, the admin
PIN prompt. Each is a plain widget with signals; :mod:`app.kiosk` runs the flow.

Everything a finger touches is at least :data:`TOUCH_PX` high and wide, and text is
large enough to read from a metre away.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
)

from app.plan_text import PER, offered
from app.widgets.customer_panels import ScaledPanel, role_label, tier_amount
from backend.domain.identity import normalize_email, normalize_name, normalize_phone
from backend.errors import ValidationError

#: the smallest touch target, in pixels (guidelines ask for 44-48; we use more)
TOUCH_PX = 64


def touch_button(text: str, *, primary: bool = False, name: str = "") -> QPushButton:
    button = QPushButton(text)
    button.setObjectName(name or ("primary" if primary else "touch"))
    button.setMinimumSize(TOUCH_PX * 2, TOUCH_PX)
    button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    button.setCursor(Qt.CursorShape.PointingHandCursor)
    return button


class PlanButton(QPushButton):
    """A plan as one large touch target: name (and badge) on the left, price on the right."""

    def __init__(self, name: str, price: str, per: str, recommended: bool) -> None:
        super().__init__()
        self.setObjectName("planButton")
        self.setProperty("recommended", recommended)
        self.setMinimumSize(TOUCH_PX * 4, TOUCH_PX * 3 // 2)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setAccessibleName(f"{name} {price} {per}".strip())
        self.name = QLabel(name)
        self.name.setObjectName("planName")
        self.badge = QLabel("★ Recommended")
        self.badge.setObjectName("planBadge")
        self.badge.setVisible(recommended)
        self.price = QLabel(price)
        self.price.setObjectName("planPrice")
        self.per = QLabel(per)
        self.per.setObjectName("planPer")
        self.price.setVisible(bool(price))
        left = QVBoxLayout()
        left.addStretch(1)
        left.addWidget(self.name)
        left.addWidget(self.badge)
        left.addStretch(1)
        right = QVBoxLayout()
        right.addStretch(1)
        right.addWidget(self.price, 0, Qt.AlignmentFlag.AlignRight)
        right.addWidget(self.per, 0, Qt.AlignmentFlag.AlignRight)
        right.addStretch(1)
        row = QHBoxLayout(self)
        row.setContentsMargins(32, 16, 32, 16)
        row.addLayout(left)
        row.addStretch(1)
        row.addLayout(right)
        for label in (self.name, self.badge, self.price, self.per):
            label.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents, True)


class PlanPage(ScaledPanel):
    """Step 1: the plans as large buttons, with a Monthly/Yearly switch."""

    chosen = Signal(dict, str)  # tier dict, interval
    side_margin = 0.06

    def __init__(self, *, annual: bool, trial: bool, currency: str) -> None:
        super().__init__()
        self.setObjectName("planPage")
        self.currency = currency
        self.features = {"free_trial": trial, "annual_billing": annual}
        self.interval = "month"
        self.title = role_label("Welcome to AUTOOS", "title", center=True)
        self.subtitle = role_label("Choose a plan to get started", "subtitle", center=True)
        self.monthly = touch_button("Monthly", name="intervalButton")
        self.yearly = touch_button("Yearly", name="intervalButton")
        group = QButtonGroup(self)
        for button in (self.monthly, self.yearly):
            button.setCheckable(True)
            group.addButton(button)
        self.monthly.setChecked(True)
        self.monthly.clicked.connect(lambda: self._set_interval("month"))
        self.yearly.clicked.connect(lambda: self._set_interval("year"))
        toggle = QHBoxLayout()
        toggle.addStretch(1)
        toggle.addWidget(self.monthly)
        toggle.addWidget(self.yearly)
        toggle.addStretch(1)
        self.yearly.setVisible(annual)
        self.monthly.setVisible(annual)
        self.loading = role_label("Loading the plans…", "subtitle", center=True)
        self.grid = QGridLayout()
        self.grid.setSpacing(24)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(48, 48, 48, 48)
        layout.addWidget(self.title)
        layout.addWidget(self.subtitle)
        layout.addSpacing(24)
        layout.addLayout(toggle)
        layout.addSpacing(24)
        layout.addWidget(self.loading)
        layout.addLayout(self.grid)
        layout.addStretch(1)
        self.tiers: list[dict[str, Any]] = []
        self.buttons: dict[str, PlanButton] = {}

    def set_tiers(self, tiers: Sequence[Mapping[str, Any]]) -> None:
        self.loading.hide()
        self.tiers = offered(tiers, self.features)
        self._build()

    def _set_interval(self, interval: str) -> None:
        self.interval = interval
        self._build()

    def _lines(self, tier: Mapping[str, Any]) -> tuple[str, str]:
        if tier.get("contact_sales"):
            return "", "Custom price: ask us at the counter"
        if tier.get("trial_days"):
            return "Free", f"for {tier['trial_days']} days, no card needed"
        amount = tier_amount(tier, self.currency, self.interval)
        return amount, PER[self.interval] if amount else ""

    def _build(self) -> None:
        for button in self.buttons.values():
            self.grid.removeWidget(button)
            button.deleteLater()
        self.buttons = {}
        for index, tier in enumerate(self.tiers):
            price, per = self._lines(tier)
            button = PlanButton(
                str(tier.get("name", "")), price, per, bool(tier.get("recommended"))
            )
            if tier.get("contact_sales") or not (tier.get("trial_days") or self._sellable(tier)):
                button.setEnabled(False)
            button.clicked.connect(lambda _=False, t=tier: self.chosen.emit(t, self.interval))
            self.grid.addWidget(button, index // 2, index % 2)
            self.buttons[str(tier.get("id"))] = button
        self.rescale()  # the new buttons' labels take this screen's sizes

    def _sellable(self, tier: Mapping[str, Any]) -> bool:
        return any(
            p["currency"] == self.currency and p["interval"] == self.interval
            for p in tier.get("prices", [])
        )


@dataclass(frozen=True)
class Details:
    name: str
    email: str | None
    phone: str | None


def check_details(name: str, phone: str, email: str) -> tuple[Details | None, dict[str, str]]:
    """Validate what the customer typed; return clean details or messages by field."""
    errors: dict[str, str] = {}
    clean_name = clean_email = clean_phone = None
    try:
        clean_name = normalize_name(name)
    except ValidationError as exc:
        errors["name"] = str(exc).replace("the customer's", "your")
    if phone.strip():
        try:
            clean_phone = normalize_phone(phone)
        except ValidationError as exc:
            errors["phone"] = str(exc)
    if email.strip():
        try:
            clean_email = normalize_email(email)
        except ValidationError as exc:
            errors["email"] = str(exc)
    if not phone.strip() and not email.strip():
        errors["phone"] = "Enter your phone number or your email address."
    if errors or clean_name is None:
        return None, errors
    return Details(clean_name, clean_email, clean_phone), {}


class DetailsPage(ScaledPanel):
    """Step 2: name, and a phone number or email address, checked as you go on."""

    submitted = Signal(object)  # Details
    back = Signal()
    side_margin = 0.19

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("detailsPage")
        self.title = role_label("Your details", "title", center=True)
        self.summary = role_label("", "subtitle", center=True)
        self.fields: dict[str, QLineEdit] = {}
        self.errors: dict[str, QLabel] = {}
        form = QVBoxLayout()
        form.setSpacing(6)
        for key, label, hint in (
            ("name", "Your name", "e.g. Priya Sharma"),
            ("phone", "Phone number", "e.g. 98765 43210"),
            ("email", "Email address", "e.g. priya@example.com"),
        ):
            caption = QLabel(label)
            caption.setObjectName("fieldLabel")
            edit = QLineEdit()
            edit.setObjectName(key)
            edit.setPlaceholderText(hint)
            edit.setMinimumHeight(TOUCH_PX)
            edit.returnPressed.connect(self.submit)
            error = QLabel("")
            error.setObjectName("error")
            error.setWordWrap(True)
            error.hide()
            form.addWidget(caption)
            form.addWidget(edit)
            form.addWidget(error)
            form.addSpacing(10)
            self.fields[key] = edit
            self.errors[key] = error
        self.fields["phone"].setInputMethodHints(Qt.InputMethodHint.ImhDialableCharactersOnly)
        self.fields["email"].setInputMethodHints(Qt.InputMethodHint.ImhEmailCharactersOnly)
        self.note = role_label("A phone number or an email address is enough.", "hint")
        self.status = QLabel("")
        self.status.setObjectName("error")
        self.status.setWordWrap(True)
        self.back_button = touch_button("Back")
        self.continue_button = touch_button("Continue", primary=True)
        self.back_button.clicked.connect(self.back)
        self.continue_button.clicked.connect(self.submit)
        buttons = QHBoxLayout()
        buttons.addWidget(self.back_button)
        buttons.addStretch(1)
        buttons.addWidget(self.continue_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(48, 48, 48, 48)
        layout.addWidget(self.title)
        layout.addWidget(self.summary)
        layout.addSpacing(24)
        layout.addLayout(form)
        layout.addWidget(self.note)
        layout.addWidget(self.status)
        layout.addStretch(1)
        layout.addLayout(buttons)

    def prepare(self, summary: str, action: str) -> None:
        self.summary.setText(summary)
        self.continue_button.setText(action)
        self.set_busy(False)
        self.show_errors({})

    def clear(self) -> None:
        for edit in self.fields.values():
            edit.clear()
        self.show_errors({})

    def set_busy(self, busy: bool) -> None:
        self.continue_button.setEnabled(not busy)
        self.back_button.setEnabled(not busy)
        if busy:
            self.status.setText("")

    def show_errors(self, errors: Mapping[str, str], general: str = "") -> None:
        for key, label in self.errors.items():
            label.setText(errors.get(key, ""))
            label.setVisible(key in errors)
        self.status.setText(general)
        self.status.setVisible(bool(general))

    def submit(self) -> None:
        if not self.continue_button.isEnabled():
            return
        details, errors = check_details(
            self.fields["name"].text(), self.fields["phone"].text(), self.fields["email"].text()
        )
        self.show_errors(errors)
        if details is not None:
            self.submitted.emit(details)


class MethodPage(ScaledPanel):
    """Step 3 for a paid plan: UPI QR, or card when Stripe is configured."""

    upi = Signal()
    card = Signal()
    back = Signal()
    side_margin = 0.25

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("methodPage")
        self.title = role_label("How would you like to pay?", "title", center=True)
        self.summary = role_label("", "amount", center=True)
        self.plan = role_label("", "plan", center=True)
        self.upi_button = touch_button("Pay with UPI (scan a QR)", primary=True)
        self.card_button = touch_button("Pay by card (scan a QR)")
        self.status = QLabel("")
        self.status.setObjectName("error")
        self.status.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.status.setWordWrap(True)
        self.back_button = touch_button("Back")
        self.upi_button.clicked.connect(self.upi)
        self.card_button.clicked.connect(self.card)
        self.back_button.clicked.connect(self.back)
        for button in (self.upi_button, self.card_button):
            button.setMinimumHeight(TOUCH_PX + 32)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(48, 64, 48, 48)
        layout.addWidget(self.title)
        layout.addSpacing(24)
        layout.addWidget(self.summary)
        layout.addWidget(self.plan)
        layout.addSpacing(48)
        layout.addWidget(self.upi_button)
        layout.addSpacing(16)
        layout.addWidget(self.card_button)
        layout.addWidget(self.status)
        layout.addStretch(1)
        row = QHBoxLayout()
        row.addWidget(self.back_button)
        row.addStretch(1)
        layout.addLayout(row)

    def prepare(self, amount: str, plan: str, *, upi: bool, card: bool) -> None:
        self.summary.setText(amount)
        self.plan.setText(plan)
        self.upi_button.setVisible(upi)
        self.card_button.setVisible(card)
        self.set_busy(False)

    def set_busy(self, busy: bool, message: str = "") -> None:
        for button in (self.upi_button, self.card_button, self.back_button):
            button.setEnabled(not busy)
        self.status.setText(message)


class PinPage(ScaledPanel):
    """The admin unlock prompt, reached by the hidden gesture or key chord."""

    entered = Signal(str, str)  # name, pin
    cancelled = Signal()
    side_margin = 0.29

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("pinPage")
        self.title = role_label("Admin unlock", "title", center=True)
        self.name = QLineEdit()
        self.name.setObjectName("adminName")
        self.name.setPlaceholderText("Admin name")
        self.pin = QLineEdit()
        self.pin.setObjectName("adminPin")
        self.pin.setPlaceholderText("PIN")
        self.pin.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin.setInputMethodHints(Qt.InputMethodHint.ImhDigitsOnly)
        for edit in (self.name, self.pin):
            edit.setMinimumHeight(TOUCH_PX)
        self.pin.returnPressed.connect(self._submit)
        self.error = QLabel("")
        self.error.setObjectName("error")
        self.error.setWordWrap(True)
        self.unlock_button = touch_button("Unlock and exit", primary=True)
        self.cancel_button = touch_button("Cancel")
        self.unlock_button.clicked.connect(self._submit)
        self.cancel_button.clicked.connect(self.cancelled)
        row = QHBoxLayout()
        row.addWidget(self.cancel_button)
        row.addStretch(1)
        row.addWidget(self.unlock_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(48, 120, 48, 120)
        layout.addWidget(self.title)
        layout.addSpacing(32)
        layout.addWidget(self.name)
        layout.addWidget(self.pin)
        layout.addWidget(self.error)
        layout.addStretch(1)
        layout.addLayout(row)

    def reset(self) -> None:
        self.name.clear()
        self.pin.clear()
        self.error.setText("")
        self.set_busy(False)

    def set_busy(self, busy: bool) -> None:
        self.unlock_button.setEnabled(not busy)
        self.cancel_button.setEnabled(not busy)

    def _submit(self) -> None:
        if self.unlock_button.isEnabled():
            self.entered.emit(self.name.text(), self.pin.text())
