"""Plain data behind the throughput screen (exercise 3), built in its worker thread.

For every way that has a run in the exercise folder (the newest run of each, as the checks
group them with `runs_by_mode`): its summary, its ratio to one job per task and its tasks as
timeline bars. No textual, no plotting here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# the three ways of the exercise, in the order the table lists them
WAYS = ("job_per_task", "worker_loop", "hyperqueue")
LABELS = {"job_per_task": "job per task", "worker_loop": "worker loop", "hyperqueue": "HyperQueue",
          "process_per_task": "by hand"}
# how to make a run of each way (from the exercise folder), for the "no run yet" messages
SUBMIT = {"job_per_task": "hptune-tui submit per_task.sh",
          "worker_loop": "hptune-tui submit worker_loop.sh",
          "hyperqueue": "hptune-tui submit hq_job.toml --backend hyperqueue"}
# HyperQueue's job file comes from the sweep: each task asks for one CPU per thread it runs
JOB_FILE_FIRST = "python sweep.py --hq-job hq_job.toml"
MAX_BARS_TASKS = 300  # plotext slows down with thousands of lines: the first tasks are drawn

Bar = tuple[str, int, float, float, str]  # (slot label, task, start s, end s, state), as TrialTimeline takes


@dataclass(frozen=True)
class WayView:
    """One way's newest run, as the screen shows it."""

    mode: str
    run: str  # the run folder's name
    stats: dict[str, Any]  # tiny_stats.summarize()
    ratio: float | None  # tasks/s over one job per task's (None without that run)
    bars: tuple[Bar, ...]
    drawn: int  # tasks drawn in the bars (at most MAX_BARS_TASKS)
    broken: int  # result files that could not be read
    shared: int = 0  # tasks that ran more threads than the CPUs they were given

    @property
    def label(self) -> str:
        return LABELS.get(self.mode, self.mode)

    @property
    def work_per_task_s(self) -> float | None:
        """The mean timed (useful) seconds of a finished task."""
        return self.stats.get("work_per_task_s")


@dataclass(frozen=True)
class ThroughputSnapshot:
    """What the screen shows of one exercise folder at one moment."""

    exercise_dir: Path
    ways: tuple[WayView, ...] = ()
    best: dict[str, Any] | None = None  # the fastest task of all ways, with "way" and "run" added
    missing: tuple[str, ...] = field(default=WAYS)  # ways of the exercise without a run yet

    def way(self, mode: str) -> WayView | None:
        return next((w for w in self.ways if w.mode == mode), None)


def timeline_bars(records: list) -> tuple[Bar, ...]:
    """Per task a start-up bar ("waiting": launch to measuring) and a measuring bar (its status),
    in seconds from the first launch, on the CPU slots that `tiny_stats.gantt_bars` fills."""
    from tui.results.tiny_stats import gantt_bars

    bars = gantt_bars(records)
    # gantt_bars gives one "trial" bar per record, in (launched, task) order: pair them up
    order = iter(sorted(records, key=lambda r: (r.launched, r.task)))
    out: list[Bar] = []
    for bar in bars:
        slot = f"s{bar.lane + 1}"
        if bar.kind == "trial":
            record = next(order)
            state = "complete" if record.status == "complete" else "fail"
            out.append((slot, record.task, bar.start, bar.end, state))
        else:
            out.append((slot, -1, bar.start, bar.end, "waiting"))
    return tuple(out)


def _way(mode: str, run: Path, stats: dict[str, Any], per_job: float | None) -> WayView:
    from tui.results.tiny_stats import load_tasks, oversubscribed

    records, broken = load_tasks(run)
    done = [r for r in records if r.status == "complete"]
    stats = {**stats, "work_per_task_s": sum(r.timed_s for r in done) / len(done) if done else None}
    drawn = sorted(records, key=lambda r: (r.launched, r.task))[:MAX_BARS_TASKS]
    ratio = stats["tasks_per_s"] / per_job if per_job else None
    return WayView(mode, run.name, stats, ratio, timeline_bars(drawn), len(drawn), len(broken),
                   len(oversubscribed(records)))


def gather(exercise_dir: Path) -> ThroughputSnapshot:
    """Read every run of the exercise folder; the newest run of each way is shown."""
    from tui.checks.ex03 import runs_by_mode

    groups = runs_by_mode(Path(exercise_dir))
    modes = [m for m in WAYS if m in groups] + sorted(m for m in groups if m not in WAYS)
    per_job = groups["job_per_task"][0][1]["tasks_per_s"] if "job_per_task" in groups else None
    ways = tuple(_way(mode, *groups[mode][0], per_job or None) for mode in modes)
    return ThroughputSnapshot(Path(exercise_dir), ways, _best(ways), tuple(m for m in WAYS if m not in groups))


def _best(ways: tuple[WayView, ...]) -> dict[str, Any] | None:
    found = [{**w.stats["best"], "way": w.label, "run": w.run} for w in ways if w.stats.get("best")]
    return max(found, key=lambda b: b["seq_per_s"], default=None)
