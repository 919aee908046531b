"""Keeping the kiosk over its whole screen, on any desktop.

* **Covering the screen, with or without a window manager.** Full screen is a request a
  window manager carries out; on an X server with none (how many kiosks run) nobody
  does, and the window would stay at its default size in a corner. So the geometry is
  set to the screen's explicitly as well, and again whenever the screen's size changes
  or something takes full screen away.
* **A close request never hides or ends it.** The window refuses to close without an
  admin PIN (:class:`~app.kiosk.window.KioskWindow`); a window that something outside
  unmapped, minimised or destroyed (``xdotool windowclose`` destroys the X window under
  Qt) stops being exposed while Qt still shows it — then its native window is made
  again, over the screen, straight away. Every such attempt is logged.
* If the process itself dies, the service manager starts it again
  (``packaging/autoos-checkout-kiosk.service``).
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtGui import QScreen, QWindow
from PySide6.QtWidgets import QWidget

log = logging.getLogger(__name__)

#: how soon a window taken away is put back (lets the window system finish first)
RESTORE_MS = 50


class ScreenLock(QObject):
    """Holds ``window`` over its screen until :meth:`release`."""

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self.window = window
        self.active = False
        #: times the window was taken away and put back (tests, logs)
        self.restored = 0
        self._screen: QScreen | None = None
        self._handle: QWindow | None = None
        self._restore = QTimer(self)
        self._restore.setSingleShot(True)
        self._restore.setInterval(RESTORE_MS)
        self._restore.timeout.connect(self._put_back)
        window.installEventFilter(self)

    def cover(self) -> None:
        """Show the window over the whole of its screen, and keep it there."""
        self.active = True
        window = self.window
        screen = window.screen()
        if screen is not None:
            window.setGeometry(screen.geometry())  # what a missing window manager won't do
        window.showFullScreen()
        window.raise_()
        window.activateWindow()
        self._watch()

    def release(self) -> None:
        """The admin unlocked the kiosk: let it go."""
        self.active = False
        self._restore.stop()

    def refused_close(self) -> None:
        """A close request that the kiosk refused: logged, and the window stays on top."""
        log.warning("kiosk: a request to close the window was refused (admin PIN needed)")
        if self.active:
            self.window.raise_()
            self._restore.start()  # if the window system took it away meanwhile

    # watching ---------------------------------------------------------------------------
    def _watch(self) -> None:
        handle = self.window.windowHandle()
        if handle is not None and handle is not self._handle:
            if self._handle is not None:
                self._handle.removeEventFilter(self)
            self._handle = handle
            handle.installEventFilter(self)
            handle.screenChanged.connect(lambda _s: self._follow_screen())
        self._follow_screen()

    def _follow_screen(self) -> None:
        screen = self.window.screen()
        if screen is self._screen or screen is None:
            return
        if self._screen is not None:
            self._screen.geometryChanged.disconnect(self._screen_resized)
        self._screen = screen
        screen.geometryChanged.connect(self._screen_resized)

    def _screen_resized(self, *_args: object) -> None:
        if self.active:
            log.info("kiosk: the screen changed size; covering it again")
            self.cover()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if self.active:
            kind = event.type()
            if watched is self._handle and kind == QEvent.Type.Expose:
                if not self._handle.isExposed() and self.window.isVisible():
                    self._restore.start()  # unmapped, minimised or destroyed from outside
            elif watched is self.window and kind == QEvent.Type.WindowStateChange:
                if not self.window.isFullScreen() or self.window.isMinimized():
                    self._restore.start()
            elif watched is self.window and kind == QEvent.Type.Hide:
                self._restore.start()
        return False

    def _put_back(self) -> None:
        window, handle = self.window, self.window.windowHandle()
        if not self.active:
            return
        exposed = handle is not None and handle.isExposed()
        full = window.isFullScreen() and not window.isMinimized()
        covers = window.screen() is not None and window.geometry() == window.screen().geometry()
        if window.isVisible() and exposed and full and covers:
            return
        self.restored += 1
        log.warning("kiosk: the window was taken off the screen from outside; putting it back")
        if not exposed and handle is not None:
            # its native window may be gone (destroyed under Qt): make it again
            window.hide()
            handle.destroy()
        self.cover()
