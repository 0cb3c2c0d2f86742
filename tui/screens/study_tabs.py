"""The study screen's eight tabs: what each draws of a snapshot, mixed into StudyScreen.

One method a tab, `_draw_<tab>(view)`, called for the active tab only (a heat map of many
trials is not free). Each says in its plot's title why it is empty (no study, too few trials,
importances being computed ...), and records what it drew in `shown` for the tests.
"""

from __future__ import annotations

from typing import Any

from textual.widgets import Static

from tui.screens.study_data import MIN_IMPORTANCE_TRIALS, ended_epochs, slice_data, step_line, whole_ticks
from tui.widgets.bar_chart import BarPlot
from tui.widgets.curves import CurvePlot, Series
from tui.widgets.heatmap import HeatmapPlot
from tui.widgets.heatmap import legend as heat_legend
from tui.widgets.slice_panel import SlicePanel, axis, axis_value, prior_for
from tui.widgets.trial_timeline import TrialTimeline
from tui.widgets.trial_timeline import legend as timeline_legend

MAX_CURVES = 120  # plotext slows down with hundreds of lines
CURVE_COLORS = {"complete": "gray", "running": "cyan", "pruned": "red"}
# tab: (its title, its plot, the plot's id, whether a label line sits above the plot)
PANES = {
    "history": ("1 Hist", CurvePlot, "study-history", False),
    "curves": ("2 Curves", CurvePlot, "study-curves", True),
    "importance": ("3 Import", BarPlot, "study-importance", True),
    "slices": ("4 Slice", SlicePanel, "study-slices", False),
    "contour": ("5 Heat", HeatmapPlot, "study-contour", True),
    "workers": ("6 Workers", TrialTimeline, "study-timeline", True),
    "compare": ("7 Compare", CurvePlot, "study-compare", True),
    "pareto": ("8 Pareto", CurvePlot, "study-pareto", True),
}


