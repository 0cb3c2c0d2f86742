"""The trials screen (live): learning curves, slices per hyperparameter, the table, the best configuration.

A timer starts one exclusive thread worker that tails the run and posts a snapshot (the
summary and the table are drawn from it at once, the table in place), then builds the curve
plot's text there too and posts it (TrialsCurves); the timer is re-armed once a read has
ended, so reads never overlap. `trials:01` follows the
latest run of exercise 01 in the workspace (a run submitted later is picked up);
`trials:PATH` follows one run folder.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import DataTable, Static, TabbedContent, TabPane

from tui.screens.base import CourseScreen
from tui.screens.trials_data import MAX_CURVES, METRIC, RunSnapshot, RunWatcher, TrialView
from tui.widgets.cost_line import CostLine
from tui.widgets.curves import Built, CurvePlot, Series, build_plot
from tui.widgets.slice_panel import SlicePanel
from tui.widgets.trials_table import TrialsTable, format_value
from tui.workflows.results import screen_target, summary, watched

NO_RUN = "no run yet: submit the job first"
READING = "reading ..."  # until the first read ends: a large run takes seconds, and it is not "no run"
TABS = ("curves", "slices", "table")


@dataclass
class TrialsUpdated(Message):
    """Posted by the tail worker: a new snapshot (None: nothing changed) or an error.

    `curves_follow`: a TrialsCurves with this snapshot's curve plot follows (built in the worker).
    """

    snapshot: RunSnapshot | None
    error: str = ""
    curves_follow: bool = False


@dataclass
class TrialsCurves(Message):
    """Posted by the tail worker after TrialsUpdated: the snapshot's curve plot (Built, its series), or
    None when it could not be built there (the widget then draws the series itself)."""

    snapshot: RunSnapshot
    curves: tuple[Built, list[Series]] | None


@dataclass
class TrialsReading(Message):
    """Posted by the tail worker before the first read of a run (which may take a while)."""

    run_dir: Path


def curve_series(snapshot: RunSnapshot, metric: str = METRIC) -> list[Series]:
    """One line per trial: finished grey, running cyan, failed/pruned red, the best on top in orange."""
    best = snapshot.best
    trials = [t for t in snapshot.trials if t.curve and (best is None or t.id != best.id)]
    trials = sorted(trials, key=lambda t: -(t.best or 0.0))[:MAX_CURVES]
    colors = {"complete": "gray", "running": "cyan"}
    # no legend: plotext puts it top left, right over the best curve. Running trials are cyan,
    # failed or pruned ones red (the summary line counts them).
    series = [Series("", [p[0] for p in t.curve], [p[1] for p in t.curve], color=colors.get(t.status, "red"))
              for t in trials]
    if best is not None and best.curve:
        series.append(Series("", [p[0] for p in best.curve], [p[1] for p in best.curve],
                             marker="hd", color="orange"))
    return series


def epoch_ticks(snapshot: RunSnapshot) -> tuple[list[float], list[str]] | None:
    """Whole-number epoch ticks (plotext's own would read 5.8, 10.5, ...)."""
    last = snapshot.last_step  # found in the worker: 100,000 points took 10 ms of the UI thread
    if last < 1:
        return None
    step = max(1, round(last / 5))
    ticks = [float(e) for e in range(step if step > 1 else 1, int(last) + 1, step)]
    return ticks, [str(int(t)) for t in ticks]


def curve_options(snapshot: RunSnapshot) -> dict:
    """The curve plot's title and axes for a snapshot that has trials."""
    return {"title": f"{METRIC} per epoch (best: thick)", "xlabel": "epoch", "xticks": epoch_ticks(snapshot)}


def best_text(best: TrialView | None, metric: str = METRIC) -> str:
    """The best configuration, one hyperparameter a line."""
    if best is None:
        return "best configuration\n\nno trial has reported\n" + metric + " yet"
    lines = [f"best: trial {best.id}", f"{metric} {best.best:.4f}", f"at epoch {best.best_step}",
             f"state {best.status}", ""]
    lines += [f"{k:<13}{format_value(v)}" for k, v in best.params.items()]
    return "\n".join(lines)


class TrialsScreen(CourseScreen):
    """1/2/3 curves, slices, table; n/p next hyperparameter; s sort by the cursor's column."""

    POLL_S = 2.0
    BINDINGS = [
        Binding("1", "tab('curves')", "Curves", show=False),
        Binding("2", "tab('slices')", "Slices", show=False),
        Binding("3", "tab('table')", "Table", show=False),
        Binding("n", "param(1)", "Next param"),
        Binding("p", "param(-1)", "Prev param", show=False),
        Binding("s", "sort", "Sort"),
        Binding("r", "reload", "Refresh"),
    ]

    def __init__(self, target: str = "01") -> None:
        super().__init__()
        self.target = target
        self.snapshot = RunSnapshot(None)
        self.param_index = 0
        self.updates = 0  # snapshots drawn (tests wait on it)
        self._watcher: RunWatcher | None = None
        self._timer = None
        self._waiting = READING  # shown instead of "no run yet" until the first read has ended
        self._note = ""
        self._curves: tuple[RunSnapshot, Built, list[Series]] | None = None  # the worker's last build, and of what
        self._curves_coming: RunSnapshot | None = None  # the snapshot whose curves the worker is building
        self._curves_plot: CurvePlot | None = None
        self._table: TrialsTable | None = None  # read by the worker: the sort to prepare

    @classmethod
    def from_arg(cls, arg: str | None) -> "TrialsScreen":
        """`trials:01` (an exercise's latest run) or `trials:PATH` (a run folder, which may not exist yet)."""
        return cls(screen_target(arg, "01"))  # KeyError names the valid exercises

    def compose_body(self) -> ComposeResult:
        yield Static(READING, id="trials-summary")
        yield CostLine(self.target, id="trials-cost")  # hidden until the exercise has jobs
        with TabbedContent(id="trials-tabs"):
            with TabPane("1 Curves", id="curves"):
                with Horizontal(id="trials-curves-row"):
                    yield CurvePlot(id="trials-curves")
                    yield Static(best_text(None), id="trials-best")
            with TabPane("2 Slices", id="slices"):
                yield SlicePanel(id="trials-slices")
            with TabPane("3 Table", id="table"):
                yield TrialsTable(id="trials-table")
                yield Static("", id="trials-row")

    def on_mount(self) -> None:
        self._watcher = self._make_watcher()
        self._curves_plot = self.query_one("#trials-curves", CurvePlot)
        self._table = self.query_one(TrialsTable)
        self._waiting = f"looking for runs in {self._watcher.target.where} ..."
        self._draw()
        self._tail()

    def _make_watcher(self) -> RunWatcher:
        target = watched(self.target, Path(self.app.settings.workspace), self.app.catalog)
        return RunWatcher(target.run_dir, target.exercise_dir)

    @work(thread=True, exclusive=True, exit_on_error=False, group="trials-tail")
    def _tail(self) -> None:
        from textual.worker import get_current_worker

        try:
            pick = self._watcher.find_run()
            if self._watcher.is_new(pick.run_dir):
                self.post_message(TrialsReading(pick.run_dir))
            snapshot = self._watcher.refresh(pick)
        except Exception as exc:  # a broken file must not stop the updates: say so, retry later
            snapshot, error = None, f"{type(exc).__name__}: {exc}"
        else:
            error = ""
        spec = self._curves_plot.build_spec() if self._curves_plot is not None else None
        if snapshot is not None and self._table is not None:
            snapshot.prepare(*self._table.sort_spec)  # the UI thread then finds the table's order made
        follow = spec is not None and snapshot is not None and bool(snapshot.trials)
        if get_current_worker().is_cancelled:
            return
        self.post_message(TrialsUpdated(snapshot, error, follow))  # the table first: the plot takes longer
        if follow:
            self._build_curves(snapshot, spec)

    def _build_curves(self, snapshot: RunSnapshot, spec) -> None:
        """The curves' text, built here in the worker: plotext took 0.2-0.3 s of the UI thread per update."""
        from textual.worker import get_current_worker

        try:
            series = curve_series(snapshot)
            curves = build_plot(spec, series, **curve_options(snapshot)), series
        except Exception:  # the widget draws the series itself, and says what is wrong if it can't
            curves = None
        if not get_current_worker().is_cancelled:
            self.post_message(TrialsCurves(snapshot, curves))

    @on(TrialsReading)
    def _reading(self, message: TrialsReading) -> None:
        self._waiting = f"reading runs/{message.run_dir.name} ..."
        if not self.snapshot.trials:  # a run already shown stays until the new one is read
            self._draw()

    @on(TrialsUpdated)
    def _updated(self, message: TrialsUpdated) -> None:
        self._waiting = ""
        if message.curves_follow:
            self._curves_coming = message.snapshot
        if message.snapshot is not None:
            self.snapshot = message.snapshot
            self.updates += 1
            self._draw()
            if message.snapshot.note and message.snapshot.note != self._note:
                self.notify(message.snapshot.note, timeout=8)
            self._note = message.snapshot.note
        elif self._curves_coming is not self.snapshot and not self._curves_fit():
            self._draw_curves()  # a read that would have brought them was cancelled: draw them here
        if message.error:
            self.query_one("#trials-summary", Static).update(f"cannot read the run: {message.error}")
        if not message.curves_follow:
            self._rearm()

    @on(TrialsCurves)
    def _curves_ready(self, message: TrialsCurves) -> None:
        if message.snapshot is self.snapshot:
            self._curves_coming = None
            self._curves = (message.snapshot, *message.curves) if message.curves is not None else None
            if (self.query_one(TabbedContent).active or "curves") == "curves":
                self._draw_curves()
        self._rearm()

    def _rearm(self) -> None:
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(self.POLL_S, self._tail)  # after a read has ended: reads never overlap

    def _curves_fit(self) -> bool:
        return self._curves is not None and self._curves[0] is self.snapshot

    def _draw(self) -> None:
        """The summary and the table always (in place: cheap); a plot only on its tab, else when it opens."""
        snap = self.snapshot
        self.query_one("#trials-summary", Static).update(self._summary())
        active = self.query_one(TabbedContent).active or "curves"
        if active == "curves":
            self._draw_curves()
        self.query_one("#trials-best", Static).update(best_text(snap.best))
        self.query_one(TrialsTable).show_rows(snap.rows, snap.param_names, METRIC, snap.order)
        if active == "slices":
            self._draw_slice()
        self._show_row()

    def _draw_curves(self) -> None:
        snap = self.snapshot
        plot = self.query_one("#trials-curves", CurvePlot)
        if not snap.trials:
            plot.show([], title=self._waiting or ("no trials yet" if snap.run_dir else NO_RUN), xlabel="epoch")
        elif self._curves_fit():  # built by the worker for this very snapshot
            plot.show_built(self._curves[1], self._curves[2], **curve_options(snap))
        elif self._curves_coming is snap:  # the worker is building them: the table comes first
            if not plot.has_data:
                plot.show([], title=f"drawing {len(snap.trials)} trials' curves ...", xlabel="epoch")
        else:
            plot.show(curve_series(snap), **curve_options(snap))

    def _summary(self) -> str:
        snap = self.snapshot
        if self._waiting and not snap.trials:
            return self._waiting
        if snap.run_dir is None:
            return self._no_run()
        best = snap.best
        return summary(snap.run_dir.name, snap.counts(), (best.id, best.best) if best else None)

    def _no_run(self) -> str:
        if self._waiting:
            return self._waiting
        return f"{NO_RUN} (watching {self._watcher.target.where if self._watcher else 'runs'})"

    def _draw_slice(self) -> None:
        names = self.snapshot.param_names
        panel = self.query_one(SlicePanel)
        if not names:
            panel.show_message(self._no_run() if self.snapshot.run_dir is None else "no hyperparameters yet")
            return
        self.param_index %= len(names)
        position = f"[{self.param_index + 1}/{len(names)}, n next]"
        panel.show(self.snapshot, names[self.param_index], METRIC, position)

    @on(DataTable.CellHighlighted, "#trials-table")
    def _show_row(self) -> None:
        table = self.query_one(TrialsTable)
        row = self.query_one("#trials-row", Static)
        if not table.row_count:
            row.update(self._no_run() if self.snapshot.run_dir is None else "no trials yet")
            return
        trial_id = table.sorted_ids()[table.cursor_row]
        trial = next((t for t in self.snapshot.trials if t.id == trial_id), None)
        if trial is not None:
            acc = f"best {METRIC} {trial.best:.4f} at epoch {trial.best_step}" if trial.best is not None else \
                f"no {METRIC} yet"
            reason = f" │ {trial.reason}" if trial.reason else ""
            row.update(f"trial {trial.id} {trial.status}: {len(trial.curve)} epochs, {acc}{reason}")

    def action_tab(self, tab: str) -> None:
        self.query_one(TabbedContent).active = tab

    @on(TabbedContent.TabActivated)
    def _tab_activated(self, event: TabbedContent.TabActivated) -> None:
        if event.pane.id == "table":  # arrows and s then work on the table straight away
            self.query_one(TrialsTable).focus()
        elif event.pane.id == "slices":
            self._draw_slice()
        else:
            self._draw_curves()

    def action_param(self, delta: int) -> None:
        self.param_index += delta
        self.query_one(TabbedContent).active = "slices"
        self._draw_slice()

    def action_sort(self) -> None:
        self.query_one(TabbedContent).active = "table"
        self.notify(self.query_one(TrialsTable).sort_by_cursor(), timeout=2)

    def action_reload(self) -> None:
        self._tail()
