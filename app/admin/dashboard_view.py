"""The admin dashboard: revenue, MRR, subscriptions, trials, credits, usage, problems.

Self-contained widget for the staff window's admin-only tab. Its figures are one
operation, ``dashboard``, declared as waiting on its own read-only connection: the
:class:`~app.runtime.tasks.TaskRunner` runs it on the *network* pool, so a long read
never sits in front of a write on the single database thread. Only the finished figures
reach the GUI thread, where drawing them takes a few milliseconds.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.admin.charts import BarChart
from app.admin.report_models import RowsTableModel
from app.runtime.tasks import TaskRunner
from app.text.date_text import DEFAULT_RANGE_DAYS, QT_DAY_FORMAT, moment_text
from backend.domain.money import CURRENCIES, Money, format_money
from backend.domain.payments import TrialStatus
from backend.domain.periods import DateRange
from backend.interface import CheckoutApi

DEFAULT_DAYS = DEFAULT_RANGE_DAYS
#: how the trials started in the range ended (beside "started" and "running")
FUNNEL_ENDS = (TrialStatus.CONVERTED, TrialStatus.EXPIRED)
#: the figures (``dashboard``'s answer, a ``Dashboard`` record)
Board = Any


def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _pydate(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())


class DashboardView(QWidget):
    """Figures for a chosen date range and currency; refreshes in the background."""

    #: emitted on the GUI thread with the figures just shown
    refreshed = Signal(object)
    #: emitted with the error message when a refresh failed
    failed = Signal(str)

    def __init__(
        self,
        api: CheckoutApi,
        runner: TaskRunner,
        *,
        now: Callable[[], datetime],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.api = api
        self.runner = runner
        self._loading = False
        self._again = False
        self.board: Board | None = None
        #: the plans the shop offers (``pricing``): the tier chart's bars, in order
        self.plans: list[dict[str, Any]] = []
        today = now().date()

        self.from_edit = QDateEdit(_qdate(today - timedelta(days=DEFAULT_DAYS - 1)))
        self.to_edit = QDateEdit(_qdate(today))
        for edit in (self.from_edit, self.to_edit):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat(QT_DAY_FORMAT)
        self.currency = QComboBox()
        self.currency.addItems(sorted(CURRENCIES))
        self._currency_chosen = False
        self.currency.activated.connect(lambda _i: setattr(self, "_currency_chosen", True))
        self.refresh_button = QPushButton("Refresh")
        self.refresh_button.clicked.connect(self.refresh)
        self.export_button = QPushButton("Export CSV…")
        self.export_button.clicked.connect(self.open_export)
        self.status = QLabel("")
        bar = QHBoxLayout()
        for text, widget in (("From", self.from_edit), ("To", self.to_edit)):
            bar.addWidget(QLabel(text))
            bar.addWidget(widget)
        bar.addWidget(QLabel("Currency"))
        bar.addWidget(self.currency)
        bar.addWidget(self.refresh_button)
        bar.addWidget(self.export_button)
        bar.addWidget(self.status, 1)

        self.figures: dict[str, QLabel] = {}
        cards = QGridLayout()
        groups = (
            ("Revenue", ("today", "7 days", "30 days", "range")),
            ("Subscriptions", ("MRR", "active")),
            ("Trials", ("active", "ending ≤ 7 days", "converted", "of ended, bought")),
            ("Credits", ("granted", "consumed")),
            ("Payments needing attention", ("UPI pending", "UPI expired", "UPI late",
                                            "card failed", "AutoPay failed")),
        )  # fmt: skip
        for col, (title, names) in enumerate(groups):
            box = QGroupBox(title)
            grid = QGridLayout(box)
            for row, name in enumerate(names):
                value = QLabel("–")
                value.setObjectName(f"{title}:{name}")
                font = value.font()
                font.setPointSizeF(font.pointSizeF() * 1.3)
                font.setBold(True)
                value.setFont(font)
                grid.addWidget(QLabel(name), row, 0)
                grid.addWidget(value, row, 1)
                self.figures[f"{title}:{name}"] = value
            cards.addWidget(box, 0, col)

        self.revenue_chart = BarChart("Revenue per day", "amount")
        self.tier_chart = BarChart(
            "Active subscriptions by tier", "subscriptions", across=True, counts=True
        )
        self.funnel_chart = BarChart(
            "Trial funnel (started in range)", "trials", across=True, counts=True
        )
        charts = QHBoxLayout()
        charts.addWidget(self.revenue_chart, 2)
        charts.addWidget(self.tier_chart, 1)
        charts.addWidget(self.funnel_chart, 1)

        self.daily_model = RowsTableModel(
            ("Day", "Revenue", "Workflow runs", "Agent starts"),
            (None, self._money_text, None, None),
            self,
        )
        self.tier_model = RowsTableModel(("Tier", "Active subscriptions"), parent=self)
        daily_view = QTableView()
        daily_view.setModel(self.daily_model)
        tier_view = QTableView()
        tier_view.setModel(self.tier_model)
        for view in (daily_view, tier_view):
            view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
            view.horizontalHeader().setStretchLastSection(True)
            view.verticalHeader().setVisible(False)
        tables = QSplitter()
        tables.addWidget(daily_view)
        tables.addWidget(tier_view)

        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addLayout(cards)
        layout.addLayout(charts, 2)
        layout.addWidget(tables, 1)
        runner.call(api.settings_view, on_success=self._shop_known)

    def _shop_known(self, view: dict[str, Any]) -> None:
        """Show the shop's own currency, unless the admin chose one meanwhile."""
        currency = view["shop"]["default_currency"]
        if self._currency_chosen or currency == self.currency.currentText():
            return
        self.currency.setCurrentText(currency)
        if self.board is not None or self._loading:
            self.refresh()  # the figures shown are in the other currency

    # -- refreshing --------------------------------------------------------------

    def period(self) -> DateRange:
        return DateRange(_pydate(self.from_edit.date()), _pydate(self.to_edit.date()))

    def refresh(self) -> None:
        """Start a background refresh (one at a time; a request meanwhile runs after)."""
        if self._loading:
            self._again = True
            return
        try:
            period = self.period()
        except Exception as exc:  # a reversed range: say so, do not query
            self.status.setText(str(exc))
            return
        currency = self.currency.currentText()
        self._loading = True
        self.refresh_button.setEnabled(False)
        self.status.setText("Loading…")
        api = self.api
        day_from, day_to = period.start.isoformat(), period.end.isoformat()
        self.runner.run_net(  # the figures, and the plans they are counted by
            lambda: (api.dashboard(day_from, day_to, currency), api.pricing()["tiers"]),
            self._loaded,
            self._load_failed,
        )

    def _done(self) -> None:
        self._loading = False
        self.refresh_button.setEnabled(True)
        if self._again:
            self._again = False
            self.refresh()

    def _load_failed(self, exc: Exception) -> None:
        self.status.setText(f"Could not load the dashboard: {exc}")
        self._done()
        self.failed.emit(str(exc))

    def _loaded(self, result: tuple[Board, list[dict[str, Any]]]) -> None:
        board, self.plans = result
        self.board = board
        self._show(board)
        self.status.setText(f"Updated {moment_text(board.now)} ({board.elapsed_ms:.0f} ms)")
        self._done()
        self.refreshed.emit(board)

    # -- showing -----------------------------------------------------------------

    def _money_text(self, amount: int) -> str:
        cur = self.board.currency if self.board else self.currency.currentText()
        return format_money(Money(amount, cur))

    def _show(self, board: Board) -> None:
        money = self._money_text
        rate = board.conversion_rate
        values = {
            "Revenue:today": money(board.revenue_today),
            "Revenue:7 days": money(board.revenue_7d),
            "Revenue:30 days": money(board.revenue_30d),
            "Revenue:range": money(board.revenue_range),
            "Subscriptions:MRR": "  ".join(
                format_money(Money(v, cur)) for cur, v in board.mrr.items()
            )
            or "–",
            "Subscriptions:active": str(sum(board.active_by_tier.values())),
            "Trials:active": str(board.trials_active),
            "Trials:ending ≤ 7 days": str(board.trials_ending_7d),
            "Trials:converted": str(board.trials_converted),
            "Trials:of ended, bought": "–" if rate is None else f"{rate * 100:.1f} %",
            "Credits:granted": str(board.credits_granted),
            "Credits:consumed": str(board.credits_consumed),
            "Payments needing attention:UPI pending": str(board.upi_pending),
            "Payments needing attention:UPI expired": str(board.upi_expired),
            "Payments needing attention:UPI late": str(board.upi_late),
            "Payments needing attention:card failed": str(board.card_failed),
            "Payments needing attention:AutoPay failed": str(board.autopay_failed),
        }
        for key, text in values.items():
            self.figures[key].setText(text)

        days = [day for day, _ in board.revenue_per_day]
        every = max(1, len(days) // 8)
        # display only: bar heights in major units (money itself stays integer)
        scale = 10 ** CURRENCIES[board.currency][1]
        self.revenue_chart.setLabel("left", board.currency)
        self.revenue_chart.value_axis.currency = board.currency
        self.revenue_chart.show_bars(
            [d[5:] for d in days], [v / scale for _, v in board.revenue_per_day], every
        )
        # the plans sold at a price and those someone is on, then any no longer offered
        active = board.active_by_tier
        tiers = [
            plan["id"]
            for plan in self.plans
            if (plan["prices"] and not plan["contact_sales"]) or plan["id"] in active
        ]
        tiers += [t for t in active if t not in tiers]
        names = {plan["id"]: plan["name"] for plan in self.plans}
        self.tier_chart.show_bars(
            [names.get(t, t) for t in tiers], [board.active_by_tier.get(t, 0) for t in tiers]
        )
        self.funnel_chart.show_bars(
            ["started", *(str(status) for status in FUNNEL_ENDS), "running"],
            [board.trials_started, board.trials_converted, board.trials_expired,
             board.trials_running],
        )  # fmt: skip
        usage = {day: (wf, ag) for day, wf, ag in board.usage_per_day}
        self.daily_model.set_rows(
            [(day, rev, *usage.get(day, (0, 0))) for day, rev in board.revenue_per_day]
        )
        self.tier_model.set_rows([(names.get(t, t), board.active_by_tier.get(t, 0)) for t in tiers])

    def open_export(self) -> None:
        from app.admin.export_dialog import ExportDialog

        dialog = ExportDialog(self.api, self.runner, self.period(), self)
        dialog.open()
