"""The admin dashboard: revenue, MRR, subscriptions, trials, credits, usage, problems.

Self-contained widget for the staff window's admin-only tab. Every query runs off the
GUI thread through the :class:`~app.tasks.TaskRunner` on the *network* pool with its own
read-only connection (``backend.services.reports.dashboard.load``), so a long read never sits in
front of a write on the single database thread. Only the finished figures reach the GUI
thread, where drawing them takes a few milliseconds. Charts use pyqtgraph (maintained,
plain QWidget based; QtCharts is deprecated since Qt 6.10).
"""

from __future__ import annotations

import math
from datetime import date, timedelta

import pyqtgraph as pg
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

from app.date_text import QT_DAY_FORMAT, moment_text
from app.report_models import RowsTableModel
from app.tasks import TaskRunner
from backend.context import Context
from backend.domain.money import CURRENCIES, Money, format_money
from backend.domain.periods import DateRange
from backend.services.reports import dashboard
from backend.services.reports.dashboard import Dashboard

DEFAULT_DAYS = 30
BAR = (47, 158, 143)  # the accent of resources/style.qss (progress bars)


def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _pydate(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())


def compact_number(value: float, currency: str | None = None) -> str:
    """Axis text people read at a glance: 1.2 Cr / 45 L for INR, 1.2M / 45K otherwise."""
    steps = (
        ((1e7, "Cr"), (1e5, "L"), (1e3, "K"))
        if currency == "INR"
        else ((1e9, "B"), (1e6, "M"), (1e3, "K"))
    )
    for size, suffix in steps:
        if abs(value) >= size:
            return f"{value / size:.3g} {suffix}"
    return f"{value:.3g}"


class _CompactAxis(pg.AxisItem):
    """A value axis without scientific notation."""

    currency: str | None = None

    def tickStrings(self, values: list[float], scale: float, spacing: float) -> list[str]:
        return [compact_number(v * scale, self.currency) for v in values]


class _Chart(pg.PlotWidget):
    """A bar chart with text labels. ``across=True`` lays the bars across (labels on
    the left, one under the other), so category names never run into each other in a
    narrow chart; ``counts=True`` ticks the value axis in whole numbers only."""

    def __init__(
        self, title: str, value_label: str, *, across: bool = False, counts: bool = False
    ) -> None:
        self.across = across
        self.counts = counts
        value_side, self._label_side = ("bottom", "left") if across else ("left", "bottom")
        self.value_axis = _CompactAxis(value_side)
        self.value_axis.enableAutoSIPrefix(False)
        super().__init__(background="w", axisItems={value_side: self.value_axis})
        self.setTitle(title, color="k")
        self.setLabel(value_side, value_label)
        self.setMouseEnabled(x=False, y=False)
        self.hideButtons()
        self.setMenuEnabled(False)
        self.setMinimumHeight(180)
        if across:
            self.getViewBox().invertY(True)  # the first category at the top
        self._bars: pg.BarGraphItem | None = None

    def show_bars(self, labels: list[str], values: list[float], every: int = 1) -> None:
        """Replace the bars; label every ``every``-th bar so long ranges stay readable."""
        if self._bars is not None:
            self.removeItem(self._bars)
        places = list(range(len(values)))
        brush = pg.mkBrush(*BAR)
        if self.across:
            bars = pg.BarGraphItem(x0=0, y=places, width=values, height=0.7, brush=brush)
        else:
            bars = pg.BarGraphItem(x=places, height=values, width=0.7, brush=brush)
        self._bars = bars
        self.addItem(bars)
        ticks = [(i, labels[i]) for i in places if i % every == 0]
        self.getAxis(self._label_side).setTicks([ticks])
        top = max([*values, 1]) * 1.1
        if self.counts:
            step = max(1, math.ceil(top / 5))
            self.value_axis.setTickSpacing(step, step)
        span = (-0.6, max(len(values), 1) - 0.4)
        if self.across:
            self.setYRange(*span, padding=0)
            self.setXRange(0, top, padding=0)
        else:
            self.setXRange(*span, padding=0)
            self.setYRange(0, top, padding=0)


class DashboardView(QWidget):
    """Figures for a chosen date range and currency; refreshes in the background."""

    #: emitted on the GUI thread with the :class:`Dashboard` just shown
    refreshed = Signal(object)
    #: emitted with the error message when a refresh failed
    failed = Signal(str)

    def __init__(self, ctx: Context, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.runner = runner
        self._loading = False
        self._again = False
        self.board: Dashboard | None = None
        today = ctx.clock.now().date()

        self.from_edit = QDateEdit(_qdate(today - timedelta(days=DEFAULT_DAYS - 1)))
        self.to_edit = QDateEdit(_qdate(today))
        for edit in (self.from_edit, self.to_edit):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat(QT_DAY_FORMAT)
        self.currency = QComboBox()
        self.currency.addItems(sorted(CURRENCIES))
        self.currency.setCurrentText(ctx.settings.shop.default_currency)
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
                                            "card failed")),
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

        self.revenue_chart = _Chart("Revenue per day", "amount")
        self.tier_chart = _Chart(
            "Active subscriptions by tier", "subscriptions", across=True, counts=True
        )
        self.funnel_chart = _Chart(
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
        ctx = self.ctx
        self.runner.run_net(
            lambda: dashboard.load(ctx, period, currency), self._loaded, self._load_failed
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

    def _loaded(self, board: Dashboard) -> None:
        self.board = board
        self._show(board)
        self.status.setText(f"Updated {moment_text(board.now)} ({board.elapsed_ms:.0f} ms)")
        self._done()
        self.refreshed.emit(board)

    # -- showing -----------------------------------------------------------------

    def _money_text(self, amount: int) -> str:
        cur = self.board.currency if self.board else self.currency.currentText()
        return format_money(Money(amount, cur))

    def _show(self, board: Dashboard) -> None:
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
        tiers = [t.id for t in self.ctx.catalog if t.purchasable or t.id in board.active_by_tier]
        tiers += [t for t in board.active_by_tier if t not in tiers]
        names = {t.id: t.name for t in self.ctx.catalog}
        self.tier_chart.show_bars(
            [names.get(t, t) for t in tiers], [board.active_by_tier.get(t, 0) for t in tiers]
        )
        self.funnel_chart.show_bars(
            ["started", "converted", "expired", "running"],
            [board.trials_started, board.trials_converted, board.trials_expired,
             board.trials_running],
        )  # fmt: skip
        usage = {day: (wf, ag) for day, wf, ag in board.usage_per_day}
        self.daily_model.set_rows(
            [(day, rev, *usage.get(day, (0, 0))) for day, rev in board.revenue_per_day]
        )
        self.tier_model.set_rows([(names.get(t, t), board.active_by_tier.get(t, 0)) for t in tiers])

    def open_export(self) -> None:
        from app.export_dialog import ExportDialog

        dialog = ExportDialog(self.ctx, self.runner, self.period(), self)
        dialog.open()
