"""The throughput screen (exercise 3, live): the ways of running a sweep of tiny tasks side by side.

Per way that has a run in the exercise folder (one job per task, worker loop, HyperQueue): the
scheduler's wait, the start-up and the overhead per task, tasks, the sweep's wall time and the
best seq/s; a timeline of the selected way's tasks (n/p switch ways); the fastest configuration;
and which way won and why. A timer starts one exclusive thread worker that reads the
runs; the handler draws what it posts and re-arms the timer, so reads never overlap.
`throughput` follows the workspace's 03_hyperqueue, `throughput:PATH` any exercise folder.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import DataTable, Static

from tui.screens.base import CourseScreen
from tui.screens.throughput_data import (
    JOB_FILE_FIRST,
    LABELS,
    MAX_BARS_TASKS,
    SUBMIT,
    WAYS,
    ThroughputSnapshot,
    WayView,
    verdict,
)
from tui.widgets.cost_line import CostLine
from tui.widgets.trial_timeline import TrialTimeline
from tui.workflows.results import screen_target, watched

DEFAULT_EXERCISE = "03"
# fixed widths: auto-sized columns keep the header's widths from before the first rows came
COLUMNS = (("way", 12), ("wait", 8), ("start-up", 8), ("overhead", 8), ("tasks", 7), ("wall", 7), ("best seq/s", 10))
LEGEND = "- wait  . start-up  █▓ work  x failed   n/p: way"
WHY = ("Per task, before work:\n"
       "wait: for the scheduler\n"
       "start-up: Python + imports\n\n{verdict}")


@dataclass
class ThroughputUpdated(Message):
    """Posted by the reader: a new snapshot (None: nothing changed) or an error."""

    snapshot: ThroughputSnapshot | None
    error: str = ""


def seconds(value: float | None) -> str:
    """Seconds for the table: 3 decimals under 10 s, 1 above, "-" when unknown."""
    if value is None:
        return "-"
    return f"{value:.3f} s" if value < 10 else f"{value:.1f} s"


def table_row(way: WayView) -> tuple[str, ...]:
    """The table's cells for one way (tasks: finished, with the failed ones after a +)."""
    s = way.stats
    tasks = f"{s['complete']}" + (f"+{s['failed']}x" if s["failed"] else "")
    best = "-" if way.best_seq_per_s is None else f"{way.best_seq_per_s:,.0f}"
    return (way.label, seconds(s["wait_per_task_s"]), seconds(s["startup_per_task_s"]),
            seconds(s["overhead_per_task_s"]), tasks, f"{s['wall_s']:.1f} s", best)


def best_line(best: dict | None) -> str:
    """The fastest configuration of all ways, on one line."""
    if best is None:
        return "best configuration: none yet (no task has finished)"
    params = " ".join(f"{k}={v}" for k, v in best["params"].items())
    mem = "" if best.get("peak_mem_gb") is None else f", {best['peak_mem_gb']:.3f} GB"
    return f"best: {params} → {best['seq_per_s']:,.0f} seq/s{mem} ({best['way']})"


def no_run_text(folder: str) -> str:
    """What to submit when the folder has no run yet."""
    lines = [f"No run yet in {folder}/runs. From that folder, run the sweep three ways:", ""]
    lines += [f"{LABELS[mode] + ':':<14}{SUBMIT[mode]}" for mode in WAYS]
    lines += [f"{'':<14}(write hq_job.toml first: {JOB_FILE_FIRST})"]
    lines += ["", "Every task writes runs/<way>/trials/<N>/result.json; this screen updates as",
              "they appear, with the scheduler's wait and the start-up (Python, imports) each",
              "task pays before its work, and a Gantt chart of each way's tasks."]
    return "\n".join(lines)


