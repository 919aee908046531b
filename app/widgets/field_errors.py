"""A form that shows every refused field at once: the backend's reason under each wrong
field, the field marked, the first one focused.

The backend checks a form whole and names every wrong field
(:class:`~backend.errors.FieldsInvalid` ``.problems``); a narrower refusal names one
(``field``). :func:`problems_of` reads either; :class:`FieldErrors` puts them on screen.
"""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget

from app.text.messages import say
from app.widgets.style import set_flag
from backend.errors import CheckoutError

#: the message under a field: the error colour, without the message box's frame
FIELD_ERROR_STYLE = "color: #9b1c1c; font-size: 13px; padding: 0 0 2px 2px;"


def problems_of(exc: BaseException, prefix: str = "") -> dict[str, str]:
    """``{field: reason}`` for every field ``exc`` refuses (``prefix`` is dropped from
    names such as ``shop.gstin``); empty when it names none."""
    problems = getattr(exc, "problems", None)
    if isinstance(problems, Mapping) and problems:
        found = {str(k): str(v) for k, v in problems.items()}
    elif isinstance(exc, CheckoutError) and exc.field:
        found = {exc.field: say(exc)}
    else:
        return {}
    if prefix:
        found = {k.removeprefix(prefix): v for k, v in found.items()}
    return found


def error_label(object_name: str = "fieldError") -> QLabel:
    """The small message under one field (hidden while there is nothing to say)."""
    label = QLabel()
    label.setObjectName(object_name)
    label.setWordWrap(True)
    label.setStyleSheet(FIELD_ERROR_STYLE)
    label.hide()
    return label


class FieldErrors:
    """The message labels and editors of one form, by field name."""

    def __init__(self) -> None:
        self.editors: dict[str, QWidget] = {}
        self.labels: dict[str, QLabel] = {}

    def add(self, name: str, editor: QWidget, label: QLabel | None = None) -> QLabel:
        """Watch ``editor`` as field ``name``; returns its message label (made if not
        given) for the form to place under it."""
        self.editors[name] = editor
        self.labels[name] = label or error_label()
        return self.labels[name]

    def clear(self, name: str | None = None) -> None:
        """Forget the messages (of one field, or all)."""
        for key in [name] if name is not None else list(self.editors):
            if key in self.editors:
                set_flag(self.editors[key], "invalid", False)
                self.labels[key].clear()
                self.labels[key].hide()

    def show(self, problems: Mapping[str, str]) -> list[str]:
        """Mark every field in ``problems`` with its reason (the others cleared), focus
        the first; returns the problems that belong to no field of this form."""
        self.clear()
        first: QWidget | None = None
        elsewhere: list[str] = []
        for name, reason in problems.items():
            editor = self.editors.get(name)
            if editor is None:
                elsewhere.append(reason)
                continue
            set_flag(editor, "invalid", True)
            self.labels[name].setText(reason)
            self.labels[name].show()
            first = first or editor
        if first is not None:
            first.setFocus(Qt.FocusReason.OtherFocusReason)
        return elsewhere

    def shown(self) -> dict[str, str]:
        """The messages on screen now, by field (tests, screenshots)."""
        return {k: label.text() for k, label in self.labels.items() if not label.isHidden()}
