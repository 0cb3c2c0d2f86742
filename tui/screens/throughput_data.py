"""Plain data behind the throughput screen (exercise 3), built in its worker thread.

For every way that has a run in the exercise folder (the newest run of each, as the checks
find them): its summary (scheduler's wait, start-up and overhead per task, wall time, best
seq/s), its tasks as timeline bars, and which way won and why. No textual, no plotting here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# the three ways of the exercise, in the order the table lists them
WAYS = ("job_per_task", "worker_loop", "hyperqueue")
LABELS = {"job_per_task": "job per task", "worker_loop": "worker loop", "hyperqueue": "HyperQueue",
          "process_per_task": "by hand", "hyperqueue_warm": "warm Python"}  # the last: optional way 4 (HyperQueue)
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
    runner: str  # who started the tasks: slurm, local, hyperqueue, hand (joined when mixed)
    bars: tuple[Bar, ...]
    drawn: int  # tasks drawn in the bars (at most MAX_BARS_TASKS)
    broken: int  # result files that could not be read
    shared: int = 0  # tasks that ran more threads than the CPUs they were given

    @property
    def label(self) -> str:
        return LABELS.get(self.mode, self.mode)

    @property
    def work_per_task_s(self) -> float | None:
        """The mean seconds of a finished task's own work (model, warm-up, timed passes)."""
        return self.stats.get("work_per_task_s")

    @property
    def best_seq_per_s(self) -> float | None:
        best = self.stats.get("best")
        return best["seq_per_s"] if best else None


@dataclass(frozen=True)
class ThroughputSnapshot:
    """What the screen shows of one exercise folder at one moment."""

    exercise_dir: Path
    ways: tuple[WayView, ...] = ()
    best: dict[str, Any] | None = None  # the fastest task of all ways, with "way" and "run" added
    missing: tuple[str, ...] = field(default=WAYS)  # ways of the exercise without a run yet

    def way(self, mode: str) -> WayView | None:
        return next((w for w in self.ways if w.mode == mode), None)


# tiny_stats' bar kinds -> the timeline's states: the scheduler's wait, the start-up, the work
STATES = {"queue": "pruned", "import": "waiting"}


def timeline_bars(records: list) -> tuple[Bar, ...]:
    """Per task a wait bar ("pruned": a free slot waiting for the task's process), a start-up
    bar ("waiting": process start to imports done) and a work bar (its status), in seconds from
    the first moment shown, on the CPU slots that `tiny_stats.gantt_bars` fills."""
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
            out.append((slot, -1, bar.start, bar.end, STATES.get(bar.kind, "waiting")))
    return tuple(out)


def _way(way) -> WayView:
    from tui.results.tiny_stats import oversubscribed

    records = way.records
    drawn = sorted(records, key=lambda r: (r.launched, r.task))[:MAX_BARS_TASKS]
    runner = ",".join(sorted({r.runner for r in records if r.runner})) or "-"
    return WayView(way.mode, way.run.name, way.stats, runner, timeline_bars(drawn), len(drawn), len(way.broken),
                   len(oversubscribed(records)))


def gather(exercise_dir: Path) -> ThroughputSnapshot:
    """Read every run of the exercise folder; the newest run of each way is shown."""
    from tui.checks.ex03_records import newest_runs

    found = newest_runs(Path(exercise_dir))
    modes = [m for m in WAYS if m in found] + sorted(m for m in found if m not in WAYS)
    ways = tuple(_way(found[mode]) for mode in modes)
    return ThroughputSnapshot(Path(exercise_dir), ways, _best(ways), tuple(m for m in WAYS if m not in found))


def _best(ways: tuple[WayView, ...]) -> dict[str, Any] | None:
    found = [{**w.stats["best"], "way": w.label, "run": w.run} for w in ways if w.stats.get("best")]
    return max(found, key=lambda b: b["seq_per_s"], default=None)


WHY = {"worker_loop": "one process: the scheduler's wait and the imports are paid once",
       "hyperqueue": "its workers are already running: no scheduler's wait, but every task imports",
       "job_per_task": "every task waits for the scheduler and imports",
       "process_per_task": "every task starts a Python and imports",
       "hyperqueue_warm": "HyperQueue starts each task at once, and a warm Python forks it already imported"}


def verdict(snapshot: ThroughputSnapshot) -> str:
    """Which way won (least overhead per task) and why, and what one job per task cost."""
    done = [w for w in snapshot.ways if w.stats.get("overhead_per_task_s") is not None]
    if not done:
        return "No task has finished yet."
    won = min(done, key=lambda w: w.stats["overhead_per_task_s"])
    lines = [f"Least overhead: {won.label}, {won.stats['overhead_per_task_s']:.3f} s per task: {WHY.get(won.mode, '')}."]
    job, hq = snapshot.way("job_per_task"), snapshot.way("hyperqueue")
    if job and job.stats.get("wait_per_task_s") is not None:
        wait = job.stats["wait_per_task_s"]
        if job.runner == "local":
            lines.append(f"One job per task on the local runner waited {wait:.3f} s per job: no queue "
                         "(a real SLURM: seconds).")
        elif hq and hq.stats.get("wait_per_task_s") is not None:
            lines.append(f"Scheduler's wait per task: one job per task {wait:.2f} s, HyperQueue "
                         f"{hq.stats['wait_per_task_s']:.2f} s.")
    return "\n".join(lines)
