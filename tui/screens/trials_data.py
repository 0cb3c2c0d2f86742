"""Plain data behind the trials screen, built in its worker thread (no textual, no plotting here).

`RunWatcher` finds the run (a fixed folder, or the latest run of an exercise folder, which
may appear only later), tails it and returns a `RunSnapshot` when something changed. The
snapshot copies what the screen draws, so the UI thread never touches the tailer. A trial's
row and curve are built again only when the tailer read something new of it, and the rows are
plain dicts: no pandas before the first paint (its import cost a loaded login node a second).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tui.results.table import sort_rows, trial_row

METRIC = "val_acc"
MAX_CURVES = 120  # plotext slows down with hundreds of lines; the best ones are drawn


@dataclass(frozen=True)
class TrialView:
    """One trial as the screen draws it."""

    id: str
    status: str
    params: dict[str, Any]
    curve: tuple[tuple[float, float], ...]  # (step, metric) per epoch so far
    best: float | None
    best_step: int | None
    reason: str = ""


@dataclass
class RunSnapshot:
    """What the screen shows of one run at one moment."""

    run_dir: Path | None
    trials: list[TrialView] = field(default_factory=list)
    rows: list[dict[str, Any]] = field(default_factory=list)  # the trials table (tui.results.table.trial_row)
    param_names: list[str] = field(default_factory=list)
    note: str = ""  # why this run and not the newest (tui.workflows.results.RunPick.note)
    last_step: float = 0.0  # the furthest epoch of any curve (the x axis' ticks)

    _cache: dict = field(default_factory=dict, repr=False, compare=False)  # filled by prepare() in the worker

    @property
    def best(self) -> TrialView | None:
        if "best" not in self._cache:
            scored = [t for t in self.trials if t.best is not None]
            self._cache["best"] = max(scored, key=lambda t: t.best) if scored else None
        return self._cache["best"]

    def counts(self) -> dict[str, int]:
        if "counts" not in self._cache:
            out: dict[str, int] = {}
            for t in self.trials:
                out[t.status] = out.get(t.status, 0) + 1
            self._cache["counts"] = out
        return dict(self._cache["counts"])

    def order(self, column: str, ascending: bool) -> list[str]:
        """Trial ids sorted by `column` as the table shows them (tui.results.table.sort_rows); cached."""
        key = ("order", column, ascending)
        if key not in self._cache:
            self._cache[key] = [str(r["trial"]) for r in sort_rows(self.rows, column, ascending)]
        return self._cache[key]

    def prepare(self, column: str, ascending: bool) -> "RunSnapshot":
        """Work out in the worker thread what the UI thread asks of a snapshot: the best trial, the
        counts and the table's order (a re-sort of 1000 rows cost the UI ~10 ms per live update)."""
        _ = self.best
        self.counts()
        self.order(column, ascending)
        return self


def _view(rec, metric: str, row: dict[str, Any]) -> TrialView:
    curve = tuple((float(m.get("step", i + 1)), float(m[metric])) for i, m in enumerate(rec.metrics)
                  if isinstance(m.get(metric), (int, float)) and isinstance(m.get("step", 0), (int, float)))
    return TrialView(rec.id, rec.status, dict(rec.params or {}), curve, row[metric], row["best_step"],
                     str(row.get("reason") or ""))


def _stamp(rec) -> tuple:
    """What a trial's row and curve depend on: unchanged stamp, unchanged row."""
    return rec.offset, len(rec.metrics), rec.params is not None, rec.result is not None, rec.note


class RunWatcher:
    """Tails one run: `run_dir` fixed, or the latest with trials under `exercise_dir/runs` (re-picked each time).

    The run is picked by tui.workflows.results, as `hptune-tui results` picks it.
    """

    def __init__(self, run_dir: Path | None = None, exercise_dir: Path | None = None, metric: str = METRIC):
        from tui.workflows.results import Target

        self.target = Target(Path(run_dir) if run_dir is not None else None,
                             Path(exercise_dir) if exercise_dir is not None else None)
        self.fixed = self.target.run_dir
        self.exercise_dir = self.target.exercise_dir
        self.metric = metric
        self.tailer = None
        self._lock = threading.Lock()  # a cancelled worker may still be reading when the next starts
        self._shown: tuple[Path | None, int] | None = None
        self._built: dict[str, tuple[tuple, TrialView, dict[str, Any]]] = {}  # trial id -> (stamp, view, row)

    def find_run(self):
        """The run to show now and why (a tui.workflows.results.RunPick); cheap: a folder listing."""
        from tui.workflows.results import choose

        return choose(self.target)

    def is_new(self, run: Path | None) -> bool:
        """Whether `run` is not the one read last (its first read may take a while: say so meanwhile)."""
        return run is not None and (self.tailer is None or self.tailer.run_dir != run)

    def refresh(self, pick=None) -> RunSnapshot | None:
        """Read what is new; a snapshot when something changed since the last call, else None."""
        with self._lock:
            pick = pick if pick is not None else self.find_run()
            run = pick.run_dir
            if run is None:
                self.tailer = None
            elif self.tailer is None or self.tailer.run_dir != run:
                from tui.results.tailer import RunTailer

                self.tailer, self._built = RunTailer(run), {}
            if self.tailer is not None:
                self.tailer.refresh()
            state = (run, self.tailer.version if self.tailer else -1, pick.note)
            if state == self._shown:
                return None
            self._shown = state
            snapshot = self._snapshot(run)
            snapshot.note = pick.note
            return snapshot

    def _snapshot(self, run: Path | None) -> RunSnapshot:
        if self.tailer is None or not self.tailer.trials:
            return RunSnapshot(run)
        from tui.results.table import TrialTable

        built = [self._build(rec) for rec in self.tailer.records()]
        trials = [view for view, _ in built]
        last = max((p[0] for t in trials for p in t.curve), default=0.0)
        names = ordered(TrialTable(self.tailer, self.metric).param_names(varying_only=True))
        return RunSnapshot(run, trials, [row for _, row in built], names, last_step=last)

    def _build(self, rec) -> tuple[TrialView, dict[str, Any]]:
        stamp = _stamp(rec)
        cached = self._built.get(rec.id)
        if cached is None or cached[0] != stamp:
            row = trial_row(rec, self.metric)
            cached = self._built[rec.id] = (stamp, _view(rec, self.metric, row), row)
        return cached[1], cached[2]


def ordered(names: list[str]) -> list[str]:
    """The search space's order first (lr, batch_size, ...), then any others as found.

    Only hyperparameters that vary between trials are listed: the runtime's fixed defaults
    (epochs, depth, ...) would crowd the table and give flat slices.
    """
    from tui.runtime.space import RANDOM_SEARCH_SPACE

    rank = {p.name: i for i, p in enumerate(RANDOM_SEARCH_SPACE)}
    return sorted(names, key=lambda n: (rank.get(n, len(rank)), names.index(n)))
