"""The learner's own runs drawn like the simulator's schedules, from trial timestamps.

A run dir holds `trials/<trial>/metrics.jsonl` with a `time` field (seconds since the epoch)
per line. A trial's bar goes from its first to its last timestamp. The lanes (workers) are
not recorded, so trials are packed onto as few lanes as their overlaps need.
"""

from __future__ import annotations

from pathlib import Path

from tui.fsutil import read_json_lines
from tui.sim.overhead import Bar, QueueParams, Schedule


def trial_exercises(catalog=None) -> list[str]:
    """The folders of the exercises whose runs are training trials: those with a trials view (1 and 2).

    Exercise 3's tiny tasks also write trials/, but no timed epochs: its run would show as
    "0 trials on 1 lane(s)".
    """
    if catalog is None:
        from tui.course.catalog import bundled_catalog

        catalog = bundled_catalog()
    return [ex.dir for ex in catalog.exercises if any(v.partition(":")[0] == "trials" for v in ex.views)]


def latest_run(workspace: Path, exercise_dirs: list[str] | None = None) -> Path | None:
    """The newest run with trials of the trial exercises (each picked as `hptune-tui results` picks it)."""
    from tui.workflows.results import has_trials, pick_run

    dirs = trial_exercises() if exercise_dirs is None else exercise_dirs
    runs = [pick_run(Path(workspace) / d).run_dir for d in dirs]
    runs = [run for run in runs if run is not None and has_trials(run)]
    return max(runs, key=lambda p: (p.stat().st_mtime, p.name), default=None)


def trial_spans(run_dir: Path) -> list[tuple[float, float]]:
    """(first, last) timestamp of every trial with at least one timed line; bad lines skipped."""
    spans = []
    for path in sorted(Path(run_dir).glob("trials/*/metrics.jsonl")):
        times = [float(row["time"]) for row in read_json_lines(path) if isinstance(row.get("time"), (int, float))]
        if times:
            spans.append((min(times), max(times)))
    return spans


def pack_lanes(spans: list[tuple[float, float]]) -> list[Bar]:
    """Put each span on the first lane free at its start (minutes from the first start)."""
    if not spans:
        return []
    t0 = min(s for s, _ in spans)
    lane_free: list[float] = []
    bars = []
    for start, end in sorted(spans):
        start, end = (start - t0) / 60, (end - t0) / 60
        lane = next((i for i, free in enumerate(lane_free) if free <= start), len(lane_free))
        if lane == len(lane_free):
            lane_free.append(end)
        lane_free[lane] = end
        bars.append(Bar(lane, start, end, "trial"))
    return bars


def run_schedule(run_dir: Path) -> Schedule:
    """A Schedule of a real run (only trial bars: the overheads are not in the trial files)."""
    bars = pack_lanes(trial_spans(run_dir))
    lanes = 1 + max((b.lane for b in bars), default=0)
    params = QueueParams(trials=max(len(bars), 1), workers=lanes)
    return Schedule(params, bars, lanes, 0)
