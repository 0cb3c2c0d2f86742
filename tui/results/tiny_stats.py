"""Overhead figures of a sweep of tiny tasks, from the tasks' own result files.

Every task writes `trials/<N>/result.json` (see tui.runtime.tiny_tasks) with the times
`submitted` (where the scheduler says), `launched` (process start, or when a worker loop took
it), `ready` (imports done), `ended` and `timed_s` (the timed work). From those alone, whatever
ran the tasks, per task:

    wait      from the moment the task could have started (its submission, or the last end of
              another task before it, whichever is later: a CPU slot had just come free) to its
              process start: the scheduler's cost, and the previous process's exit
    start-up  from process start to ready: a new Python and its imports

`overhead_per_task_s` is the mean wait plus the mean start-up: the fixed cost a way adds to
every task. It does not depend on how many CPUs ran the sweep, nor much on the machine's load
(the scheduler's wait is set by its own timers). Tasks/s and the wall time are given too.
"""

from __future__ import annotations

import bisect
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
    ready: float | None = None  # imports done; None in results written before it was recorded
    submitted: float | None = None  # when the scheduler got the job, where it says
    runner: str = ""  # slurm, local, hyperqueue, hand ("" when the result does not say)

    @property
    def ready_at(self) -> float:
        """When the task was ready to work (older results: when its measurement began)."""
        return self.started if self.ready is None else self.ready


def _opt(value: Any) -> float | None:
    return None if value is None else float(value)


def _record(data: dict[str, Any]) -> TaskRecord:
    started, ended = float(data["started"]), float(data["ended"])
    return TaskRecord(task=int(data.get("task", -1)), status=str(data.get("status", "")),
                      launched=float(data.get("launched", started)), started=started, ended=ended,
                      timed_s=float(data.get("timed_s") or 0.0), seq_per_s=data.get("seq_per_s"),
                      peak_mem_gb=data.get("peak_mem_gb"), params=dict(data.get("params") or {}),
                      host=str(data.get("host", "")), pid=int(data.get("pid", 0) or 0),
                      mode=str(data.get("mode", "")), cpus=int(data.get("cpus", 0) or 0),
                      ready=_opt(data.get("ready")), submitted=_opt(data.get("submitted")),
                      runner=str(data.get("runner", "")))


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


def waits(records: list[TaskRecord]) -> dict[int, float | None]:
    """Per task, the seconds from when it could have started to its process start (see the
    module docstring); None for a task that launched before any other ended, with no submit time."""
    ends = sorted(r.ended for r in records)
    out: dict[int, float | None] = {}
    for r in records:
        i = bisect.bisect_right(ends, r.launched)  # an end at the very moment of launch counts
        since = [t for t in (r.submitted, ends[i - 1] if i else None) if t is not None and t <= r.launched]
        out[r.task] = r.launched - max(since) if since else None
    return out


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def summarize(records: list[TaskRecord], submitted: float | None = None) -> dict[str, Any]:
    """Overhead per task (wait + start-up), wall time, tasks/s and the best configuration."""
    done = [r for r in records if r.status == "complete"]
    out: dict[str, Any] = {"tasks": len(records), "complete": len(done),
                           "failed": sum(r.status == "failed" for r in records)}
    if not done:
        return {**out, "tasks_per_s": 0.0, "wall_s": 0.0, "lanes": 0, "wait_per_task_s": None,
                "startup_per_task_s": None, "overhead_per_task_s": None, "work_per_task_s": None, "best": None}
    known = [s for s in (submitted, *(r.submitted for r in records)) if s is not None]
    first = min([r.launched for r in records] + known)
    wall = max(max(r.ended for r in records) - first, 1e-9)
    wait = _mean([w for w in waits(records).values() if w is not None])
    startup = _mean([max(0.0, r.ready_at - r.launched) for r in records])
    best = max((r for r in done if r.seq_per_s is not None), key=lambda r: r.seq_per_s, default=None)
    return {**out, "tasks_per_s": len(done) / wall, "wall_s": wall, "lanes": max(1, max_concurrency(records)),
            "wait_per_task_s": wait, "startup_per_task_s": startup,
            "overhead_per_task_s": (wait or 0.0) + (startup or 0.0),
            "work_per_task_s": _mean([r.ended - r.ready_at for r in done]),
            "best": None if best is None else {"task": best.task, "params": best.params,
                                               "seq_per_s": best.seq_per_s, "peak_mem_gb": best.peak_mem_gb}}


def gantt_bars(records: list[TaskRecord], origin: float | None = None) -> list[Bar]:
    """Bars for a Gantt chart, in seconds from `origin`: per task a "queue" bar (a free slot
    waiting for its process: the scheduler), an "import" bar (process start to ready: a new
    Python and its imports) and a "trial" bar (the task's own work).

    Lanes are filled greedily: a task goes to the first lane that is free when it launches.
    """
    if not records:
        return []
    gaps = waits(records)
    t0 = min(r.launched - (gaps[r.task] or 0.0) for r in records) if origin is None else origin
    lane_free: list[float] = []
    bars: list[Bar] = []
    for r in sorted(records, key=lambda r: (r.launched, r.task)):
        lane = next((i for i, free in enumerate(lane_free) if free <= r.launched + 1e-6), None)
        if lane is None:
            lane_free.append(0.0)
            lane = len(lane_free) - 1
        lane_free[lane] = r.ended
        if gaps[r.task]:
            bars.append(Bar(lane, r.launched - gaps[r.task] - t0, r.launched - t0, "queue"))
        ready = min(max(r.launched, r.ready_at), r.ended)
        if ready > r.launched:
            bars.append(Bar(lane, r.launched - t0, ready - t0, "import"))
        bars.append(Bar(lane, ready - t0, r.ended - t0, "trial"))
    return bars


def gantt_schedule(records: list[TaskRecord]):
    """The measured bars as a `tui.sim.overhead.Schedule`, which the Gantt widget draws."""
    from tui.sim.overhead import QueueParams, Schedule

    bars = gantt_bars(records)
    lanes = 1 + max((b.lane for b in bars), default=0)
    return Schedule(QueueParams(workers=lanes, trials=len(records)), bars, lanes=lanes, jobs=len(records))
