"""The staff window: PIN login, then Checkout, Customers, Payments — and for admins only,
Dashboard, Settings and Staff.

The tabs are built for the person who signs in: a staff member's window does not
contain the admin pages at all (not hidden, not disabled — absent). Everything the
window asks of the backend is an operation of the application interface, run by the
task runner: before sign-in the till's own (acting for the counter), after it the
interface acting as the person signed in (``api.signed_in``), whose role the backend
checks on every call.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from PySide6 import QtCore
from PySide6.QtCore import QDate, QEvent, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QProgressBar,
    QPushButton,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.display.link import make_customer_display, make_qr_preview
from app.runtime.lifecycle import close_down, retire
from app.runtime.tasks import TaskRunner
from app.text.messages import say
from app.till.display_button import DisplayButton
from app.till.login_view import LoginView
from app.till.sync_indicator import SyncIndicator
from app.widgets.style import use_plain_text_labels
from backend.interface import ADMIN, Caller, CheckoutApi

if TYPE_CHECKING:
    from app.display.customer_display import CustomerDisplay
    from app.widgets.qr_view import QrView

#: ``factory(now, display_screen=..., anchor=...)`` → the customer display
DisplayFactory = Callable[..., "CustomerDisplay"]

#: the answer that keeps things as they are, when leaving with a payment waiting
STAY = {"close": "Keep the window open", "sign out": "Stay signed in"}


class SignedInArea(QWidget):
    """Header (who is signed in, sign out) and the tabs this person may use."""

    #: an admin saved the settings
    settings_saved = Signal()
    #: a line for the window's status bar (what happened to a withdrawn payment)
    told = Signal(str)

    def __init__(
        self,
        api: CheckoutApi,
        runner: TaskRunner,
        staff: dict[str, Any],
        *,
        now: Callable[[], datetime],
        display: CustomerDisplay | None,
        qr_factory: Callable[[], QrView] | None,
    ) -> None:
        # the pages are imported at sign-in, not at start: the login screen paints sooner
        from app.till.checkout.view import CheckoutView
        from app.till.customers_view import CustomersView
        from app.till.payments_view import PaymentsView

        super().__init__()
        self.api, self.runner = api, runner
        self.staff = staff
        self.is_admin = staff["role"] == ADMIN
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(0)
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        corner = QWidget()
        corner_lay = QHBoxLayout(corner)
        corner_lay.setContentsMargins(0, 0, 12, 0)
        person = f"{staff['name']} · {'Admin' if self.is_admin else 'Sales'}"
        terminal = getattr(api.caller, "terminal", None)
        #: who is signed in, and at which till (the till its payments record)
        self.who = QLabel(f"{person} · at {terminal}" if terminal else person)
        self.who.setObjectName("userChip")
        corner_lay.addWidget(self.who)
        self.sign_out = QPushButton("Sign &out")
        self.sign_out.setObjectName("small")
        corner_lay.addWidget(self.sign_out)
        self.tabs.setCornerWidget(corner, QtCore.Qt.Corner.TopRightCorner)
        lay.addWidget(self.tabs)

        self.checkout = CheckoutView(api, runner, now=now, display=display, qr_factory=qr_factory)
        self.customers = CustomersView(api, runner)
        today = now().date()
        self.payments = PaymentsView(
            api,
            runner,
            is_admin=self.is_admin,
            today=QDate(today.year, today.month, today.day),
        )
        self.tabs.addTab(self.checkout, "Checkout")
        self.tabs.addTab(self.customers, "Customers")
        self.tabs.addTab(self.payments, "Payments")
        self.admin_pages: dict[str, QWidget] = {}
        if self.is_admin:
            self._add_admin_pages(api, runner, now)
        self.tabs.currentChanged.connect(self._tab_shown)
        for number in range(1, self.tabs.count() + 1):
            shortcut = QShortcut(QKeySequence(f"Ctrl+{number}"), self)
            shortcut.activated.connect(lambda n=number: self.tabs.setCurrentIndex(n - 1))
        self.checkout.sale_completed.connect(lambda _sale: self.payments.reload())
        self.customers.payment_started.connect(self._follow_payment)
        self.payments.attention.payment_started.connect(self._follow_payment)
        self.checkout.load()

    def _add_admin_pages(
        self, api: CheckoutApi, runner: TaskRunner, now: Callable[[], datetime]
    ) -> None:
        # imported here: pyqtgraph is heavy and only admins see the dashboard (start-up time)
        from app.admin.dashboard_view import DashboardView
        from app.admin.settings_view import SettingsView
        from app.admin.staff_view import StaffAdminView

        dashboard = DashboardView(api, runner, now=now)
        self.admin_pages["dashboard"] = dashboard
        self.tabs.addTab(dashboard, "Dashboard")
        settings = SettingsView(api, runner)
        settings.saved.connect(self.settings_saved)
        settings.saved.connect(self.checkout.reload_settings)
        self.admin_pages["settings"] = settings
        self.tabs.addTab(settings, "Settings")
        self.admin_pages["staff"] = StaffAdminView(api, runner)
        self.tabs.addTab(self.admin_pages["staff"], "Staff")

    def _follow_payment(self, request: dict[str, Any], customer: dict[str, Any]) -> None:
        """Show a payment started on another page (an upgrade, an overdue renewal's QR, a
        new mandate) on the Checkout page. Another payment still waiting there is not
        dropped with nobody watching it: the cashier withdraws one of the two."""
        waiting = self.checkout.open_payment()
        if waiting is None or waiting["id"] == request["id"]:
            self._show_payment(request, customer)
            return
        self._replace_waiting(waiting, request, customer)

    def _show_payment(self, request: dict[str, Any], customer: dict[str, Any]) -> None:
        self.tabs.setCurrentWidget(self.checkout)
        self.checkout.follow_payment(request, customer)

    def _replace_waiting(
        self, waiting: dict[str, Any], new: dict[str, Any], customer: dict[str, Any]
    ) -> None:
        """Ask which payment to withdraw. The new one is shown only once the waiting one
        is withdrawn; if the waiting one cannot be (paid a moment ago), the new one is
        withdrawn instead, so no QR is ever left payable with nobody watching."""
        from PySide6.QtWidgets import QMessageBox

        box = QMessageBox(self)
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle("A payment is waiting")
        box.setText(
            f"A payment of {waiting.get('amount_text', '')} is still waiting on the Checkout "
            f"page, and this one of {new.get('amount_text', '')} needs the page too."
        )
        box.setInformativeText("Withdraw the waiting payment, or keep it and withdraw this one?")
        replace = box.addButton("Withdraw the waiting one", QMessageBox.ButtonRole.DestructiveRole)
        keep = box.addButton("Keep the waiting one", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(keep)
        box.setEscapeButton(keep)
        box.exec()
        still = self.checkout.open_payment()
        if still is None or still["id"] != waiting["id"]:  # it ended while the box was open
            self._show_payment(new, customer)
        elif box.clickedButton() is replace:
            self.withdraw(
                waiting,
                then=lambda: self._show_payment(new, customer),
                refused=lambda: self.withdraw(new),
            )
        else:
            self.withdraw(new)

    def withdraw(
        self,
        payment: dict[str, Any],
        then: Callable[[], None] | None = None,
        refused: Callable[[], None] | None = None,
    ) -> None:
        """Cancel ``payment`` in the background, then ``then`` (``refused`` if it cannot
        be); the status bar says how it went."""
        amount = payment.get("amount_text", "")

        def withdrawn(_payment: Any) -> None:
            self.told.emit(f"The {amount} payment was withdrawn; nothing was charged.")
            if then is not None:
                then()

        def not_withdrawn(exc: Exception) -> None:
            self.told.emit(f"The {amount} payment was not withdrawn: {say(exc)}")
            if refused is not None:
                refused()

        self.runner.call(
            self.api.cancel_payment,
            payment["id"],
            on_success=withdrawn,
            on_failure=not_withdrawn,
            owner=self,
        )

    def _tab_shown(self, index: int) -> None:
        page = self.tabs.widget(index)
        # each page reads fresh data when shown (the dashboard calls it refresh)
        reload = getattr(page, "reload", None) or getattr(page, "refresh", None)
        if callable(reload):
            reload()

    def tab_titles(self) -> list[str]:
        return [self.tabs.tabText(i).replace("&", "") for i in range(self.tabs.count())]


class StaffWindow(QMainWindow):
    def __init__(
        self,
        api: CheckoutApi,
        runner: TaskRunner,
        *,
        now: Callable[[], datetime],
        shop_name: str = "AUTOOS",
        display_factory: DisplayFactory | None = make_customer_display,
        qr_factory: Callable[[], QrView] | None = make_qr_preview,
    ) -> None:
        super().__init__()
        self.api = api
        self.runner = runner
        self.now = now
        self.qr_factory = qr_factory
        #: this till's name (payments record it; its customer displays show them)
        self.terminal: str | None = getattr(api.caller, "terminal", None)
        self.shop_name = shop_name
        self.setWindowTitle(self.title_for(shop_name))
        self.setMinimumSize(1280, 720)
        self.display: CustomerDisplay | None = None
        self.stack = QStackedWidget()
        self.login = LoginView(api, runner, shop_name)
        self.login.signed_in.connect(self.sign_in)
        self.stack.addWidget(self.login)
        self.setCentralWidget(self.stack)
        self.area: SignedInArea | None = None

        self.sync = SyncIndicator(api, runner)
        self.display_button = DisplayButton(self)
        self.statusBar().addPermanentWidget(self.display_button.where)
        self.statusBar().addPermanentWidget(self.display_button)
        self.statusBar().addPermanentWidget(self.sync)
        self.busy = QProgressBar()
        self.busy.setRange(0, 0)
        self.busy.setMaximumWidth(140)
        self.busy.setMaximumHeight(16)
        self.busy.setAccessibleName("Working")
        self.busy.hide()
        self.statusBar().addWidget(self.busy)
        # show "working" only for work that takes a noticeable time (no flicker)
        self._busy_delay = QTimer(self)
        self._busy_delay.setSingleShot(True)
        self._busy_delay.setInterval(400)
        self._busy_delay.timeout.connect(lambda: self.busy.setVisible(self.runner.running > 0))
        runner.busy_changed.connect(self._busy_changed)
        self._display_factory = display_factory
        self._background_started = False
        #: the cashier chose to close with a payment waiting (it was withdrawn first)
        self._close_confirmed = False
        #: this till was renamed while a payment was open: the new name waits for it
        self._rename_waiting: str | None = None
        #: ``[ui] terminal_name`` as last read (a change of it renames this till)
        self._terminal_setting: str | None = None

    def event(self, event: QEvent) -> bool:
        """After the first paint, start the rest: the staff names for the login (the
        first query, so the first work of the task runner's threads), the sync
        indicator's checks (Stripe key lookup, queue) and the customer display. The
        window is on screen first; this work then runs in the background."""
        handled = super().event(event)
        if event.type() == QEvent.Type.Paint and not self._background_started:
            self._background_started = True
            QTimer.singleShot(0, self._start_background)
        return handled

    def _start_background(self) -> None:
        self.login.refresh()
        app = QApplication.instance()
        if isinstance(app, QApplication):
            use_plain_text_labels(app)  # customers' and staff names never read as markup
        self.sync.start()
        self.runner.call(self.api.settings_view, on_success=self._remember)
        factory = self._display_factory
        if factory is not None:
            api = self.api
            self.runner.run_db(
                lambda: (api.pricing()["tiers"], api.settings_view()),
                lambda result: self._open_display(factory, *result),
            )

    def _remember(self, settings: dict[str, Any]) -> None:
        self._terminal_setting = settings["ui"].get("terminal_name")

    def _open_display(
        self, factory: DisplayFactory, tiers: list[dict[str, Any]], settings: dict[str, Any]
    ) -> None:
        """Open the customer display once the plans and the screen setting are read."""
        self.display = factory(
            self.now, display_screen=settings["ui"]["display_screen"], anchor=self
        )
        self.display.show_idle(tiers)
        self.display_button.attach(self.display)
        if self.area is not None:
            self.area.checkout.display = self.display

    def _settings_saved(self) -> None:
        """Show the new shop name and move the display if its screen setting changed
        (the checkout page reloads its own plans and switches)."""
        self.runner.call(self.api.settings_view, on_success=self._show_settings)

    def _show_settings(self, view: dict[str, Any]) -> None:
        shop = view["shop"]["name"]
        self.shop_name = shop
        self.setWindowTitle(self.title_for(shop))
        self.login.set_shop_name(shop)
        if self.display is not None:
            self.display.set_screen_setting(view["ui"]["display_screen"])
        terminal = view["ui"].get("terminal_name")
        known, self._terminal_setting = self._terminal_setting, terminal
        if terminal and self.terminal is not None and terminal != (known or self.terminal):
            self.rename(terminal)  # the admin renamed this till just now

    # this till's name ------------------------------------------------------------------
    def rename(self, terminal: str) -> None:
        """``[ui] terminal_name`` was saved: act as the till of that name from now on —
        the counter's interface made again, the person signed in again through it (so
        payments record the new name and its displays show them). A payment waiting on
        the Checkout page keeps the old name until it is finished."""
        if self.area is not None and self._open_payment() is not None:
            self._rename_waiting = terminal
            self.statusBar().showMessage(
                f"This till becomes {terminal} when the payment on the Checkout page is done."
            )
            return
        self._rename_waiting = None
        self.terminal = terminal
        self.api = for_terminal(self.api, terminal)
        self.login.api = self.api
        self.setWindowTitle(self.title_for(self.shop_name))
        if self.area is None:
            self.sync.act_as(self.api)
            return
        staff, page = self.area.staff, self.area.tabs.currentIndex()
        api = self.api
        self.runner.run_db(
            lambda: api.signed_in(staff), lambda acting: self._act_again(staff, acting, page)
        )

    def _act_again(self, staff: dict[str, Any], acting: CheckoutApi, page: int) -> None:
        """The same person's area again, acting through the renamed till."""
        if self.area is None or self.area.staff["id"] != staff["id"]:
            return  # signed out meanwhile
        self._leave_area()
        self._enter(staff, acting)
        assert self.area is not None
        self.area.tabs.setCurrentIndex(page)
        self.statusBar().showMessage(f"This till is now called {self.terminal}.", 6000)

    def _rename_if_waiting(self, *_args: object) -> None:
        if self._rename_waiting and self._open_payment() is None:
            QTimer.singleShot(0, lambda: self._rename_waiting and self.rename(self._rename_waiting))

    def title_for(self, shop_name: str) -> str:
        """``AUTOOS Checkout — Counter 1``: the shop, and which till this is."""
        title = f"{shop_name} Checkout"
        return f"{title} — {self.terminal}" if self.terminal else title

    def _busy_changed(self, running: int) -> None:
        if running == 0:
            self._busy_delay.stop()
            self.busy.hide()
        elif not self._busy_delay.isActive() and not self.busy.isVisible():
            self._busy_delay.start()

    def sign_in(self, staff: dict[str, Any]) -> None:
        """Act as this person from now on (the backend reads their role), then build
        their area."""
        api = self.api
        self.runner.run_db(lambda: api.signed_in(staff), lambda acting: self._enter(staff, acting))

    def _enter(self, staff: dict[str, Any], acting: CheckoutApi) -> None:
        """The signed-in area for this person (admin pages only for an admin)."""
        if self.area is not None:
            return  # signed in already (a second answer for the same sign-in)
        self.area = SignedInArea(
            acting,
            self.runner,
            staff,
            now=self.now,
            display=self.display,
            qr_factory=self.qr_factory,
        )
        self.area.sign_out.clicked.connect(self.sign_out)
        self.area.settings_saved.connect(self._settings_saved)
        self.area.told.connect(lambda text: self.statusBar().showMessage(text, 10_000))
        self.area.checkout.went_idle.connect(self._rename_if_waiting)
        self.stack.addWidget(self.area)
        self.stack.setCurrentWidget(self.area)
        self.sync.act_as(acting)
        self.statusBar().showMessage(f"Signed in as {staff['name']}", 4000)

    def sign_out(self) -> None:
        """Back to the sign-in list; with a payment waiting, ask first (as closing does):
        signing out would leave the customer's QR payable with nobody watching it."""
        if self.area is None or not self._may_leave("sign out", self._sign_out_now):
            return
        self._sign_out_now()

    def _sign_out_now(self) -> None:
        if self.area is None:
            return
        self._leave_area()
        self.stack.setCurrentWidget(self.login)
        self.login.refresh()

    def _leave_area(self) -> None:
        area, self.area = self.area, None
        if area is None:
            return
        self.sync.act_as(self.api)
        area.checkout.reset()
        self.stack.removeWidget(area)
        # its timers stop now; answers still on their way to its pages are dropped
        retire(area)

    # closing ---------------------------------------------------------------------------
    def _open_payment(self) -> dict[str, Any] | None:
        return self.area.checkout.open_payment() if self.area is not None else None

    def confirm_close(self) -> bool:
        """Closing with a payment waiting: ask first (False while it is not to close now;
        the window closes once the payment is withdrawn)."""
        return self._close_confirmed or self._may_leave("close", self._close_now)

    def _may_leave(self, leaving: str, then: Callable[[], None]) -> bool:
        """True when no payment waits on the Checkout page. Otherwise ask: "Withdraw it
        and <leave>" cancels the payment, then calls ``then``; "Stay" is the default, as
        is Esc. False either way: the leaving, if any, happens once it is withdrawn."""
        payment = self._open_payment()
        if payment is None:
            return True
        from PySide6.QtWidgets import QMessageBox

        box = QMessageBox(self)
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle("A payment is waiting")
        box.setText(
            f"A payment of {payment.get('amount_text', '')} is still waiting on the "
            f"Checkout page. If you {leaving} now, the customer's QR stays payable with "
            "nobody watching it."
        )
        box.setInformativeText(f"Withdraw the payment and {leaving}, or stay?")
        withdraw = box.addButton(
            f"Withdraw it and {leaving}", QMessageBox.ButtonRole.DestructiveRole
        )
        stay = box.addButton(STAY[leaving], QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(stay)
        box.setEscapeButton(stay)
        box.exec()
        if box.clickedButton() is withdraw and self.area is not None:
            self.statusBar().showMessage(f"Withdrawing the payment, then you {leaving}…")
            self.area.withdraw(payment, then=then)
        return False

    def _close_now(self) -> None:
        self._close_confirmed = True
        self.close()

    def closeEvent(self, event: QCloseEvent) -> None:
        # Alt+F4 or the title bar's close (the window system's request) asks first while a
        # payment waits; a close by the program itself (shutting down) does not
        if event.spontaneous() and not self.confirm_close():
            event.ignore()
            return
        if self.area is not None:
            self.area.checkout.reset()
        close_down(self)  # every timer under the window stops; late answers are dropped
        if self.display is not None:
            self.display.close()
        super().closeEvent(event)


def for_terminal(api: CheckoutApi, terminal: str) -> CheckoutApi:
    """The till's interface acting for the counter called ``terminal`` (before anyone
    signs in). The interface offers ``signed_in`` for a person but nothing for a renamed
    till, so it is made again from the one it replaces, as the entry point makes it."""
    return type(api)(api.ctx, Caller.counter(terminal))  # type: ignore[call-arg]
