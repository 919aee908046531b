"""Where the customer display goes: a pure choice over screen descriptions, plus the Qt
wiring that re-makes the choice whenever a screen is plugged in, removed or made primary.

The choice is a pure function (:func:`choose_placement`) so it is tested without real
monitors; :class:`ScreenWatcher` only turns Qt's screen signals into one ``changed``
signal and describes the current screens.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import QObject, QRect, Signal
from PySide6.QtGui import QGuiApplication, QScreen

AUTO = "auto"
PRIMARY = "primary"


@dataclass(frozen=True)
class ScreenInfo:
    """What the choice needs to know about one monitor."""

    name: str
    x: int
    y: int
    width: int
    height: int
    primary: bool = False


@dataclass(frozen=True)
class Placement:
    """``fullscreen`` on ``screen``, or a normal ``window`` (beside the staff window)."""

    mode: str  # "fullscreen" | "window"
    screen: str | None


def choose_placement(
    screens: Sequence[ScreenInfo], setting: str = AUTO, *, standalone: bool = False
) -> Placement:
    """Pick the display's screen from ``settings.ui.display_screen``.

    - a screen *name*: full-screen there when that screen is connected, else as ``auto``;
    - ``primary``: full-screen on the primary screen when there are two or more screens;
    - ``auto``: full-screen on the first non-primary screen.
    With one screen the display shares it with the staff window, so it opens as a window
    beside it — unless it runs stand-alone (``autoos-checkout display``), when it owns
    the screen and goes full-screen.
    """
    if not screens:
        return Placement("window", None)
    primary = next((s for s in screens if s.primary), screens[0])
    wanted = (setting or AUTO).strip()
    if wanted not in (AUTO, PRIMARY):
        named = next((s for s in screens if s.name == wanted), None)
        if named is not None:
            return Placement("fullscreen", named.name)
    if len(screens) == 1:
        return Placement("fullscreen" if standalone else "window", primary.name)
    if wanted == PRIMARY:
        return Placement("fullscreen", primary.name)
    other = next(s for s in screens if s is not primary)
    return Placement("fullscreen", other.name)


def beside(
    anchor: QRect | None,
    available: QRect,
    width: int,
    height: int,
    gap: int = 16,
    min_width: int = 560,
) -> QRect:
    """Where the display's window goes on a screen it shares with the staff window.

    Right of ``anchor`` (or left) at ``width``×``height`` when that fits; else in the
    larger room beside it, as wide as that room and as tall as the anchor, when the
    room is at least ``min_width`` (the plans become a price list there); else it has
    to overlap, at the right edge. Always inside the screen's ``available`` area;
    without an anchor, at the right edge."""
    width = min(width, available.width())
    height = min(height, available.height())
    if anchor is None or anchor.isNull():
        return QRect(available.right() + 1 - width, available.top(), width, height)
    right = available.right() + 1 - (anchor.right() + 1 + gap)
    left = anchor.left() - gap - available.left()
    if right < width and left < width and max(right, left) >= min_width:
        width = max(right, left)
        height = min(available.height(), max(height, anchor.height()))
    if right >= width:
        x = anchor.right() + 1 + gap
    elif left >= width:
        x = anchor.left() - gap - width
    else:  # no room beside: overlap, at the right edge
        x = available.right() + 1 - width
    y = max(available.top(), min(anchor.top(), available.bottom() + 1 - height))
    return QRect(x, y, width, height)


def describe(screen: QScreen, primary: QScreen | None) -> ScreenInfo:
    geo = screen.geometry()
    return ScreenInfo(
        name=screen.name(),
        x=geo.x(),
        y=geo.y(),
        width=geo.width(),
        height=geo.height(),
        primary=screen is primary,
    )


def current_screens() -> list[ScreenInfo]:
    """The connected screens as :class:`ScreenInfo`, in Qt's order."""
    primary = QGuiApplication.primaryScreen()
    return [describe(s, primary) for s in QGuiApplication.screens()]


def screen_named(name: str | None) -> QScreen | None:
    for screen in QGuiApplication.screens():
        if screen.name() == name:
            return screen
    return None


class ScreenWatcher(QObject):
    """Emits ``changed`` when a screen is added or removed or the primary one changes."""

    changed = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        app = QGuiApplication.instance()
        assert isinstance(app, QGuiApplication), "ScreenWatcher needs a QGuiApplication"
        app.screenAdded.connect(self._on_change)
        app.screenRemoved.connect(self._on_change)
        app.primaryScreenChanged.connect(self._on_change)

    def _on_change(self, _screen: QScreen | None = None) -> None:
        self.changed.emit()
