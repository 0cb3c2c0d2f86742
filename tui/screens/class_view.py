"""The class screen (the teacher's): a row per learner, the class's best results, a leaderboard, cost.

A thread worker re-reads the class folder (tui.classroom.collect: only the files that changed)
and posts what it found; the next read is armed only after that one ends. The interval starts
at BASE_INTERVAL_S and doubles up to MAX_INTERVAL_S while nothing changes, so a quiet class is
looked at rarely and a busy one every few seconds: never faster than the summaries change.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import DataTable, Static, TabbedContent, TabPane

from tui.screens.base import CourseScreen
from tui.widgets.histogram import HistogramPlot

TABS = ("learners", "results", "leaderboard", "cost")
BINS = 6  # bins of each method's histogram: labels of 4 characters fit half of 80 columns


@dataclass
class ClassRead(Message):
    """The worker's look at the folder: whether anything changed, and what is there now."""

    changed: bool
    summaries: list
    notes: list[str]


class ClassViewScreen(CourseScreen):
    """r reads the folder now; the tabs are the debrief: learners, results, leaderboard, cost."""

    BASE_INTERVAL_S = 2.0
    MAX_INTERVAL_S = 30.0
    BINDINGS = [Binding("r", "reread", "Refresh")]

    def __init__(self, folder: str | None = None, tab: str = "learners", clock=time.time) -> None:
        super().__init__()
        self.folder = folder
        self.tab = tab if tab in TABS else "learners"
        self.clock = clock
        self.reader = None
        self.interval = self.BASE_INTERVAL_S
        self.reads = 0  # finished looks at the folder (tests wait on it)
        self._timer = None

    @classmethod
    def from_arg(cls, arg: str | None) -> "ClassViewScreen":
        """`class`, `class:TAB`, `class:DIR` or `class:DIR@TAB` (DIR default: the class_dir setting)."""
        if arg in TABS:
            return cls(tab=arg)
        folder, _, tab = (arg or "").partition("@")
        return cls(folder or None, tab or "learners")

    def compose_body(self) -> ComposeResult:
        yield Static(id="class-title")
        with TabbedContent(initial=self.tab, id="class-tabs"):
            with TabPane("Learners", id="learners"):
                yield DataTable(id="class-learners", cursor_type="row", zebra_stripes=True)
            with TabPane("Results", id="results"):
                with Horizontal(id="class-plots"):
                    yield HistogramPlot(id="class-hist-random")
                    yield HistogramPlot(id="class-hist-optuna")
            with TabPane("Leaderboard", id="leaderboard"):
                yield DataTable(id="class-leaders", cursor_type="row", zebra_stripes=True)
            with TabPane("Cost", id="cost"):
                yield DataTable(id="class-cost", cursor_type="row")
        yield Static(id="class-notes")

    def on_mount(self) -> None:
        from tui.classroom.collect import ClassReader
        from tui.classroom.report import COST_COLUMNS, LEADER_COLUMNS, LEARNER_COLUMNS

        for table_id, columns in (("#class-learners", LEARNER_COLUMNS), ("#class-leaders", LEADER_COLUMNS),
                                  ("#class-cost", COST_COLUMNS)):
            self.query_one(table_id, DataTable).add_columns(*columns)
        folder = self.folder or getattr(self.app.settings, "class_dir", "")
        if not folder:
            self._title("no class folder: set class_dir (the course config) or open class:DIR")
            return
        self.reader = ClassReader(Path(folder))
        self._title(f"reading {folder}…")
        self._read()

    def _title(self, text: str) -> None:
        self.query_one("#class-title", Static).update(text)

    @work(thread=True, exclusive=True, exit_on_error=False, group="class-read")
    def _read(self) -> None:
        from textual.worker import get_current_worker

        changed = self.reader.refresh()
        if not get_current_worker().is_cancelled:
            self.post_message(ClassRead(changed, self.reader.summaries(), self.reader.notes()))

    @on(ClassRead)
    def _got(self, message: ClassRead) -> None:
        first = self.reads == 0
        self.reads += 1
        if message.changed or first:
            self._show(message.summaries, message.notes)
        self.interval = self.BASE_INTERVAL_S if message.changed else min(self.interval * 2, self.MAX_INTERVAL_S)
        self._status(message.summaries)
        self._timer = self.set_timer(self.interval, self._read)  # armed after the read: reads never overlap

    def _status(self, summaries: list) -> None:
        from tui.classroom.report import stuck

        now = self.clock()
        n_stuck = sum(stuck(s, now) is not None for s in summaries)
        self._title(f"{self.reader.folder} · {len(summaries)} learners · {n_stuck} with a failing check · "
                    f"read {time.strftime('%H:%M:%S', time.localtime(now))}, next in {self.interval:.0f}s")

    def _show(self, summaries: list, notes: list[str]) -> None:
        from tui.classroom.report import (
            best_values,
            cost_cells,
            leader_cells,
            leaderboard,
            learner_cells,
            learner_rows,
            method_costs,
        )

        now = self.clock()
        self._fill("#class-learners", [learner_cells(r) for r in learner_rows(summaries, now)])
        self._fill("#class-leaders", [leader_cells(i, e) for i, e in enumerate(leaderboard(summaries), 1)])
        self._fill("#class-cost", [cost_cells(r) for r in method_costs(summaries)])
        self._plots(best_values(summaries))
        width = max(20, self.size.width - 4)
        shown = [n if len(n) <= width else n[:width - 1] + "…" for n in notes[:3]]
        shown += [f"… and {len(notes) - 3} more skipped (hptune-tui class names them all)"] if len(notes) > 3 else []
        self.query_one("#class-notes", Static).update("\n".join(f"⚠ {n}" for n in shown))

    def _fill(self, table_id: str, rows: list[list[str]]) -> None:
        table = self.query_one(table_id, DataTable)
        row = table.cursor_row
        table.clear()
        for cells in rows:
            table.add_row(*cells)
        if rows:
            table.move_cursor(row=min(row, len(rows) - 1))

    def _plots(self, values: dict[str, list[float]]) -> None:
        """One histogram per method over the same bins, so the two shapes compare at a glance."""
        from tui.classroom.model import METHOD_TITLES
        from tui.sim.priors import histogram

        every = [v for vs in values.values() for v in vs]
        lo, hi = (min(every), max(every)) if every else (0.0, 1.0)
        for method, found in values.items():
            hist = histogram(found, bins=BINS, lo=lo, hi=hi if hi > lo else lo + 0.01)
            labels = tuple(f"{edge:.3f}"[1:] if 0 <= edge < 1 else f"{edge:.2g}" for edge in hist.edges[:-1])
            title = f"{METHOD_TITLES.get(method, method)}: best val_acc of {len(found)}"
            # named bins (their lower edges): plotext's numeric bars blur at half an 80-column screen
            self.query_one(f"#class-hist-{method}", HistogramPlot).show_categories(labels, hist.counts, title)

    def action_reread(self) -> None:
        if self.reader is None:
            return
        if self._timer is not None:
            self._timer.stop()
        self.interval = self.BASE_INTERVAL_S
        self._read()

    def action_back(self) -> None:
        self.workers.cancel_group(self, "class-read")
        if self._timer is not None:
            self._timer.stop()
        super().action_back()
