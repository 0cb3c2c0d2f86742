"""The study screen (live): an Optuna study of exercise 2 in terminal plots, one tab each.

1 history with best-so-far, 2 intermediate values (h hides pruned trials), 3 parameter
importances, 4 slices, 5 a heat map of two parameters (x/y choose them), 6 the trials per
worker on a timeline, 7 exercise 1's random search against this study, 8 the Pareto front
(two-objective studies only). A timer starts one exclusive thread worker that re-reads the
journal (and computes importances) and posts a snapshot; the handler draws the active tab
and re-arms the timer, so reads never overlap. `study:02` follows exercise 02's latest run;
`study:PATH` one run folder. What each tab draws is in study_tabs.py, the reading in study_data.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widgets import Static, TabbedContent, TabPane

from tui.screens.base import CourseScreen
from tui.screens.study_data import StudySnapshot, StudyWatcher
from tui.screens.study_tabs import PANES, StudyTabs
from tui.workflows.results import screen_target, watched

NO_STUDY = "no study yet: submit the workers first"
TABS = tuple(PANES)


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


class StudyScreen(StudyTabs, CourseScreen):
    """1-8 tabs; h hide pruned curves; n/p slice parameter; x/y contour parameters; r refresh."""

    POLL_S = 2.0
    BINDINGS = [
        *(Binding(str(i + 1), f"tab('{tab}')", tab.title(), show=False) for i, tab in enumerate(TABS)),
        Binding("h", "hide_pruned", "Hide pruned"),
        Binding("n", "param(1)", "Next param"),
        Binding("p", "param(-1)", "Prev param", show=False),
        Binding("x", "axis('x')", "X/Y param"),
        Binding("y", "axis('y')", "Y param", show=False),
        Binding("r", "reload", "Refresh", show=False),
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
        self._where = "runs"  # what the watcher follows, said while there is no study
        self._waiting = "reading ..."  # shown instead of "no study yet" until the first read has ended

    @classmethod
    def from_arg(cls, arg: str | None) -> "StudyScreen":
        """`study:02` (an exercise's latest run) or `study:PATH` (a run folder, which may not exist
        yet), optionally opening a tab: `study:02#contour` (for `export`)."""
        arg, _, tab = (arg or "").partition("#")
        return cls(screen_target(arg, "02"), tab or "history")  # KeyError names the valid exercises

    def compose_body(self) -> ComposeResult:
        yield Static(self._waiting, id="study-summary")
        with TabbedContent(id="study-tabs"):
            for tab, (title, plot, plot_id, labelled) in PANES.items():
                with TabPane(title, id=tab):
                    if labelled:
                        yield Static("", id=f"study-{tab}-label", classes="study-label")
                    yield plot(id=plot_id)

    def on_mount(self) -> None:
        tabs = self.query_one(TabbedContent)
        tabs.hide_tab("pareto")
        if self.start_tab != "pareto":  # shown once the study proves to have two objectives
            tabs.active = self.start_tab
        self._watcher = self._make_watcher()
        self._waiting = f"looking for runs in {self._where} ..."
        self._draw()
        self._read()

    def _make_watcher(self) -> StudyWatcher:
        workspace, catalog = Path(self.app.settings.workspace), self.app.catalog
        target = watched(self.target, workspace, catalog)
        self._where = target.where  # `33`, or `02_optuna/runs`
        random_search = workspace / catalog.exercise("01").dir
        return StudyWatcher(target.run_dir, target.exercise_dir, random_search, stale=self._stale_watch())

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
        return f"{NO_STUDY} (watching {self._where})"

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
