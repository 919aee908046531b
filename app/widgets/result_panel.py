"""The outcome of a payment, large and unmistakable: ``Paid ✓``, ``Expired``, ``Cancelled``."""

from __future__ import annotations

from PySide6.QtWidgets import QVBoxLayout, QWidget

from app.widgets.scaling import ScaledPanel, role_label
from backend.domain.payments import Outcome

OUTCOMES = {
    Outcome.PAID: ("Paid ✓", "Thank you! Your plan is active."),
    Outcome.EXPIRED: ("Expired", "This payment request has expired. Nothing was charged."),
    Outcome.CANCELED: ("Cancelled", "This payment was cancelled. Nothing was charged."),
}


class ResultPanel(ScaledPanel):
    """A large, unmistakable outcome: ``Paid ✓``, ``Expired`` or ``Cancelled``."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("resultPanel")
        self.headline = role_label("", "headline", center=True)
        self.message = role_label("", "message", wrap=True, center=True)
        self.detail = role_label("", "subtitle", wrap=True, center=True)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addWidget(self.headline)
        layout.addSpacing(24)
        layout.addWidget(self.message)
        layout.addWidget(self.detail)
        layout.addStretch(1)
        self.outcome = ""

    def show_outcome(self, outcome: str, detail: str = "", message: str | None = None) -> None:
        headline, default_message = OUTCOMES[Outcome(outcome)]
        self.outcome = str(outcome)
        self.setProperty("outcome", str(outcome))  # the style sheet's colour
        self.headline.setText(headline)
        self.message.setText(default_message if message is None else message)
        self.detail.setText(detail)
        self.detail.setVisible(bool(detail))
        # re-apply the style sheet: the colour depends on the outcome property
        self.style().unpolish(self.headline)
        self.style().polish(self.headline)
        self.rescale()
