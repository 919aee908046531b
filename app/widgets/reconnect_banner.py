"""A strip across the top of a remote kiosk or display while its store server cannot be
reached (:class:`~backend.api.client.RemoteCheckoutApi` is reconnecting)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QLabel, QWidget

CHECK_MS = 250
BANNER_TEXT = "Connection to the store lost — reconnecting…"


class ReconnectBanner(QLabel):
    """Over the top of ``window`` while ``api`` cannot reach the server.

    It reads the remote client's ``connected`` flag (False from a failed connection until
    the next answer) on a GUI-thread timer, so no signal has to cross threads and the
    window stays usable throughout.
    """

    def __init__(self, window: QWidget, api: Any) -> None:
        super().__init__(BANNER_TEXT, window)
        self.setObjectName("reconnectBanner")
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setStyleSheet(
            "#reconnectBanner { background: #b45309; color: white; font-size: 22px;"
            " font-weight: 600; padding: 12px; }"
        )
        self.api = api
        self.hide()
        self.timer = QTimer(self)
        self.timer.setInterval(CHECK_MS)
        self.timer.timeout.connect(self.refresh)
        self.timer.start()

    def refresh(self) -> None:
        if self.api.connected:
            self.hide()
            return
        parent = self.parentWidget()
        self.setGeometry(0, 0, parent.width(), self.sizeHint().height())
        self.raise_()
        self.show()