class ThroughputScreen(CourseScreen):
    """n/p (or up/down in the table) pick the way whose tasks the timeline shows; r re-reads."""

    POLL_S = 3.0
    BINDINGS = [
        Binding("n", "way(1)", "Next way"),
        Binding("p", "way(-1)", "Prev way"),
        Binding("r", "reload", "Refresh"),
    ]

    def __init__(self, target: str | None = None) -> None:
        super().__init__()
        self.target = target  # an exercise id or folder; None: the workspace's 03_hyperqueue
        self.snapshot: ThroughputSnapshot | None = None
        self.mode: str | None = None
        self.updates = 0  # snapshots drawn (tests wait on it)
        self.gantt_title = ""
        self.folder: Path | None = None
        self._timer = None

    @classmethod
    def from_arg(cls, arg: str | None) -> "ThroughputScreen":
        """`throughput[:03]` (an exercise of the workspace) or `throughput:PATH` (an exercise folder)."""
        return cls(screen_target(arg, DEFAULT_EXERCISE))  # KeyError names the valid exercises

    def compose_body(self) -> ComposeResult:
        yield Static("reading the runs ...", id="tp-summary")
        yield CostLine(self.target or DEFAULT_EXERCISE, id="tp-cost")  # hidden until the exercise has jobs
        table = DataTable(id="tp-table", cursor_type="row", zebra_stripes=False)
        for label, width in COLUMNS:
            table.add_column(label, width=width)
        yield table
        yield Static("", id="tp-best")
        with Horizontal(id="tp-main"):
            with Vertical(id="tp-left"):
                yield TrialTimeline(id="tp-gantt")
                yield Static(LEGEND, id="tp-legend")
                yield Static("", id="tp-empty")
            yield Static(WHY.format(verdict=""), id="tp-why")

    def on_mount(self) -> None:
        self.folder = self._exercise_dir()
        self._show_empty(True)
        self._read()

    def _exercise_dir(self) -> Path:
        target = self.target or DEFAULT_EXERCISE
        return watched(target, Path(self.app.settings.workspace), self.app.catalog, folder="exercise").exercise_dir

    @work(thread=True, exclusive=True, exit_on_error=False, group="throughput-read")
    def _read(self) -> None:
        from textual.worker import get_current_worker

        from tui.screens.throughput_data import gather

        try:
            snapshot, error = gather(self.folder), ""
        except Exception as exc:  # a broken file must not stop the updates: say so, retry later
            snapshot, error = None, f"{type(exc).__name__}: {exc}"
        if snapshot is not None and snapshot == self.snapshot:
            snapshot = None  # nothing changed: no redraw
        if not get_current_worker().is_cancelled:
            self.post_message(ThroughputUpdated(snapshot, error))

    @on(ThroughputUpdated)
    def _updated(self, message: ThroughputUpdated) -> None:
        if message.snapshot is not None:
            self.snapshot = message.snapshot
            self.updates += 1
            self._draw()
        if message.error:
            self.query_one("#tp-summary", Static).update(f"cannot read the runs: {message.error}")
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(self.POLL_S, self._read)  # re-armed: reads never overlap

    # -- drawing -----------------------------------------------------------------------------
    def _draw(self) -> None:
        snap = self.snapshot
        self.query_one("#tp-summary", Static).update(self._summary())
        self._show_empty(not snap.ways)
        if self.mode not in [w.mode for w in snap.ways]:
            modes = [w.mode for w in snap.ways]  # HyperQueue first: the way the exercise is about
            self.mode = "hyperqueue" if "hyperqueue" in modes else (modes[0] if modes else None)
        self._fill_table()
        self.query_one("#tp-best", Static).update(best_line(snap.best))
        self._draw_way()

    def _summary(self) -> str:
        snap, name = self.snapshot, self.folder.name
        if not snap.ways:
            return f"{name}: no run yet"
        text = f"{name}: newest run of {len(snap.ways)} way{'s' * (len(snap.ways) > 1)}"
        for way in snap.ways:  # more threads than CPUs: their seq/s measured cores shared with other tasks
            if way.shared:
                text += f" │ {way.label}: {way.shared} tasks shared cores"
        if len(snap.missing) == 1:
            text += f" │ no {LABELS[snap.missing[0]]} run: {SUBMIT[snap.missing[0]]}"
        elif snap.missing:
            text += " │ no run of " + ", ".join(LABELS[m] for m in snap.missing)
        broken = sum(w.broken for w in snap.ways)
        return text + (f" │ {broken} unreadable result files" if broken else "")

    def _show_empty(self, empty: bool) -> None:
        for selector in ("#tp-gantt", "#tp-legend", "#tp-why"):
            self.query_one(selector).display = not empty
        box = self.query_one("#tp-empty", Static)
        box.display = empty
        box.update(no_run_text(self.folder.name) if empty and self.folder else "")

    def _fill_table(self) -> None:
        table = self.query_one("#tp-table", DataTable)
        table.clear()
        for way in self.snapshot.ways:
            table.add_row(*table_row(way), key=way.mode)
        if self.mode is not None:
            table.move_cursor(row=table.get_row_index(self.mode))

    def _draw_way(self) -> None:
        way = self.snapshot.way(self.mode) if self.mode else None
        self.query_one("#tp-why", Static).update(WHY.format(verdict=verdict(self.snapshot)))
        if way is None:
            return
        lanes = way.stats["lanes"]
        more = f", first {way.drawn} of {way.stats['tasks']}" if way.stats["tasks"] > MAX_BARS_TASKS else ""
        title = f"{way.label} ({way.run}): {way.stats['tasks']} tasks on {lanes} slot{'s' * (lanes != 1)}{more}"
        self.gantt_title = title
        self.query_one("#tp-gantt", TrialTimeline).show(list(way.bars), title=title)

    # -- keys --------------------------------------------------------------------------------
    @on(DataTable.RowHighlighted, "#tp-table")
    def _row(self, event: DataTable.RowHighlighted) -> None:
        if event.row_key is not None and event.row_key.value != self.mode:
            self.mode = event.row_key.value
            self._draw_way()

    def action_way(self, step: int) -> None:
        if not self.snapshot or not self.snapshot.ways:
            self.notify("no run yet", severity="warning", timeout=2)
            return
        modes = [w.mode for w in self.snapshot.ways]
        self.mode = modes[(modes.index(self.mode) + step) % len(modes)] if self.mode in modes else modes[0]
        self.query_one("#tp-table", DataTable).move_cursor(row=modes.index(self.mode))
        self._draw_way()

    def action_reload(self) -> None:
        self._read()