class StudyTabs:
    """The drawing of StudyScreen's tabs. The screen provides `snapshot` (a StudySnapshot),
    `shown`, `hide_pruned`, `param_index`, `contour_axes` and `_missing()` (why there is no study)."""

    def _empty(self, plot, label_id: str | None, text: str) -> None:
        plot.plt.clear_data()
        plot.plt.clear_figure()
        plot.plt.title(text)
        plot.refresh()
        if label_id:
            self.query_one(label_id, Static).update(text)

    def _draw_history(self, view) -> None:
        plot = self.query_one("#study-history", CurvePlot)
        history = view.best_so_far() if view is not None else []
        self.shown["history"] = history
        if not history:
            self._empty(plot, None, self._missing() if view is None else "no complete trial yet")
            return
        xs = [float(h[0]) for h in history]
        step_x, step_y = step_line(xs, [h[2] for h in history])
        # no legend (plotext puts it top left, over the curve): the title says which is which
        series = [Series("", step_x, step_y, marker="braille", color="orange"),
                  Series("", xs, [h[1] for h in history], marker="•", scatter=True, color="cyan")]
        word = "highest" if view.maximize else "lowest"
        plot.show(series, title=f"value per complete trial (•), {word} so far (line)", xlabel="trial number",
                  xticks=whole_ticks(xs[-1]))

    def _draw_curves(self, view) -> None:
        plot = self.query_one("#study-curves", CurvePlot)
        curves = view.curves(self.hide_pruned) if view is not None else {}
        self.shown["curves"] = sorted(curves)
        if not curves:
            self._empty(plot, "#study-curves-label", self._missing() if view is None else "no trial has reported yet")
            return
        states = {t.number: t.state for t in view.trials}
        best = view.best()
        numbers = [n for n in sorted(curves)[-MAX_CURVES:] if best is None or n != best.number]
        series = [Series("", [float(s) for s, _ in curves[n]], [v for _, v in curves[n]],
                         color=CURVE_COLORS.get(states[n], "yellow")) for n in numbers]
        ends = [curves[n][-1] for n in numbers if states[n] == "pruned"]  # where the pruner stopped them
        if ends:
            series.append(Series("", [float(e[0]) for e in ends], [e[1] for e in ends], "x", True, "red"))
        if best is not None and best.number in curves:
            series.append(Series("", [float(s) for s, _ in curves[best.number]],
                                 [v for _, v in curves[best.number]], marker="hd", color="orange"))
        last = max(s for c in curves.values() for s, _ in c)
        plot.show(series, title="intermediate values (best: thick, x: pruned here)", xlabel="step (epoch)",
                  xticks=whole_ticks(last) if last >= 1 else None)
        pruned = sum(states[n] == "pruned" for n in curves)
        what = "pruned trials hidden" if self.hide_pruned else f"{pruned} pruned"
        self.query_one("#study-curves-label", Static).update(
            f"{len(curves)} trials drawn, {what}; h {'shows' if self.hide_pruned else 'hides'} pruned")

    def _draw_importance(self, view) -> None:
        plot = self.query_one("#study-importance", BarPlot)
        values = self.snapshot.importances
        self.shown["importance"] = dict(values or {})
        if view is None or not values:
            done = len(view.complete()) if view is not None else 0
            why = self._missing() if view is None else \
                "importances are for single-objective studies" if len(view.directions) > 1 else \
                f"importances need {MIN_IMPORTANCE_TRIALS} complete trials ({done} so far)" \
                if done < MIN_IMPORTANCE_TRIALS else \
                "computing parameter importances ..." if self.snapshot.pending else \
                "importances: not computable yet (too little variation)"
            self._empty(plot, "#study-importance-label", why)
            return
        plot.show(values, title="", xlabel="importance (sums to 1)")
        self.query_one("#study-importance-label", Static).update(
            f"parameter importances of {len(view.complete())} complete trials (Optuna's default evaluator)")

    def _draw_slices(self, view) -> None:
        panel = self.query_one(SlicePanel)
        names = view.param_names() if view is not None else []
        self.shown["slices"] = None
        if not names:
            panel.show_message(self._missing() if view is None else "no parameters yet")
            return
        self.param_index %= len(names)
        name = names[self.param_index]
        data = slice_data(view)
        panel.show(data, name, "value", f"[{self.param_index + 1}/{len(names)}, n next]")
        hist = panel.query_one("#slice-hist")
        # exercise 1's "about flat" does not hold here: TPE samples more where trials did well
        hist.plt.title(f"{sum(name in t.params for t in data.trials)} samples (TPE crowds them where trials did well)")
        hist.refresh()
        self.shown["slices"] = name

    def _draw_contour(self, view) -> None:
        plot = self.query_one("#study-contour", HeatmapPlot)
        names = view.param_names() if view is not None else []
        self.shown["contour"] = None
        if len(names) < 2:
            text = self._missing() if view is None else "a heat map needs two parameters"
            self._empty(plot, "#study-contour-label", text)
            return
        ix, iy = (i % len(names) for i in self.contour_axes)
        if ix == iy:
            iy = (ix + 1) % len(names)
        self.contour_axes = [ix, iy]
        xname, yname = names[ix], names[iy]
        points = self._contour_points(view, xname, yname)
        if not points["points"]:
            self._empty(plot, "#study-contour-label", f"{xname} × {yname}: no complete trial yet")
            return
        cuts = plot.show(points["points"], points["x"], points["y"], view.maximize, xlabel=xname, ylabel=yname)
        self.shown["contour"] = (xname, yname, len(points["points"]))
        self.query_one("#study-contour-label", Static).update(
            f"{xname}×{yname} (x/y) {heat_legend(cuts, view.maximize)}")

    @staticmethod
    def _contour_points(view, xname: str, yname: str) -> dict[str, Any]:
        raw = view.contour(xname, yname)
        px = prior_for(xname, [r[0] for r in raw]) or prior_for(xname, [0.0])
        py = prior_for(yname, [r[1] for r in raw]) or prior_for(yname, [0.0])
        pts = [(axis_value(px, a), axis_value(py, b), v) for a, b, v in raw]
        pts = [p for p in pts if p[0] is not None and p[1] is not None]
        return {"points": pts, "x": axis(px, [p[0] for p in pts]), "y": axis(py, [p[1] for p in pts])}

    def _draw_workers(self, view) -> None:
        plot = self.query_one("#study-timeline", TrialTimeline)
        bars = view.timeline(now=self.snapshot.now) if view is not None else []
        self.shown["workers"] = bars
        if not bars:
            self._empty(plot, "#study-workers-label", self._missing() if view is None else "no trial has a worker yet")
            return
        plot.show(bars)
        workers = len({b[0] for b in bars})
        self.query_one("#study-workers-label", Static).update(
            f"{workers} workers, {len(bars)} trials  {timeline_legend()}")

    def _draw_compare(self, view) -> None:
        plot = self.query_one("#study-compare", CurvePlot)
        label = self.query_one("#study-compare-label", Static)
        comparison = self.snapshot.comparison
        self.shown["compare"] = comparison
        if view is None or comparison is None:
            self._empty(plot, "#study-compare-label", "comparing with exercise 1's random search ..."
                        if view is not None and self.snapshot.pending else self._missing())
            return
        run, full = ended_epochs(view, comparison.epochs_per_trial)
        saved = f"this study ran {run} of {full} epochs ({1 - run / full:.0%} saved by pruning)" if full else ""
        figures = comparison.figures
        if comparison.other_run is None or not figures.get("n"):
            why = "no exercise-1 run to compare with: run exercise 1's random search" \
                if comparison.other_run is None else f"exercise 1's run {comparison.other_run} has no ended trial yet"
            own = view.best_so_far()  # the study alone still shows what it reached
            xs = [float(i) for i in range(1, len(own) + 1)]
            plot.show([Series("", xs, [h[2] for h in own], marker="hd", color="orange")],
                      title="this study's best so far", xlabel="complete trials")
            label.update(f"{why}\n{saved}")
            return
        n = figures["n"]
        xs = [float(i) for i in range(1, n + 1)]
        plot.show([Series("", xs, figures["other"], color="cyan"),
                   Series("", xs, figures["study"], marker="hd", color="orange")],
                  title="best so far at equal trials (dotted: random search, thick: study)", xlabel="trials",
                  xticks=whole_ticks(n))
        label.update(f"{n} trials each: random {figures['other'][-1]:.4f}, study {figures['study'][-1]:.4f} │ "
                     f"first {n}: {figures['epochs_run']} of {figures['epochs_full']} epochs "
                     f"({figures['epochs_saved']:.0%} saved)")

    def _draw_pareto(self, view) -> None:
        plot = self.query_one("#study-pareto", CurvePlot)
        if view is None or len(view.directions) < 2:
            self.shown["pareto"] = []
            self._empty(plot, "#study-pareto-label", "the Pareto front needs a study with two objectives")
            return
        front = sorted(view.pareto_front(), key=lambda t: t.values[0])
        self.shown["pareto"] = [t.number for t in front]
        done = [t for t in view.trials if t.state == "complete" and t.values and len(t.values) >= 2]
        fx, fy = [t.values[0] for t in front], [t.values[1] for t in front]
        # points only: a braille line joining them lands beside plotext's character-cell markers
        series = [Series("", [t.values[0] for t in done], [t.values[1] for t in done], "•", True, "cyan"),
                  Series("", fx, fy, "@", True, "orange")]
        d = view.directions
        plot.show(series, xlabel=f"objective 1 ({d[0]})", ylabel=f"objective 2 ({d[1]})")
        self.query_one("#study-pareto-label", Static).update(
            f"{len(front)} of {len(done)} complete trials on the Pareto front (@): none beats them in both")
