"""Driving the kiosk as a customer's finger would (shared by the local and remote tests)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton


def wait_for_plans(qtbot, kiosk) -> None:
    """The plan buttons exist and are on screen (new buttons are shown on the next turn
    of the event loop, and a finger cannot tap what is not shown yet)."""
    page = kiosk.plan_page
    qtbot.waitUntil(
        lambda: bool(page.buttons) and all(b.isVisible() for b in page.buttons.values())
    )


def tap(qtbot, button: QPushButton) -> None:
    assert button.isVisible(), button.text()
    assert button.isEnabled(), button.text()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
