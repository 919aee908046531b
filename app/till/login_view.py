"""PIN login, and on a brand-new till the first-run setup (:mod:`app.till.first_run`).

It asks the till's interface (acting for the counter, before anyone signs in): who may
sign in here (``staff_names``: a deactivated person is not listed), is this PIN right
(``authenticate``, whose refusal says how many tries are left before a lockout)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.runtime.tasks import TaskRunner
from app.text.messages import say
from app.widgets.pin_edit import pin_edit
from app.widgets.style import add_form_row
from backend.interface import ADMIN, CheckoutApi


def _centered(box: QFrame) -> QWidget:
    page = QWidget()
    page.setObjectName("page")
    outer = QHBoxLayout(page)
    outer.addStretch(1)
    column = QVBoxLayout()
    column.addStretch(1)
    column.addWidget(box)
    column.addStretch(2)
    outer.addLayout(column)
    outer.addStretch(1)
    return page


class LoginView(QStackedWidget):
    """Sign in (pick the name, type the PIN) or, with no staff at all, create an admin."""

    signed_in = Signal(dict)

    def __init__(self, api: CheckoutApi, runner: TaskRunner, shop_name: str) -> None:
        super().__init__()
        self.api = api
        self.runner = runner
        self._build_login(shop_name)
        #: first-run setup, built when a till has no staff (once, ever)
        self.first_run: Any = None

    # -- sign in ------------------------------------------------------------------------
    def _build_login(self, shop_name: str) -> None:
        box = QFrame()
        box.setObjectName("loginBox")
        box.setMinimumWidth(440)
        lay = QVBoxLayout(box)
        lay.setContentsMargins(32, 28, 32, 28)
        lay.setSpacing(14)
        self.title = QLabel(f"{shop_name} Checkout")
        self.title.setObjectName("title")
        lay.addWidget(self.title)
        hint = QLabel("Sign in with your name and PIN.")
        hint.setObjectName("hint")
        lay.addWidget(hint)
        form = QFormLayout()
        self.name_box = QComboBox()
        self.name_box.setAccessibleName("Staff name")
        self.pin_edit = pin_edit("4 to 8 digits")
        self.pin_edit.setAccessibleName("PIN")
        add_form_row(form, "&Name", self.name_box)
        add_form_row(form, "&PIN", self.pin_edit)
        lay.addLayout(form)
        self.login_error = QLabel()
        self.login_error.setObjectName("error")
        self.login_error.setWordWrap(True)
        self.login_error.hide()
        lay.addWidget(self.login_error)
        self.sign_in = QPushButton("Sign in")
        self.sign_in.setObjectName("primary")
        self.sign_in.setDefault(True)
        self.sign_in.clicked.connect(self._sign_in)
        self.pin_edit.returnPressed.connect(self._sign_in)
        lay.addWidget(self.sign_in)
        self.addWidget(_centered(box))

    def set_shop_name(self, shop_name: str) -> None:
        self.title.setText(f"{shop_name} Checkout")

    def refresh(self) -> None:
        """Reload the staff names; show the first-admin form when there are none."""
        self.runner.call(
            self.api.staff_names, on_success=self._have_staff, on_failure=self._show_login_error
        )

    def _have_staff(self, staff: list[dict[str, Any]]) -> None:
        if not staff:
            if self.first_run is None:
                self._build_first_run()
            self.setCurrentWidget(self.first_run)
            self.first_run.editors["shop.name"].setFocus()
            return
        current = self.name_box.currentText()
        self.name_box.clear()
        for person in staff:
            role = " (admin)" if person["role"] == ADMIN else ""
            self.name_box.addItem(person["name"] + role, person["name"])
        index = self.name_box.findData(current)
        self.name_box.setCurrentIndex(max(0, index))
        self.setCurrentIndex(0)
        self.pin_edit.setFocus()

    def _sign_in(self) -> None:
        name = self.name_box.currentData()
        pin = self.pin_edit.text()
        if not name:
            return
        self.sign_in.setEnabled(False)
        self.runner.call(
            self.api.authenticate,
            name,
            pin,
            on_success=self._signed_in,
            on_failure=self._login_failed,
        )

    def _signed_in(self, staff: dict[str, Any]) -> None:
        self.sign_in.setEnabled(True)
        self.pin_edit.clear()
        self.login_error.hide()
        self.signed_in.emit(staff)

    def _login_failed(self, exc: Exception) -> None:
        self.sign_in.setEnabled(True)
        self.pin_edit.clear()
        self.pin_edit.setFocus()
        self._show_login_error(exc)

    def _show_login_error(self, exc: Exception) -> None:
        self.login_error.setText(say(exc))
        self.login_error.show()

    # -- first run ------------------------------------------------------------------------
    def _build_first_run(self) -> None:
        from app.till.first_run import FirstRunView

        self.first_run = FirstRunView(self.api, self.runner)
        self.first_run.finished.connect(self.signed_in.emit)
        self.first_run.taken.connect(self.refresh)
        self.addWidget(self.first_run)
        self.first_run.load()
