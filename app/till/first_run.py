"""First-run setup: the login screen of a till with no staff account yet.

The shop's name and address, its GSTIN with its state (checked together, as Settings
checks them), the UPI ID, payee name and merchant code, and the first admin. The admin
is made first (``create_first_admin``), signed in (``authenticate``, ``signed_in``), and
the shop's details are saved as that admin (``update_settings``), which checks them all at
once: every refused field is marked with its reason. Parts may be left empty; each says
what will not work until it is set. Once the admin exists, a second try only saves the
settings (or "Skip for now" goes in without them).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.runtime.tasks import TaskRunner
from app.text.messages import say
from app.widgets.field_errors import FieldErrors, problems_of
from app.widgets.pin_edit import pin_edit
from app.widgets.style import add_form_row, show_message
from backend.domain.gst import STATE_CODES
from backend.errors import Conflict
from backend.interface import CheckoutApi

#: (setting, label, hint) of each shop field, by group
SHOP = (
    ("shop.name", "Shop &name", "as on receipts, e.g. AUTOOS Indiranagar"),
    ("shop.address", "&Address", "street, city, PIN code (on receipts)"),
    ("shop.gstin", "&GSTIN", "15 characters, e.g. 29ABCDE1234F1ZW"),
    ("shop.state", "S&tate", ""),
)
UPI = (
    ("upi.vpa", "&UPI ID", "the shop's merchant UPI ID, e.g. shop@okaxis"),
    ("upi.payee_name", "Pa&yee name", "the name UPI apps show the customer"),
    ("upi.mcc", "&Merchant code", "4 digits (MCC), e.g. 5734"),
)
#: what does not work while a part is left empty
WITHOUT = {
    "gst": "Without a GSTIN and state, receipts cannot be issued yet (sales are still "
    "recorded; receipts become available as soon as they are set in Settings).",
    "address": "Without an address, receipts show no shop address.",
    "upi": "Without a UPI ID and payee name, customers cannot pay by UPI QR yet.",
    "mcc": "Without a merchant code, some UPI apps refuse or limit payments to the shop.",
}


class FirstRunView(QWidget):
    """Everything a new shop needs on day one, in one screen; ``finished`` with the
    admin (signed in) when done."""

    finished = Signal(dict)
    #: someone made an account meanwhile (another till): sign in instead
    taken = Signal()

    def __init__(self, api: CheckoutApi, runner: TaskRunner) -> None:
        super().__init__()
        self.setObjectName("page")
        self.api = api
        self.runner = runner
        self.loaded: dict[str, str] = {}
        self.admin: dict[str, Any] | None = None
        self.acting: CheckoutApi | None = None
        self.editors: dict[str, QLineEdit | QComboBox] = {}
        self.errors = FieldErrors()
        self.notes: dict[str, QLabel] = {}
        box = QFrame()
        box.setObjectName("loginBox")
        lay = QVBoxLayout(box)
        lay.setContentsMargins(28, 20, 28, 20)
        lay.setSpacing(10)
        title = QLabel("Welcome to AUTOOS Checkout")
        title.setObjectName("title")
        lay.addWidget(title)
        hint = QLabel(
            "Set up the shop and its first admin. Only the admin is needed now; whatever "
            "you leave empty can be set later in Settings, and says below what waits for it."
        )
        hint.setObjectName("hint")
        hint.setWordWrap(True)
        lay.addWidget(hint)
        columns = QHBoxLayout()
        columns.setSpacing(18)
        left = QVBoxLayout()
        left.addWidget(
            self._group("The shop (on receipts and GST invoices)", SHOP, ("gst", "address"))
        )
        left.addStretch(1)
        right = QVBoxLayout()
        right.addWidget(self._group("UPI QR payments", UPI, ("upi", "mcc")))
        right.addWidget(self._admin_group())
        right.addStretch(1)
        columns.addLayout(left, 1)
        columns.addLayout(right, 1)
        lay.addLayout(columns)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.hide()
        lay.addWidget(self.message)
        buttons = QHBoxLayout()
        self.skip = QPushButton("S&kip the shop details for now")
        self.skip.setToolTip("Go in as the admin; set the rest later in Settings.")
        self.skip.clicked.connect(self._skip)
        self.skip.hide()
        buttons.addWidget(self.skip)
        buttons.addStretch(1)
        self.create_admin = QPushButton("Create admin and start")
        self.create_admin.setObjectName("primary")
        self.create_admin.clicked.connect(self.submit)
        buttons.addWidget(self.create_admin)
        lay.addLayout(buttons)
        outer = QHBoxLayout(self)
        outer.addStretch(1)
        column = QVBoxLayout()
        column.addStretch(1)
        column.addWidget(box)
        column.addStretch(2)
        outer.addLayout(column, 12)
        outer.addStretch(1)
        self._update_notes()

    # building ---------------------------------------------------------------------------
    def _group(self, title: str, fields: tuple[tuple[str, str, str], ...], notes: tuple[str, ...]):
        group = QGroupBox(title)
        form = QFormLayout(group)
        form.setVerticalSpacing(4)
        for name, label, hint in fields:
            editor: QLineEdit | QComboBox
            if name == "shop.state":
                editor = QComboBox()
                editor.addItem("— choose the shop's state —", "")
                for state in STATE_CODES:
                    editor.addItem(state, state)
                editor.currentIndexChanged.connect(lambda _i, n=name: self._edited(n))
            else:
                editor = QLineEdit()
                editor.setPlaceholderText(hint)
                editor.textEdited.connect(lambda _t, n=name: self._edited(n))
            editor.setAccessibleName(label.replace("&", ""))
            add_form_row(form, label, editor)
            form.addRow("", self.errors.add(name, editor))
            self.editors[name] = editor
        for key in notes:
            note = QLabel(WITHOUT[key])
            note.setObjectName("reason")
            note.setWordWrap(True)
            form.addRow(note)
            self.notes[key] = note
        return group

    def _admin_group(self) -> QGroupBox:
        group = QGroupBox("The first admin (adds staff, changes settings)")
        form = QFormLayout(group)
        form.setVerticalSpacing(4)
        self.admin_name = QLineEdit()
        self.admin_name.setPlaceholderText("e.g. Asha")
        self.admin_pin = pin_edit("4 to 8 digits")
        self.admin_pin2 = pin_edit("the same PIN again")
        for name, label, editor in (
            ("name", "Your na&me", self.admin_name),
            ("pin", "&PIN", self.admin_pin),
            ("pin2", "PIN a&gain", self.admin_pin2),
        ):
            editor.setAccessibleName(label.replace("&", ""))
            editor.textEdited.connect(lambda _t, n=name: self.errors.clear(n))
            add_form_row(form, label, editor)
            form.addRow("", self.errors.add(name, editor))
        self.admin_pin2.returnPressed.connect(self.submit)
        self.admin_group = group
        return group

    # reading and editing ----------------------------------------------------------------
    def load(self) -> None:
        """Fill in what the settings file already says (in the background)."""
        self.runner.call(self.api.settings_view, on_success=self._fill, owner=self)

    def _fill(self, view: dict[str, Any]) -> None:
        for name, editor in self.editors.items():
            section, key = name.split(".")
            value = str(view.get(section, {}).get(key) or "")
            self.loaded[name] = value
            if isinstance(editor, QComboBox):
                editor.setCurrentIndex(max(0, editor.findData(value)))
            else:
                editor.setText(value)
        self._update_notes()

    def value(self, name: str) -> str:
        editor = self.editors[name]
        if isinstance(editor, QComboBox):
            return str(editor.currentData() or "")
        return editor.text().strip()

    def changes(self) -> dict[str, dict[str, str]]:
        """``{section: {key: value}}`` of what differs from the settings as read."""
        changed: dict[str, dict[str, str]] = {}
        for name in self.editors:
            if self.value(name) != self.loaded.get(name, ""):
                section, key = name.split(".")
                changed.setdefault(section, {})[key] = self.value(name)
        return changed

    def _edited(self, name: str) -> None:
        self.errors.clear(name)
        self._update_notes()

    def _update_notes(self) -> None:
        """Each empty part says what waits for it."""
        missing = {
            "gst": not (self.value("shop.gstin") and self.value("shop.state")),
            "address": not self.value("shop.address"),
            "upi": not (self.value("upi.vpa") and self.value("upi.payee_name")),
            "mcc": not self.value("upi.mcc"),
        }
        for key, note in self.notes.items():
            note.setVisible(missing[key])

    # submitting -------------------------------------------------------------------------
    def submit(self) -> None:
        if self.acting is not None:  # the admin exists: only the settings are left
            self._save_settings()
            return
        name, pin = self.admin_name.text(), self.admin_pin.text()
        self.errors.clear()
        if pin != self.admin_pin2.text():
            self.errors.show({"pin2": "The two PINs are different. Type the same PIN twice."})
            self.admin_pin2.clear()
            return
        self._busy(True)
        self.runner.call(
            self.api.create_first_admin,
            name=name,
            pin=pin,
            on_success=lambda _admin: self._authenticate(name, pin),
            on_failure=self._admin_refused,
        )

    def _authenticate(self, name: str, pin: str) -> None:
        self.runner.call(
            self.api.authenticate, name, pin, on_success=self._act_as, on_failure=self._failed
        )

    def _act_as(self, admin: dict[str, Any]) -> None:
        self.admin = admin
        api = self.api
        self.runner.run_db(lambda: api.signed_in(admin), self._signed_in, self._failed, owner=self)

    def _signed_in(self, acting: CheckoutApi) -> None:
        self.acting = acting
        self.admin_group.setEnabled(False)
        self.admin_group.setTitle(f"The first admin: {self.admin['name'] if self.admin else ''} ✓")
        self._save_settings()

    def _save_settings(self) -> None:
        changes = self.changes()
        if not changes:
            self._done()
            return
        assert self.acting is not None
        self._busy(True)
        self.runner.call(
            self.acting.update_settings,
            changes,
            on_success=lambda _editable: self._done(),
            on_failure=self._settings_refused,
        )

    def _done(self) -> None:
        self._busy(False)
        if self.admin is not None:
            self.finished.emit(self.admin)

    def _skip(self) -> None:
        if self.admin is not None:
            self.finished.emit(self.admin)

    def _admin_refused(self, exc: Exception) -> None:
        self._busy(False)
        problems = problems_of(exc)
        if "pin" in problems or "name" in problems:
            self.errors.show(problems)
            return
        self._failed(exc)
        if isinstance(exc, Conflict):
            self.taken.emit()

    def _settings_refused(self, exc: Exception) -> None:
        self._busy(False)
        problems = problems_of(exc)
        left = self.errors.show(problems)
        count = len(problems) - len(left)
        if count and not left:
            text = (
                f"The admin is ready. Fix the {count} shop detail(s) marked above and press "
                "Save, or skip them for now."
            )
        else:
            text = f"The admin is ready, but the shop details were not saved: {say(exc)}"
        show_message(self.message, "error", text)
        self.create_admin.setText("Save and start")
        self.skip.show()

    def _failed(self, exc: Exception) -> None:
        self._busy(False)
        show_message(self.message, "error", say(exc))

    def _busy(self, busy: bool) -> None:
        self.create_admin.setEnabled(not busy)
        self.skip.setEnabled(not busy)
        if busy:
            show_message(self.message, "error", "")
