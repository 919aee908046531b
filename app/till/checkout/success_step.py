"""Checkout step 5: paid (or trial started) — the receipt number and what to do with the
receipt (save, print, email; an action that cannot work says why)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from app.till.checkout.step_title import step_title
from app.widgets.style import show_message

#: the rows of the summary, and what each is called unless the result names it otherwise
ROWS = (
    ("receipt_no", "Receipt number"),
    ("customer", "Customer"),
    ("plan", "Plan"),
    ("amount", "Amount"),
    ("paid_at", "Paid at"),
    ("reference", "Reference"),
    ("mandate", "Renews by"),
)


class SuccessStep(QWidget):
    """Paid (or trial started): the receipt number and what to do with the receipt."""

    save_pdf = Signal()
    print_receipt = Signal()
    email_receipt = Signal()
    next_sale = Signal()

    def __init__(self) -> None:
        super().__init__()
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        self.heading = step_title("Payment received ✓")
        lay.addWidget(self.heading)
        self.banner = QLabel()
        self.banner.setObjectName("success")
        self.banner.setWordWrap(True)
        lay.addWidget(self.banner)
        grid = QGridLayout()
        grid.setHorizontalSpacing(24)
        grid.setVerticalSpacing(8)
        self.values: dict[str, QLabel] = {}
        self.names: dict[str, QLabel] = {}
        for row, (key, label) in enumerate(ROWS):
            name = QLabel(label)
            name.setObjectName("hint")
            value = QLabel()
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            if key == "receipt_no":
                value.setObjectName("receiptNo")
            grid.addWidget(name, row, 0)
            grid.addWidget(value, row, 1)
            self.values[key] = value
            self.names[key] = name
        grid.setColumnStretch(1, 1)
        lay.addLayout(grid)
        self.receipt_note = QLabel()
        self.receipt_note.setObjectName("reason")
        self.receipt_note.setWordWrap(True)
        lay.addWidget(self.receipt_note)
        self.feedback = QLabel()
        self.feedback.setWordWrap(True)
        self.feedback.hide()
        lay.addWidget(self.feedback)
        lay.addStretch(1)
        actions = QHBoxLayout()
        self.pdf = QPushButton("Save &PDF…")
        self.pdf.clicked.connect(self.save_pdf.emit)
        self.print = QPushButton("P&rint…")
        self.print.clicked.connect(self.print_receipt.emit)
        self.email = QPushButton("&Email receipt")
        self.email.clicked.connect(self.email_receipt.emit)
        for button in (self.pdf, self.print, self.email):
            actions.addWidget(button)
        actions.addStretch(1)
        self.next = QPushButton("&Next sale (Enter)")
        self.next.setObjectName("primary")
        self.next.setDefault(True)
        self.next.clicked.connect(self.next_sale.emit)
        actions.addWidget(self.next)
        lay.addLayout(actions)

    def show_result(
        self,
        *,
        heading: str,
        banner: str,
        values: dict[str, str],
        receipt_reasons: dict[str, str | None],
        labels: dict[str, str] | None = None,
    ) -> None:
        """The result; a row whose key is not in ``values`` is not shown at all, and
        ``labels`` renames rows (a trial's "Started" instead of "Paid at")."""
        self.heading.setText(heading)
        self.banner.setText(banner)
        names = dict(ROWS) | (labels or {})
        for key, label in self.values.items():
            label.setText(values.get(key) or "—")
            self.names[key].setText(names[key])
            label.setVisible(key in values)
            self.names[key].setVisible(key in values)
        self.set_receipt_reasons(receipt_reasons)
        self.say("")
        self.next.setFocus(Qt.FocusReason.OtherFocusReason)

    def set_receipt_reasons(self, receipt_reasons: dict[str, str | None]) -> None:
        """Enable each receipt action that can work now; say why for the others."""
        notes = []
        for key, button in (("pdf", self.pdf), ("print", self.print), ("email", self.email)):
            reason = receipt_reasons.get(key)
            button.setEnabled(reason is None)
            button.setToolTip(reason or "")
            if reason and reason not in notes:
                notes.append(reason)
        self.receipt_note.setText("\n".join(notes))
        self.receipt_note.setVisible(bool(notes))

    def say(self, message: str, ok: bool = True) -> None:
        show_message(self.feedback, "success" if ok else "error", message)
