"""Plain data behind the study screen, built in its worker thread (no textual, no plotting here).

`StudyWatcher` finds the run (a fixed folder, or the latest run of exercise 02, which may
appear only later), re-reads its journal when it grew, computes parameter importances when
enough trials are complete (slow: only when that number changed), and compares the study
with exercise 1's latest random search. Optuna is imported only here, in the thread. When the
slow parts have work to do, the study itself is handed out first (`refresh(early=...)`): the
importances alone took 0.6-0.8 s, which the first paint no longer waits for.
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

MIN_IMPORTANCE_TRIALS = 5  # fewer complete trials give importances that mean nothing
METRIC = "val_acc"  # exercise 1's metric, the one the study maximises


@dataclass
class Comparison:
    """This study against exercise 1's random search (see tui.results.study.compare)."""

    other_run: str | None  # exercise 1's run folder name, None when there is none
    figures: dict[str, Any] = field(default_factory=dict)
    epochs_per_trial: int = 0


@dataclass
class StudySnapshot:
    """What the screen shows of one study at one moment."""

    run_dir: Path | None
    view: Any = None  # tui.results.study.StudyView, None while there is no study
    importances: dict[str, float] | None = None  # None: not computed (too few trials)
    comparison: Comparison | None = None
    now: float = 0.0  # when it was read (running trials' bars end here)
    message: str = ""  # why there is no view
    stale_note: str = ""  # stale trials recovered so far (tui.results.stale_watch), or why not
    recovered_now: int = 0  # trials failed by this refresh
    pending: bool = False  # the importances and the comparison are still being computed (older ones shown)


def find_latest(runs_parent: Path) -> Path | None:
    """The newest run folder under `<exercise>/runs` that has a journal (or any run at all)."""
    from tui.workflows.results import has_journal, pick_run

    return pick_run(runs_parent, has_journal).run_dir


def random_search_values(tailer, metric: str = METRIC) -> tuple[list[float], int]:
    """Exercise 1's best metric per ended trial in trial order, and its epochs per full trial.

    Args:
        tailer: a tui.results.tailer.RunTailer on exercise 1's run (refreshed here).
    """
    tailer.refresh()
    values, epochs = [], 0
    for rec in tailer.records():
        best, _ = rec.best(metric)
        if rec.done and best is not None:
            values.append(float(best))
            epochs = max(epochs, len(rec.metrics))
    return values, epochs


def epochs_per_trial(view) -> int:
    """A full trial's epochs: the most steps any complete trial reported (pruned ones stop early)."""
    return max((len(t.intermediate) for t in view.trials if t.state == "complete"), default=0)


