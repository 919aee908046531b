"""The one look: ``resources/style.qss`` and a font that has the ₹ glyph."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication, QFormLayout, QLabel, QWidget

if TYPE_CHECKING:
    from PySide6.QtWidgets import QStyle

from resources import read_text, resource_path

#: the one plain-text style of this process, held here so that Python never collects
#: the object whose ``polish`` Qt keeps calling
_plain_style: list[QStyle] = []


def use_plain_text_labels(app: QApplication) -> None:
    """Make every label show its text as typed, from now on and for labels made before
    (installing a style polishes every widget again).

    A QLabel reads text that looks like HTML as rich text, and names typed by customers
    (at the kiosk) or staff must never turn into markup on the till's screens. The staff
    window calls this after its first paint: QProxyStyle's type and its first polish
    build PySide6's style and ``Qt`` enums, ~17 ms (benchmarks/startup.py)."""
    if _plain_style:
        return
    from PySide6.QtWidgets import QProxyStyle

    class PlainTextLabels(QProxyStyle):
        def polish(self, target: object) -> object:  # type: ignore[override]
            if isinstance(target, QLabel):
                target.setProperty("textFormat", 0)  # Qt.TextFormat.PlainText
            return super().polish(target)  # type: ignore[arg-type]

    _plain_style.append(PlainTextLabels())
    app.setStyle(_plain_style[0])


def apply_style(app: QApplication) -> None:
    """Apply the shipped style sheet to the whole application."""
    font = QFont("DejaVu Sans")
    font.setPointSizeF(11)
    app.setFont(font)
    icons = resource_path("icons").as_posix()
    app.setStyleSheet(read_text("style.qss").replace("@ICONS@", icons))


@contextmanager
def styled(app: QApplication) -> Iterator[None]:
    """The shipped style for a while (screenshots), then the application's own again."""
    sheet, font = app.styleSheet(), app.font()
    apply_style(app)
    try:
        yield
    finally:
        app.setStyleSheet(sheet)
        app.setFont(font)


def set_flag(widget: QWidget, name: str, value: object) -> None:
    """Set a dynamic property used by the style sheet and restyle the widget."""
    widget.setProperty(name, value)
    style = widget.style()
    style.unpolish(widget)
    style.polish(widget)
    widget.update()


def set_role(label: QWidget, role: str) -> None:
    """Give a label another text role (``error``, ``success``, ``hint``) and restyle it."""
    label.setObjectName(role)
    style = label.style()
    style.unpolish(label)
    style.polish(label)
    label.update()


def show_message(label: QLabel, role: str, text: str) -> None:
    """Say ``text`` in ``label`` in its role's colours (``error``, ``success``, ``hint``);
    an empty text hides the label, so no empty message box is left on screen."""
    if text:
        set_role(label, role)
    label.setText(text)
    label.setVisible(bool(text))


def add_form_row(form: QFormLayout, text: str, field: QWidget) -> QLabel:
    """A form row whose label sits level with the middle of its (tall, touch-sized) field:
    as tall as the field, with QLabel's own default alignment (left, vertically centred)."""
    label = QLabel(text)
    label.setBuddy(field)
    label.setMinimumHeight(field.sizeHint().height())
    form.addRow(label, field)
    return label
