"""The admin's Settings page: the shop, UPI, features, mail and the customer screens,
changed in place and saved to the settings file.

Each field is the backend's own list (``editable_settings``), so the page and the file
never disagree about what can be changed or how it is checked. A key
an environment variable sets is shown but locked. Secrets are not on this page at all:
they live in the environment or the OS keyring.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.runtime.tasks import TaskRunner
from app.text.messages import say
from app.widgets.style import add_form_row, set_flag, set_role
from backend.interface import CheckoutApi

SECTIONS = {
    "shop": "Shop (receipts and GST invoices)",
    "upi": "UPI QR payments",
    "features": "Features",
    "mail": "Mail (receipts by email)",
    "ui": "Customer display and kiosk",
}
#: which column each section sits in
COLUMNS = (("shop", "upi"), ("features", "mail", "ui"))

Editor = QLineEdit | QCheckBox | QComboBox


class SettingsView(QWidget):
    """Every editable setting in a form; Save writes the changed ones (all or none)."""

    #: the settings were saved (the window then shows what they allow)
    saved = Signal()

    def __init__(self, api: CheckoutApi, runner: TaskRunner) -> None:
        super().__init__()
        self.api = api
        self.runner = runner
        self.editors: dict[str, Editor] = {}
        self.loaded: dict[str, Any] = {}
        self._forms: dict[str, QFormLayout] = {}
        outer = QVBoxLayout(self)
        outer.setContentsMargins(24, 18, 24, 12)
        title = QLabel("Settings")
        title.setObjectName("title")
        outer.addWidget(title)
        hint = QLabel(
            "Changes are saved to the settings file and used at once. Secrets (Stripe, "
            "Razorpay, the SMTP password) are never typed here: set them in the environment "
            "or the OS keyring (docs/configuration.md)."
        )
        hint.setObjectName("hint")
        hint.setWordWrap(True)
        outer.addWidget(hint)
        body = QWidget()
        columns = QHBoxLayout(body)
        columns.setContentsMargins(0, 0, 0, 0)
        for sections in COLUMNS:
            column = QVBoxLayout()
            for section in sections:
                box = QGroupBox(SECTIONS[section])
                self._forms[section] = QFormLayout(box)
                column.addWidget(box)
            column.addStretch(1)
            columns.addLayout(column, 1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(body)
        outer.addWidget(scroll, 1)
        self.where = QLabel()
        self.where.setObjectName("hint")
        self.where.setWordWrap(True)
        outer.addWidget(self.where)
        bar = QHBoxLayout()
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.hide()
        bar.addWidget(self.message, 100)
        bar.addStretch(1)  # the buttons keep their size while there is no message
        self.undo = QPushButton("&Undo changes")
        self.undo.clicked.connect(self._fill)
        self.save = QPushButton("&Save changes")
        self.save.setObjectName("primary")
        self.save.clicked.connect(self._save)
        bar.addWidget(self.undo)
        bar.addWidget(self.save)
        outer.addLayout(bar)
        self._update_buttons()

    # loading --------------------------------------------------------------------------
    def reload(self) -> None:
        api = self.api
        self.runner.run_net(  # three reads; whether cards work may ask the OS keyring
            lambda: (api.editable_settings(), api.settings_view(), api.card_status()),
            self._show,
            self._failed,
        )

    def _show(self, result: tuple[dict[str, Any], dict[str, Any], dict[str, Any]]) -> None:
        editable, view, card = result
        if not self.editors:
            for field in editable["fields"]:
                self._add_editor(field)
        edits = self.changes() if self.loaded else {}
        self._remember(editable)
        for field in editable["fields"]:
            editor = self.editors[self._name(field)]
            locked = field["locked_by"]
            editor.setEnabled(not locked)
            editor.setToolTip(f"Set by the environment variable {locked}." if locked else "")
        if edits:  # back on the page with changes not saved yet: keep them
            self._update_buttons()
        else:
            self._fill()
        card_text = "card payments ready" if card.get("configured") else card.get("reason", "")
        self.where.setText(
            f"Settings file: {editable['path'] or 'none (changes cannot be saved)'} · "
            f"Database: {view['database']} · Plans: {view['catalog']} · Card: {card_text}"
        )

    def _add_editor(self, field: dict[str, Any]) -> None:
        editor: Editor
        if field["kind"] == "bool":
            editor = QCheckBox("On")
            editor.toggled.connect(self._edited)
        elif field["kind"] == "choice":
            editor = QComboBox()
            choices = list(field["choices"])
            if str(field["value"]) not in choices:  # a spelling from a hand-edited file
                choices.append(str(field["value"]))
            editor.addItems(choices)
            editor.currentIndexChanged.connect(self._edited)
        else:
            editor = QLineEdit()
            editor.setPlaceholderText(field["hint"])
            editor.textEdited.connect(self._edited)
        editor.setAccessibleName(field["label"])
        form = self._forms[field["section"]]
        add_form_row(form, field["label"], editor)
        if field["locked_by"]:
            note = QLabel(f"Set by {field['locked_by']} on this computer; change it there.")
            note.setObjectName("hint")
            note.setWordWrap(True)
            form.addRow("", note)
        self.editors[self._name(field)] = editor

    def _remember(self, editable: dict[str, Any]) -> None:
        """The saved values, which Undo puts back and edits are compared with."""
        self.loaded = {self._name(f): f["value"] for f in editable["fields"]}

    @staticmethod
    def _name(field: dict[str, Any]) -> str:
        return f"{field['section']}.{field['key']}"

    def _fill(self) -> None:
        """Put the saved values back in every field (also what Undo does)."""
        for name, value in self.loaded.items():
            editor = self.editors[name]
            editor.blockSignals(True)
            if isinstance(editor, QCheckBox):
                editor.setChecked(bool(value))
            elif isinstance(editor, QComboBox):
                editor.setCurrentText(str(value))
            else:
                editor.setText("" if value is None else str(value))
            editor.blockSignals(False)
            set_flag(editor, "invalid", False)
        self._say("", "")
        self._update_buttons()

    # saving ---------------------------------------------------------------------------
    def current(self, name: str) -> Any:
        editor = self.editors[name]
        if isinstance(editor, QCheckBox):
            return editor.isChecked()
        if isinstance(editor, QComboBox):
            return editor.currentText()
        return editor.text()

    def changes(self) -> dict[str, dict[str, Any]]:
        """``{section: {key: value}}`` of the fields that differ from the saved values."""
        changed: dict[str, dict[str, Any]] = {}
        for name, saved in self.loaded.items():
            value = self.current(name)
            if str(value).strip() != ("" if saved is None else str(saved)):
                section, key = name.split(".", 1)
                changed.setdefault(section, {})[key] = value
        return changed

    def _edited(self, *_args: object) -> None:
        sender = self.sender()
        if isinstance(sender, QWidget):
            set_flag(sender, "invalid", False)
        self._say("", "")
        self._update_buttons()

    def _say(self, role: str, text: str) -> None:
        """The message under the form: shown in its colours only when there is one."""
        if role:
            set_role(self.message, role)
        self.message.setText(text)
        self.message.setVisible(bool(text))

    def _update_buttons(self) -> None:
        dirty = bool(self.loaded) and bool(self.changes())
        self.save.setEnabled(dirty)
        self.undo.setEnabled(dirty)

    def _save(self) -> None:
        changes = self.changes()
        if not changes:
            return
        self.save.setEnabled(False)
        self.runner.call(
            self.api.update_settings, changes, on_success=self._saved, on_failure=self._failed
        )

    def _saved(self, editable: dict[str, Any]) -> None:
        self._remember(editable)
        self._fill()
        self._say("success", f"Saved to {editable['path']}. The till uses the new settings now.")
        self.saved.emit()

    def _failed(self, exc: Exception) -> None:
        self._say("error", say(exc))
        fields = list(getattr(exc, "problems", {})) or [getattr(exc, "field", None)]
        marked = [self.editors[name] for name in fields if name in self.editors]
        for editor in marked:
            set_flag(editor, "invalid", True)
        if marked:
            marked[0].setFocus()
        self._update_buttons()