class StudyWatcher:
    """Follows one study: `run_dir` fixed, or the latest run under `exercise_dir` (re-found each time)."""

    def __init__(self, run_dir: Path | None = None, exercise_dir: Path | None = None,
                 random_search_dir: Path | None = None, stale=None):
        self.stale = stale  # a tui.results.stale_watch.StaleWatch, or None: no scheduler cross-check
        self.fixed = Path(run_dir) if run_dir is not None else None
        self.exercise_dir = Path(exercise_dir) if exercise_dir is not None else None
        self.random_search_dir = Path(random_search_dir) if random_search_dir is not None else None
        self._lock = threading.Lock()  # a cancelled worker may still be reading when the next starts
        self._reader = None
        self._seen: tuple | None = None
        self._importances: tuple[int, dict[str, float] | None] = (-1, None)
        self._other = None  # RunTailer on exercise 1's latest run: reads only what is new
        self._comparison: Comparison | None = None  # the last one made for this run

    def find_run(self) -> Path | None:
        if self.fixed is not None:
            return self.fixed if self.fixed.is_dir() else None
        return find_latest(self.exercise_dir) if self.exercise_dir is not None else None

    def refresh(self, early: Callable[[StudySnapshot], None] | None = None) -> StudySnapshot | None:
        """A new snapshot when the journal (or the run) changed or trials are running, else None.

        Args:
            early: called with the study alone (`pending`), before the importances and the
                comparison are computed, when those have new work to do.
        """
        with self._lock:
            run = self.find_run()
            journal = run / "study.journal" if run is not None else None
            stamp = (run, journal.stat().st_size if journal and journal.is_file() else -1)
            running = self._seen is not None and self._seen[1]
            if self._seen is not None and stamp == self._seen[0] and not running:
                return None
            snapshot = self._with_stale_check(run, self._snapshot(run, early))
            busy = snapshot.view is not None and snapshot.view.counts()["running"] > 0
            self._seen = (stamp, busy)
            return snapshot

    def _with_stale_check(self, run: Path | None, snapshot: StudySnapshot) -> StudySnapshot:
        """Fail the trials whose task has ended; re-read, so this very refresh shows them FAIL."""
        if self.stale is None or snapshot.view is None or not snapshot.view.counts()["running"]:
            return snapshot
        found = self.stale.check(run, self._reader.study())
        if found:
            snapshot = self._snapshot(run)
        snapshot.stale_note, snapshot.recovered_now = self.stale.note(), len(found)
        return snapshot

    def _snapshot(self, run: Path | None, early: Callable[[StudySnapshot], None] | None = None) -> StudySnapshot:
        from tui.results.study import StudyNotFound, StudyReader

        now = time.time()
        if run is None:
            return StudySnapshot(None, now=now, message="no study yet: submit the workers first")
        if self._reader is None or self._reader.journal.parent != run:
            self._reader, self._importances, self._comparison = StudyReader(run), (-1, None), None
        try:
            view = self._reader.read()
        except StudyNotFound:
            self._reader = None  # opened before the journal existed: open afresh next time
            return StudySnapshot(run, now=now, message="no study yet: submit the workers first")
        if early is not None and self._slow(view):
            early(StudySnapshot(run, view, self._importances[1], self._comparison, now, pending=True))
        self._comparison = self._compare(view)
        return StudySnapshot(run, view, self._importances_of(view), self._comparison, now)

    def _slow(self, view) -> bool:
        """Whether the importances must be computed again, or the comparison made for the first time."""
        done = len(view.complete())
        importances = done >= MIN_IMPORTANCE_TRIALS and len(view.directions) == 1 and done != self._importances[0]
        return importances or self._comparison is None

    def _importances_of(self, view) -> dict[str, float] | None:
        done = len(view.complete())
        if done < MIN_IMPORTANCE_TRIALS or len(view.directions) > 1:
            return None
        if done != self._importances[0]:  # slow (a forest or PED-ANOVA): only when trials were added
            from tui.results.study import param_importances

            self._importances = (done, param_importances(self._reader.study()))
        return self._importances[1]

    def _compare(self, view) -> Comparison:
        from tui.results.study import compare
        from tui.workflows.results import pick_run

        full = epochs_per_trial(view)
        other = pick_run(self.random_search_dir).run_dir if self.random_search_dir is not None else None
        if other is None:
            self._other = None
        elif self._other is None or self._other.run_dir != other:
            from tui.results.tailer import RunTailer

            self._other = RunTailer(other)
        values, other_epochs = random_search_values(self._other) if self._other is not None else ([], 0)
        return Comparison(other.name if other is not None else None,
                          compare(view, values, full or other_epochs), full or other_epochs)


@dataclass
class SliceTrial:
    """What SlicePanel reads of a trial."""

    id: str
    params: dict[str, Any]
    best: float | None


@dataclass
class SliceData:
    """What SlicePanel reads of a run."""

    trials: list[SliceTrial] = field(default_factory=list)
    best: SliceTrial | None = None


def slice_data(view) -> SliceData:
    """Complete trials with their value, pruned ones with the best value they reported, running ones none."""
    pick = max if view.maximize else min
    trials = []
    for t in view.trials:
        if t.state == "complete":
            trials.append(SliceTrial(str(t.number), t.params, t.value))
        elif t.state in ("pruned", "running") and t.params:
            reached = pick(t.intermediate.values()) if t.intermediate and t.state == "pruned" else None
            trials.append(SliceTrial(str(t.number), t.params, reached))
    best = view.best()
    return SliceData(trials, next((s for s in trials if best and s.id == str(best.number)), None))


def step_line(xs: list[float], ys: list[float]) -> tuple[list[float], list[float]]:
    """A best-so-far curve as steps: it jumps at a better trial and stays flat in between."""
    if not xs:
        return [], []
    out_x, out_y = [xs[0]], [ys[0]]
    for x, y in zip(xs[1:], ys[1:]):
        out_x += [x, x]
        out_y += [out_y[-1], y]
    return out_x, out_y


def whole_ticks(last: float, count: int = 6) -> tuple[list[float], list[str]]:
    """Whole-number ticks from 0 to `last` (plotext's own read 5.2, 10.5, ...)."""
    step = max(1, math.ceil(last / (count - 1))) if last > 0 else 1
    ticks = [float(t) for t in range(0, int(last) + 1, step)]
    return ticks, [str(int(t)) for t in ticks]


def ended_epochs(view, per_trial: int) -> tuple[int, int]:
    """Epochs the ended (complete or pruned) trials ran, and what they would have run unpruned."""
    ended = [t for t in view.trials if t.state in ("complete", "pruned")]
    return sum(len(t.intermediate) for t in ended), len(ended) * per_trial

