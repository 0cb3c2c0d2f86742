"""The prior explorer: histogram of thousands of draws, linear or log axis, own run laid over."""

from __future__ import annotations

from dataclasses import replace

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import Static

from tui.screens.base import CourseScreen
from tui.sim.priors import KINDS, STARTING_RANGES, Prior, category_counts, draw, histogram, run_samples
from tui.widgets.histogram import HistogramPlot
from tui.widgets.param_panel import Param, ParamPanel

DRAWS, BINS = 5000, 20


def bound_params(p: Prior) -> list[Param]:
    """The two bounds, stepped in a way that suits the kind (x10 / x2 for log kinds)."""
    if p.kind == "categorical":
        return [Param("low", "low (unused)", 0, 0, 0, 0), Param("high", "high (unused)", 0, 0, 0, 0)]
    factor = {"log-uniform": 10.0, "int-log": 2.0}.get(p.kind, 0.0)
    step = 1.0 if p.kind == "int" else 0.05
    low = 1e-9 if p.is_log else -1e6
    return [Param("low", "low", p.low, step, low, 1e6, "{:g}", factor),
            Param("high", "high", p.high, step, low, 1e6, "{:g}", factor)]


def quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


class PriorsScreen(CourseScreen):
    """`n` next parameter preset, `k` kind, `l` log axis; the panel changes the bounds."""

    QUIZ = "priors"
    BINDINGS = [
        Binding("n", "preset", "Parameter"),
        Binding("k", "kind", "Kind"),
        Binding("l", "log_axis", "Log axis"),
    ]

    def __init__(self, name: str = "lr", log_axis: bool = False) -> None:
        super().__init__()
        self.name_, self.prior, self.log_axis = name, STARTING_RANGES[name], log_axis

    @classmethod
    def from_arg(cls, arg: str | None) -> "PriorsScreen":
        """`export priors:NAME` (a row of the starting-ranges table), `priors:NAME/log`."""
        name, _, axis = (arg or "lr").partition("/")
        if name not in STARTING_RANGES or axis not in ("", "log"):
            raise KeyError(f"priors takes NAME or NAME/log with NAME one of {', '.join(STARTING_RANGES)}")
        return cls(name, axis == "log")

    def compose_body(self) -> ComposeResult:
        with Horizontal(id="priors-body"):
            yield ParamPanel(bound_params(self.prior), id="priors-params")
            yield HistogramPlot(id="priors-plot")
        yield Static(id="priors-numbers")

    def on_mount(self) -> None:
        self.query_one(ParamPanel).focus()
        self._redraw()

    def _own_samples(self) -> list:
        from tui.sim.own_runs import latest_run

        run = latest_run(self.app.settings.workspace)
        return run_samples(run, self.name_) if run else []

    def _redraw(self) -> None:
        numbers = self.query_one("#priors-numbers", Static)
        try:
            values = draw(self.prior, DRAWS, seed=1)
        except ValueError as exc:
            numbers.update(f"invalid prior: {exc}")
            return
        p, plot = self.prior, self.query_one(HistogramPlot)
        head = f"{self.name_} ~ {p.kind}"
        if p.kind == "categorical":
            plot.show_categories(p.choices, category_counts(values, p.choices), f"{head}, {DRAWS} draws")
            numbers.update(f"{head} over {', '.join(p.choices)}: each about {DRAWS // len(p.choices)} draws")
            return
        log = self.log_axis and p.low > 0
        own = [v for v in self._own_samples() if isinstance(v, (int, float)) and (v > 0 or not log)]
        hist = histogram(values, BINS, log=log, lo=p.low, hi=p.high)
        overlay = histogram(own, BINS, log=log, lo=p.low, hi=p.high) if own else None
        plot.show(hist, f"{head}({p.low:g}, {p.high:g}), {'log' if log else 'linear'} axis", overlay)
        numbers.update(
            f"median {quantile(values, 0.5):.3g}, 10%-90% {quantile(values, 0.1):.3g} .. "
            f"{quantile(values, 0.9):.3g}; first bin holds {hist.counts[0] / DRAWS:.0%}\n"
            + (f"* your latest run: {len(own)} values of {self.name_}" if own else
               "k kind, l log axis, n next parameter, arrows change the bounds"))

    @on(ParamPanel.Changed)
    def _bounds(self, event: ParamPanel.Changed) -> None:
        if self.prior.kind != "categorical":
            self.prior = replace(self.prior, low=event.values["low"], high=event.values["high"])
        self._redraw()

    def _set_prior(self, prior: Prior) -> None:
        self.prior = prior
        self.query_one(ParamPanel).set_params(bound_params(prior))
        self._redraw()

    def action_preset(self) -> None:
        names = list(STARTING_RANGES)
        self.name_ = names[(names.index(self.name_) + 1) % len(names)]
        self._set_prior(STARTING_RANGES[self.name_])

    def action_kind(self) -> None:
        kind = KINDS[(KINDS.index(self.prior.kind) + 1) % len(KINDS)]
        low, high = self.prior.low, self.prior.high
        if kind != "categorical" and self.prior.kind == "categorical":
            low, high = 1e-5, 1e-1
        if kind in ("int", "int-log") and high - low < 2:
            low, high = max(1, round(low)), max(round(low) + 100, 128)
        self._set_prior(replace(self.prior, kind=kind, low=low, high=high))

    def action_log_axis(self) -> None:
        self.log_axis = not self.log_axis
        self._redraw()
