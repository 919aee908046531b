"""Kiosk step 2: the customer's name, and a phone number or an email address, checked
as they go on (the same normalising rules as the backend's: a phone number with letters
in it is refused, not read as keypad digits). Every wrong field says why under itself,
all at once, and is outlined; so does whatever the store refuses afterwards."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QVBoxLayout

from app.kiosk.touch import TOUCH_PX, touch_button
from app.widgets.scaling import ScaledPanel, role_label
from backend.domain.identity import normalize_email, normalize_name, normalize_phone
from backend.errors import ValidationError

#: a refused field's outline (the kiosk's own style sheet sets the others)
INVALID = "border-color: #b42318; background: #fff6f5;"


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
        """Say each field's problem under it (and outline it); ``general`` under the form."""
        for key, label in self.errors.items():
            label.setText(errors.get(key, ""))
            label.setVisible(key in errors)
            self.fields[key].setStyleSheet(INVALID if key in errors else "")
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
