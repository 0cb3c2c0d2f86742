"""Throughput figures of a sweep of tiny tasks, from the tasks' own result files.

Every task writes `trials/<N>/result.json` (see tui.runtime.tiny_tasks) with the times
`launched` (process start, or when a worker loop took it), `started`, `ended` and `timed_s`
(the useful, timed work). From those alone, whatever ran the tasks:

    tasks_per_s        finished tasks / wall time (first launch, or the submit time, to last end)
    lanes              the most tasks that ever ran at once (the CPU slots the sweep used)
    overhead_per_task  (wall time x lanes - useful work) / tasks: what a slot spent per task on
                       anything but measuring: waiting for the scheduler, starting Python,
                       imports, warm-up
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tui.sim.overhead import Bar


@dataclass(frozen=True)
class TaskRecord:
    task: int
    status: str
    launched: float
    started: float
    ended: float
    timed_s: float
    seq_per_s: float | None
    peak_mem_gb: float | None
    params: dict[str, Any]
    host: str = ""
    pid: int = 0
    mode: str = ""
    cpus: int = 0  # the CPUs the task was given; 0 when its result does not say


def _record(data: dict[str, Any]) -> TaskRecord:
    started, ended = float(data["started"]), float(data["ended"])
    return TaskRecord(task=int(data.get("task", -1)), status=str(data.get("status", "")),
                      launched=float(data.get("launched", started)), started=started, ended=ended,
                      timed_s=float(data.get("timed_s") or 0.0), seq_per_s=data.get("seq_per_s"),
                      peak_mem_gb=data.get("peak_mem_gb"), params=dict(data.get("params") or {}),
                      host=str(data.get("host", "")), pid=int(data.get("pid", 0) or 0),
                      mode=str(data.get("mode", "")), cpus=int(data.get("cpus", 0) or 0))


def load_tasks(run_dir: str | Path) -> tuple[list[TaskRecord], list[str]]:
    """The run's task records (in task order) and the result files that could not be read."""
    records, broken = [], []
    for path in sorted(Path(run_dir).glob("trials/*/result.json")):
        try:
            records.append(_record(json.loads(path.read_text(encoding="utf-8"))))
        except (OSError, ValueError, KeyError, TypeError):
            broken.append(str(path))
    return sorted(records, key=lambda r: r.task), broken


def oversubscribed(records: list[TaskRecord]) -> list[TaskRecord]:
    """Tasks that ran more threads than the CPUs they were given: they shared cores with other
    tasks, so their seq/s measures the sharing, not the configuration."""
    return [r for r in records if r.cpus and isinstance(r.params.get("threads"), int)
            and r.params["threads"] > r.cpus]


def max_concurrency(records: list[TaskRecord]) -> int:
    """The most tasks whose [launched, ended] intervals overlap at one moment."""
    events = sorted([(r.launched, 1) for r in records] + [(r.ended, -1) for r in records])
    running = peak = 0
    for _, step in events:  # at equal times an end (-1) sorts first: back-to-back is not overlap
        running += step
        peak = max(peak, running)
    return peak


def summarize(records: list[TaskRecord], submitted: float | None = None) -> dict[str, Any]:
    """Tasks/s, overhead per task and the best configuration of a run's task records."""
    done = [r for r in records if r.status == "complete"]
    out: dict[str, Any] = {"tasks": len(records), "complete": len(done),
                           "failed": sum(r.status == "failed" for r in records)}
    if not done:
        return {**out, "tasks_per_s": 0.0, "wall_s": 0.0, "lanes": 0, "overhead_per_task_s": None, "best": None}
    first = min(r.launched for r in records)
    if submitted is not None:
        first = min(first, submitted)
    wall = max(max(r.ended for r in records) - first, 1e-9)
    lanes = max(1, max_concurrency(records))
    work = sum(r.timed_s for r in done)
    best = max((r for r in done if r.seq_per_s is not None), key=lambda r: r.seq_per_s, default=None)
    return {**out, "tasks_per_s": len(done) / wall, "wall_s": wall, "lanes": lanes,
            "overhead_per_task_s": max(0.0, wall * lanes - work) / len(done),
            "best": None if best is None else {"task": best.task, "params": best.params,
                                               "seq_per_s": best.seq_per_s, "peak_mem_gb": best.peak_mem_gb}}


def gantt_bars(records: list[TaskRecord], origin: float | None = None) -> list[Bar]:
    """Bars for a Gantt chart, in seconds from `origin`: per task an "import" bar (from launch
    to the timed work: start-up, imports, warm-up) and a "trial" bar (the timed work).

    Lanes are filled greedily: a task goes to the first lane that is free when it launches.
    """
    if not records:
        return []
    t0 = min(r.launched for r in records) if origin is None else origin
    lane_free: list[float] = []
    bars: list[Bar] = []
    for r in sorted(records, key=lambda r: (r.launched, r.task)):
        lane = next((i for i, free in enumerate(lane_free) if free <= r.launched + 1e-6), None)
        if lane is None:
            lane_free.append(0.0)
            lane = len(lane_free) - 1
        lane_free[lane] = r.ended
        work_start = max(r.launched, r.ended - r.timed_s)
        if work_start > r.launched:
            bars.append(Bar(lane, r.launched - t0, work_start - t0, "import"))
        bars.append(Bar(lane, work_start - t0, r.ended - t0, "trial"))
    return bars


def gantt_schedule(records: list[TaskRecord]):
    """The measured bars as a `tui.sim.overhead.Schedule`, which the Gantt widget draws."""
    from tui.sim.overhead import QueueParams, Schedule

    bars = gantt_bars(records)
    lanes = 1 + max((b.lane for b in bars), default=0)
    return Schedule(QueueParams(workers=lanes, trials=len(records)), bars, lanes=lanes, jobs=len(records))
