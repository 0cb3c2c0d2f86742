"""A slice of a run: the metric against one hyperparameter, and where the samples fell in its prior.

Top: one point per trial (its best metric) over the prior's whole range, log10 axis for
log-uniform priors (plotext's log scale breaks on bars; DESIGN.md), trials that have no metric
yet as crosses on the floor. Bottom: a histogram of the drawn values on the same axis, which
a correct sampler makes about flat there.
"""

from __future__ import annotations

import math
from typing import Any

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

from tui.runtime.space import Prior, space_by_name
from tui.widgets.curves import CurvePlot, Series
from tui.widgets.histogram import HistogramPlot


def prior_for(name: str, values: list[Any]) -> Prior | None:
    """The declared prior of `name`, else one inferred from the values (None when there are none)."""
    declared = space_by_name().get(name)
    if declared is not None:
        return declared
    if not values:
        return None
    if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
        lo, hi = float(min(values)), float(max(values))
        kind = "log_uniform" if lo > 0 and hi / lo >= 100 else "uniform"
        return Prior(name, kind, lo, hi if hi > lo else lo + 1.0)
    return Prior(name, "choice", choices=tuple(sorted({str(v) for v in values})))


def log_ticks(lo: float, hi: float) -> tuple[list[float], list[str]]:
    """Ticks for a log10 axis from `lo` to `hi` (both log10): decades, or 1-2-5 steps when narrow."""
    decades = list(range(math.ceil(lo - 1e-9), math.floor(hi + 1e-9) + 1))
    if len(decades) >= 3:
        return [float(d) for d in decades], [f"1e{d}" for d in decades]
    values = [m * 10.0 ** d for d in range(math.floor(lo) - 1, math.ceil(hi) + 1) for m in (1, 2, 5)]
    inside = [v for v in values if lo - 1e-9 <= math.log10(v) <= hi + 1e-9]
    return [math.log10(v) for v in inside], [f"{v:g}" for v in inside]


def linear_ticks(lo: float, hi: float, n: int = 5) -> tuple[list[float], list[str]]:
    """`n` evenly spaced ticks, labelled short (plotext's own labels can be long floats)."""
    ticks = [lo + (hi - lo) * i / (n - 1) for i in range(n)]
    return ticks, [f"{t:.3g}" for t in ticks]


def axis_value(prior: Prior, value: Any) -> float | None:
    """Where `value` sits on the plot's x axis (log10 for log priors, index for choices)."""
    if prior.kind == "choice":
        names = [str(c) for c in prior.choices]
        return float(names.index(str(value))) if str(value) in names else None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return None
    if prior.log:
        return math.log10(value) if value > 0 else None
    return float(value)


def axis(prior: Prior, xs: list[float]) -> tuple[tuple[float, float], tuple[list[float], list[str]]]:
    """x limits (the prior's range, widened to any value outside it) and tick labels."""
    if prior.kind == "choice":
        n = len(prior.choices)
        return (-0.5, n - 0.5), ([float(i) for i in range(n)], [str(c) for c in prior.choices])
    lo, hi = (math.log10(prior.low), math.log10(prior.high)) if prior.log else (prior.low, prior.high)
    lo, hi = min([lo, *xs]), max([hi, *xs])
    return (lo, hi), (log_ticks(lo, hi) if prior.log else linear_ticks(lo, hi))


def jitter(i: int) -> float:
    """A small fixed sideways shift so that trials on the same choice do not hide each other."""
    return ((i * 7) % 5 - 2) * 0.07


class SlicePanel(Vertical):
    """Call `show(snapshot, name, metric)`; owns a label, the slice plot and the prior histogram."""

    def compose(self) -> ComposeResult:
        yield Static(id="slice-label")
        yield CurvePlot(id="slice-plot")
        yield HistogramPlot(id="slice-hist")

    def show_message(self, text: str) -> None:
        """No data to draw: empty plots and `text` in the label."""
        self.query_one("#slice-label", Static).update(text)
        for plot in (self.query_one("#slice-plot", CurvePlot), self.query_one("#slice-hist", HistogramPlot)):
            plot.plt.clear_data()
            plot.plt.clear_figure()
            plot.refresh()

    def show(self, snapshot, name: str, metric: str, position: str = "") -> None:
        values = [t.params[name] for t in snapshot.trials if name in t.params]
        prior = prior_for(name, values)
        label = self.query_one("#slice-label", Static)
        if prior is None:
            self.show_message(f"{position} {name}: no samples yet")
            return
        best = snapshot.best
        pts, floor, best_pt, skipped = [], [], None, 0
        for i, t in enumerate(snapshot.trials):
            x = axis_value(prior, t.params.get(name))
            if x is None:
                skipped += name in t.params
                continue
            x += jitter(i) if prior.kind == "choice" else 0.0
            if t.best is None:
                floor.append(x)
            elif best is not None and t.id == best.id:
                best_pt = (x, t.best)
            else:
                pts.append((x, t.best))
        ys = [p[1] for p in pts] + ([best_pt[1]] if best_pt else [])
        y0 = min(ys) if ys else 0.0
        series = [Series(f"{metric} per trial", [p[0] for p in pts], [p[1] for p in pts], "•", True, "cyan")]
        if floor:
            series.append(Series(f"no {metric} yet", floor, [y0] * len(floor), "x", True, "red"))
        if best_pt:
            series.append(Series(f"best {best.id}", [best_pt[0]], [best_pt[1]], "@", True, "orange"))
        xlim, ticks = axis(prior, [p[0] for p in pts] + floor)
        plot = self.query_one("#slice-plot", CurvePlot)
        plot.show(series, xlim=xlim, xticks=ticks)
        if ys and max(ys) > min(ys):  # labels 4 wide, as the histogram's, so that the x axes line up
            yt = linear_ticks(min(ys), max(ys), 4)[0]
            plot.plt.yticks(yt, [f"{t:.2f}" for t in yt])
            plot.refresh()
        note = f"; {skipped} outside the prior not shown" if skipped else ""
        label.update(f"{position} {name} ~ {prior.describe()}{note}")
        self._show_prior(prior, values, xlim)

    def _show_prior(self, prior: Prior, values: list[Any], xlim: tuple[float, float]) -> None:
        from tui.sim.priors import histogram

        hist_plot = self.query_one("#slice-hist", HistogramPlot)
        title = f"{len(values)} samples (a correct sampler is about flat here)"
        if prior.kind == "choice":
            names = [str(c) for c in prior.choices]
            counts = [sum(str(v) == c for v in values) for c in names]
            hist_plot.show_categories(tuple(names), counts, title)
            _count_ticks(hist_plot, max(counts))
            return
        xs = [v for v in values if axis_value(prior, v) is not None]
        bins = max(5, min(20, len(xs) // 3))
        hist = histogram(xs, bins, log=prior.log, lo=prior.low, hi=prior.high)
        hist_plot.show(hist, title)
        hist_plot.plt.xlim(*xlim)  # the slice plot's range: a sample sits under its point
        if prior.log:  # finer labels than the histogram's decades for narrow ranges (hidden: 16..512)
            hist_plot.plt.xticks(*log_ticks(*xlim))
        _count_ticks(hist_plot, max(hist.counts or [0]))


def _count_ticks(plot, top: int) -> None:
    """Whole-number count ticks, 4 wide like the slice plot's labels."""
    ticks = sorted({0, top // 2, top})
    plot.plt.yticks(ticks, [f"{t:>4}" for t in ticks])
    plot.refresh()
