"""Exercise 3: the runs of each way and whether their task records can be trusted.

A record is sound when its times are in the order a task lives them (submitted <= launched <=
ready <= started <= ended), its timed work fits inside it, its seq/s is a positive number and
its params are the sweep's configuration for its task id. The checks compare overheads only
between sound runs of the same sweep.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# the three ways of the exercise, in the order the lesson takes them
WAYS = ("job_per_task", "worker_loop", "hyperqueue")
LABELS = {"job_per_task": "one job per task", "worker_loop": "worker loop", "hyperqueue": "HyperQueue"}
CLOCK_SLACK_S = 0.05  # /proc's start time is read to 10 ms ticks; clocks are read a moment apart
SUBMIT_SLACK_S = 2.0  # SLURM's submit time is whole seconds, read on another host's clock


@dataclass(frozen=True)
class WayRun:
    """The newest run of one way, as the checks read it."""

    mode: str
    run: Path
    records: list  # tiny_stats.TaskRecord, in task order
    broken: list[str]  # result files that could not be read
    sweep: list[dict[str, Any]] | None  # the run's sweep.json (None: missing or unreadable)
    stats: dict[str, Any]  # tiny_stats.summarize()


def newest_runs(exercise_dir: Path) -> dict[str, WayRun]:
    """The newest run of every way found under `exercise_dir/runs` (a run whose tasks ran one way)."""
    from tui.results.runs import list_runs
    from tui.results.tiny_stats import load_tasks, summarize
    from tui.runtime.tiny_tasks import load_sweep

    out: dict[str, WayRun] = {}
    for run in list_runs(exercise_dir):  # newest first
        records, broken = load_tasks(run)
        modes = {r.mode for r in records if r.mode}
        if len(modes) != 1 or (mode := modes.pop()) in out:
            continue
        try:
            sweep = load_sweep(run)
        except ValueError:
            sweep = None
        out[mode] = WayRun(mode, run, records, broken, sweep, summarize(records))
    return out


def record_problem(record, sweep: list[dict[str, Any]]) -> str | None:
    """What is wrong with one task's record, or None when it is sound."""
    r = record
    if not 0 <= r.task < len(sweep):
        return f"task {r.task} is not in the run's sweep.json (0-{len(sweep) - 1})"
    if r.params != sweep[r.task]:
        return f"task {r.task} measured {r.params}, but the sweep's task {r.task} is {sweep[r.task]}"
    if r.status != "complete":
        return f"task {r.task} {r.status or 'did not finish'}"
    if r.ready is None:
        return f"task {r.task} does not say when its imports were done (written by an older tiny_tasks)"
    times = [r.launched, r.ready, r.started, r.ended]
    if any(b < a - CLOCK_SLACK_S for a, b in zip(times, times[1:])):
        return f"task {r.task}'s times are out of order (launched, ready, started, ended: {_span(times)})"
    if r.submitted is not None and r.submitted > r.launched + SUBMIT_SLACK_S:
        return f"task {r.task} says it was submitted {r.submitted - r.launched:.1f} s after its process started"
    if not r.timed_s > 0 or r.timed_s > r.ended - r.ready + CLOCK_SLACK_S:
        return f"task {r.task}'s timed_s ({r.timed_s}) must be > 0 and fit between ready and ended"
    speed = r.seq_per_s
    if not isinstance(speed, (int, float)) or not math.isfinite(speed) or speed <= 0:
        return f"task {r.task}'s seq_per_s must be a positive number, got {speed!r}"
    return None


def _span(times: list[float]) -> str:
    return ", ".join(f"{t - times[0]:+.2f} s" for t in times)


def run_problems(way: WayRun) -> list[str]:
    """Every problem of one run: unreadable files, no sweep, unsound records (first ones first)."""
    where = f"runs/{way.run.name}"
    if way.sweep is None:
        return [f"{where} has no readable sweep.json (its tasks write it: run them again)"]
    out = [f"{where}: {p}" for p in (record_problem(r, way.sweep) for r in way.records) if p]
    if way.broken:
        out.insert(0, f"{where}: {len(way.broken)} result files cannot be read, e.g. {way.broken[0]}")
    return out
