"""The study screen (live): an Optuna study of exercise 2 in terminal plots, one tab each.

1 history with best-so-far, 2 intermediate values (h hides pruned trials), 3 parameter
importances, 4 slices, 5 a heat map of two parameters (x/y choose them), 6 the trials per
worker on a timeline, 7 exercise 1's random search against this study, 8 the Pareto front
(two-objective studies only). A timer starts one exclusive thread worker that re-reads the
journal (and computes importances) and posts a snapshot; the handler draws the active tab
and re-arms the timer, so reads never overlap. `study:02` follows exercise 02's latest run;
`study:PATH` one run folder.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Header, Static, TabbedContent, TabPane

from tui.screens.study_data import (MIN_IMPORTANCE_TRIALS, StudySnapshot, StudyWatcher, ended_epochs, slice_data,
                                    step_line, whole_ticks)
from tui.widgets.bar_chart import BarPlot
from tui.widgets.curves import CurvePlot, Series
from tui.widgets.heatmap import HeatmapPlot, legend as heat_legend
from tui.widgets.slice_panel import SlicePanel, axis, axis_value, prior_for
from tui.widgets.trial_timeline import TrialTimeline, legend as timeline_legend

NO_STUDY = "no study yet: submit the workers first"
TABS = ("history", "curves", "importance", "slices", "contour", "workers", "compare", "pareto")
MAX_CURVES = 120  # plotext slows down with hundreds of lines
CURVE_COLORS = {"complete": "gray", "running": "cyan", "pruned": "red"}


@dataclass
class StudyUpdated(Message):
    """Posted by the read worker: a new snapshot (None: nothing changed) or an error.

    `partial`: the study before its slow parts (importances, comparison); the full one follows.
    """

    snapshot: StudySnapshot | None
    error: str = ""
    partial: bool = False


@dataclass
class StudyReading(Message):
    """Posted by the read worker before the first read of a run (Optuna's import alone takes seconds)."""

    run_dir: Path


class StudyScreen(Screen):
    """1-8 tabs; h hide pruned curves; n/p slice parameter; x/y contour parameters; r refresh."""

    CSS_PATH = "study.tcss"
    POLL_S = 2.0
    BINDINGS = [
        *(Binding(str(i + 1), f"tab('{tab}')", tab.title(), show=False) for i, tab in enumerate(TABS)),
        Binding("h", "hide_pruned", "Hide pruned"),
        Binding("n", "param(1)", "Next param"),
        Binding("p", "param(-1)", "Prev param", show=False),
        Binding("x", "axis('x')", "X/Y param"),
        Binding("y", "axis('y')", "Y param", show=False),
        Binding("r", "reload", "Refresh", show=False),
        Binding("escape,backspace", "back", "Back"),
    ]

    def __init__(self, target: str = "02", tab: str = "history") -> None:
        super().__init__()
        if tab not in TABS:
            raise KeyError(f"unknown tab {tab!r}; valid tabs: {', '.join(TABS)}")
        self.target = target
        self.start_tab = tab
        self.snapshot = StudySnapshot(None, message=NO_STUDY)
        self.hide_pruned = False
        self.param_index = 0
        self.contour_axes = [0, 1]
        self.updates = 0  # snapshots drawn (tests wait on it)
        self.shown: dict[str, Any] = {}  # what each tab last drew (tests read it)
        self._watcher: StudyWatcher | None = None
        self._timer = None
        self._waiting = "reading ..."  # shown instead of "no study yet" until the first read has ended

    @classmethod
    def from_arg(cls, arg: str | None) -> "StudyScreen":
        """`study:02` (an exercise's latest run) or `study:PATH` (a run folder, which may not exist
        yet), optionally opening a tab: `study:02#contour` (for `export`)."""
        arg, _, tab = (arg or "").partition("#")
        tab = tab or "history"
        if arg and ("/" in arg or arg.startswith((".", "~"))):
            return cls(arg, tab)
        from tui.course.catalog import bundled_catalog

        return cls(bundled_catalog().exercise(arg or "02").id, tab)  # KeyError names the valid ones

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(self._waiting, id="study-summary")
        with TabbedContent(id="study-tabs"):
            with TabPane("1 Hist", id="history"):
                yield CurvePlot(id="study-history")
            with TabPane("2 Curves", id="curves"):
                yield Static("", id="study-curves-label", classes="study-label")
                yield CurvePlot(id="study-curves")
            with TabPane("3 Import", id="importance"):
                yield Static("", id="study-importance-label", classes="study-label")
                yield BarPlot(id="study-importance")
            with TabPane("4 Slice", id="slices"):
                yield SlicePanel(id="study-slices")
            with TabPane("5 Heat", id="contour"):
                yield Static("", id="study-contour-label", classes="study-label")
                yield HeatmapPlot(id="study-contour")
            with TabPane("6 Workers", id="workers"):
                yield Static("", id="study-workers-label", classes="study-label")
                yield TrialTimeline(id="study-timeline")
            with TabPane("7 Compare", id="compare"):
                yield Static("", id="study-compare-label", classes="study-label")
                yield CurvePlot(id="study-compare")
            with TabPane("8 Pareto", id="pareto"):
                yield Static("", id="study-pareto-label", classes="study-label")
                yield CurvePlot(id="study-pareto")
        yield Footer()

    def on_mount(self) -> None:
        tabs = self.query_one(TabbedContent)
        tabs.hide_tab("pareto")
        if self.start_tab != "pareto":  # shown once the study proves to have two objectives
            tabs.active = self.start_tab
        self._watcher = self._make_watcher()
        where = Path(self.target).name if self._watcher.fixed is not None else \
            f"{self.app.catalog.exercise(self.target).dir}/runs"
        self._waiting = f"looking for runs in {where} ..."
        self._draw()
        self._read()

    def _make_watcher(self) -> StudyWatcher:
        workspace = Path(self.app.settings.workspace)
        catalog = self.app.catalog
        random_search = workspace / catalog.exercise("01").dir
        if "/" in self.target or self.target.startswith((".", "~")):
            return StudyWatcher(run_dir=Path(self.target).expanduser(), random_search_dir=random_search,
                                stale=self._stale_watch())
        return StudyWatcher(exercise_dir=workspace / catalog.exercise(self.target).dir,
                            random_search_dir=random_search, stale=self._stale_watch())

    def _stale_watch(self):
        """Cross-checks RUNNING trials with the scheduler through the app's job service (see stale_watch)."""
        from tui.results.stale_watch import StaleWatch

        self._scheduler = self.app.job_service.status_for(self)
        return StaleWatch(self._scheduler, requeue=bool(self.app.settings.requeue_stale),
                          interval=self._scheduler.interval)

    def on_unmount(self) -> None:
        if getattr(self, "_scheduler", None) is not None:
            self._scheduler.close()  # the poller stops asking about this run's jobs

    @work(thread=True, exclusive=True, exit_on_error=False, group="study-read")
    def _read(self) -> None:
        from textual.worker import get_current_worker

        def early(snapshot: StudySnapshot) -> None:  # drawn while the importances are computed
            if not get_current_worker().is_cancelled:
                self.post_message(StudyUpdated(snapshot, partial=True))

        try:
            if self._waiting:  # the first read: name the run while Optuna loads and reads it
                run = self._watcher.find_run()
                if run is not None:
                    self.post_message(StudyReading(run))
            snapshot, error = self._watcher.refresh(early), ""
        except Exception as exc:  # a broken journal must not stop the updates: say so, retry later
            snapshot, error = None, f"{type(exc).__name__}: {exc}"
        if not get_current_worker().is_cancelled:
            self.post_message(StudyUpdated(snapshot, error))

    @on(StudyReading)
    def _reading(self, message: StudyReading) -> None:
        if self._waiting:
            self._waiting = f"reading runs/{message.run_dir.name} ..."
            self._draw()

    @on(StudyUpdated)
    def _updated(self, message: StudyUpdated) -> None:
        self._waiting = ""
        if message.partial:  # the full snapshot follows from the same read: no count, no timer yet
            self.snapshot = message.snapshot
            self._draw()
            return
        if message.snapshot is not None:
            self.snapshot = message.snapshot
            self.updates += 1
            self._draw()
            if message.snapshot.recovered_now:
                self.notify(message.snapshot.stale_note, title="Stale trials", severity="warning")
        if message.error:
            self.query_one("#study-summary", Static).update(f"cannot read the study: {message.error}")
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(self.POLL_S, self._read)  # re-armed: reads never overlap

    # drawing: the summary and the active tab only (a heat map of many trials is not free)

    def _draw(self) -> None:
        self.query_one("#study-summary", Static).update(self._summary())
        view = self.snapshot.view
        tabs = self.query_one(TabbedContent)
        if view is not None and len(view.directions) > 1:
            tabs.show_tab("pareto")
            if self.start_tab == "pareto" and self.updates == 1:
                tabs.active = "pareto"
        self._draw_tab(tabs.active or "history")

    def _draw_tab(self, tab: str) -> None:
        getattr(self, f"_draw_{tab}")(self.snapshot.view)

    @on(TabbedContent.TabActivated)
    def _tab_activated(self, event: TabbedContent.TabActivated) -> None:
        self._draw_tab(event.pane.id)

    def _summary(self) -> str:
        snap, view = self.snapshot, self.snapshot.view
        if view is None:
            return self._missing()
        counts = view.counts()
        parts = [f"{counts['complete']} complete", f"{counts['pruned']} pruned"]
        parts += [f"{counts[s]} {w}" for s, w in (("fail", "failed"), ("running", "running")) if counts[s]]
        best = view.best()
        tail = f" │ best #{best.number} {best.value:.4f}" if best else ""
        tail = (f" │ {snap.stale_note}" if snap.stale_note else "") + tail  # before best: the line is cut at 80
        return f"{snap.run_dir.name}: {len(view.trials)} trials, {', '.join(parts)}{tail}"

    def _missing(self) -> str:
        if self._waiting:
            return self._waiting
        if self._watcher is not None and self._watcher.fixed is not None:
            return f"{NO_STUDY} (watching {Path(self.target).name})"
        where = f"{self.app.catalog.exercise(self.target).dir}/runs" if self._watcher else "runs"
        return f"{NO_STUDY} (watching {where})"

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

    # actions

    def action_tab(self, tab: str) -> None:
        tabs = self.query_one(TabbedContent)
        if tab == "pareto" and (self.snapshot.view is None or len(self.snapshot.view.directions) < 2):
            self.notify("the Pareto front needs a study with two objectives", timeout=3)
            return
        tabs.active = tab

    def action_hide_pruned(self) -> None:
        self.hide_pruned = not self.hide_pruned
        self.query_one(TabbedContent).active = "curves"
        self._draw_curves(self.snapshot.view)

    def action_param(self, delta: int) -> None:
        self.param_index += delta
        self.query_one(TabbedContent).active = "slices"
        self._draw_slices(self.snapshot.view)

    def action_axis(self, which: str) -> None:
        i = 0 if which == "x" else 1
        n = len(self.snapshot.view.param_names()) if self.snapshot.view is not None else 0
        self.contour_axes[i] += 1
        if n > 1 and self.contour_axes[i] % n == self.contour_axes[1 - i] % n:
            self.contour_axes[i] += 1  # never the same parameter on both axes
        self.query_one(TabbedContent).active = "contour"
        self._draw_contour(self.snapshot.view)

    def action_reload(self) -> None:
        self._read()

    def action_back(self) -> None:
        if len(self.app.screen_stack) > 1:
            self.app.pop_screen()
