"""The dashboard's bar charts (pyqtgraph: maintained, plain QWidget based; QtCharts is
deprecated since Qt 6.10), with axes people read at a glance."""

from __future__ import annotations

import math

import pyqtgraph as pg

BAR = (47, 158, 143)  # the accent of resources/style.qss (progress bars)


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


class CompactAxis(pg.AxisItem):
    """A value axis without scientific notation."""

    currency: str | None = None

    def tickStrings(self, values: list[float], scale: float, spacing: float) -> list[str]:
        return [compact_number(v * scale, self.currency) for v in values]


class BarChart(pg.PlotWidget):
    """A bar chart with text labels. ``across=True`` lays the bars across (labels on
    the left, one under the other), so category names never run into each other in a
    narrow chart; ``counts=True`` ticks the value axis in whole numbers only."""

    def __init__(
        self, title: str, value_label: str, *, across: bool = False, counts: bool = False
    ) -> None:
        self.across = across
        self.counts = counts
        value_side, self._label_side = ("bottom", "left") if across else ("left", "bottom")
        self.value_axis = CompactAxis(value_side)
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
