"""The cost ledger: what the learner's tracked jobs used, per job and per exercise. Textual-free.

One way for `hptune-tui cost`, the trials and throughput screens' cost line and the class
view's published summary. Per job: core-hours (allocated CPUs x elapsed), GPU-hours, the
seconds its tasks ran, their queue wait (start - submit), and how much of the run time was
useful (training or measuring, from the run's own records) against overhead (starting Python,
imports, waiting inside the job). The figures come from `sacct` (slurm, ssh: one call per
backend) or from the local runner's records; `tui.results.cost_sources` gathers them.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass
class JobCost:
    """One tracked job (an array counts as one job of many tasks)."""

    job_id: str
    exercise: str  # the catalog's id ("01"); the folder's name for one outside the catalog; "" for none
    backend: str
    cpu_hours: float = 0.0
    gpu_hours: float = 0.0
    elapsed_s: float = 0.0  # the tasks' run times added up
    queue_wait_s: float = 0.0  # the started tasks' waits (start - submit) added up
    useful_s: float = 0.0  # training or measuring, from the run's records (never above elapsed_s)
    overhead_s: float = 0.0  # elapsed_s - useful_s: starting, imports, waiting inside the job
    tasks: int = 0
    started: int = 0  # tasks that started (those with a queue wait)
    cpus: int = 0  # CPUs per task (the most any task had)
    states: dict[str, int] = field(default_factory=dict)
    first_start: float | None = None  # epoch seconds
    last_end: float | None = None  # the latest end, or now while a task still runs
    run_dir: str = ""


@dataclass
class ExerciseCost:
    """The jobs of one exercise added up."""

    exercise: str
    jobs: int = 0
    tasks: int = 0
    cpu_hours: float = 0.0
    gpu_hours: float = 0.0
    elapsed_s: float = 0.0
    wall_s: float = 0.0  # time during which at least one of its jobs ran
    queue_wait_s: float = 0.0
    started: int = 0
    useful_s: float = 0.0
    useful_fraction: float | None = None  # of the core time; None when nothing ran yet

    @property
    def mean_queue_wait_s(self) -> float | None:
        return self.queue_wait_s / self.started if self.started else None


def total(exercise: str, jobs: list[JobCost]) -> ExerciseCost:
    """Add up `jobs`; the useful fraction is weighted by each job's CPUs (core time, not task time)."""
    out = ExerciseCost(exercise, jobs=len(jobs))
    for job in jobs:
        for name in ("tasks", "cpu_hours", "gpu_hours", "elapsed_s", "queue_wait_s", "started", "useful_s"):
            setattr(out, name, getattr(out, name) + getattr(job, name))
    core_s = sum(j.elapsed_s * max(j.cpus, 1) for j in jobs)
    if core_s > 0:
        out.useful_fraction = min(1.0, sum(j.useful_s * max(j.cpus, 1) for j in jobs) / core_s)
    out.wall_s = _union([(j.first_start, j.last_end) for j in jobs])
    return out


def _union(spans: list[tuple[float | None, float | None]]) -> float:
    """The length of the union of the [start, end] spans that are known."""
    length, reach = 0.0, None
    for start, end in sorted((s, e) for s, e in spans if s is not None and e is not None and e >= s):
        if reach is None or start > reach:
            length, reach = length + end - start, end
        elif end > reach:
            length, reach = length + end - reach, end
    return length


@dataclass
class CostLedger:
    """Every costed job, and one line per backend that could not tell (never an empty answer then)."""

    jobs: list[JobCost] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def exercises(self) -> list[str]:
        """The exercises that have jobs, in catalog order (ids sort that way), "" (none) last."""
        return sorted({j.exercise for j in self.jobs}, key=lambda e: (e == "", e))

    def totals(self, exercise: str | None = None) -> ExerciseCost:
        """The jobs of `exercise` ("01", "1" or its folder name) added up; None: every job."""
        if exercise is None:
            return total("", self.jobs)
        key = exercise_key(exercise)
        return total(key, [j for j in self.jobs if j.exercise == key])

    def summary_line(self, exercise: str | None = None) -> str:
        """`this tuning used 1.3 core-hours, 40% of it waiting or starting` (fits 80 columns)."""
        return summary_line(self.totals(exercise))

    def to_json(self) -> dict:
        """{"jobs": [...], "exercises": {id: totals + "summary"}, "errors": [...], "notes": [...]}."""
        exercises = {}
        for name in self.exercises():
            cost = self.totals(name) if name else total("", [j for j in self.jobs if not j.exercise])
            exercises[name] = {**asdict(cost), "mean_queue_wait_s": cost.mean_queue_wait_s,
                               "summary": summary_line(cost)}
        return {"jobs": [asdict(j) for j in self.jobs], "exercises": exercises,
                "errors": list(self.errors), "notes": list(self.notes)}


def summary_line(cost: ExerciseCost) -> str:
    """One sentence for the learner about `cost` (see CostLedger.summary_line)."""
    if not cost.jobs:
        return "no jobs of this tuning yet"
    used = core_time(cost.cpu_hours)
    if cost.useful_fraction is None:
        return f"this tuning used {used}; nothing has run yet"
    if cost.gpu_hours > 0:  # shorter words: the line must fit an 80-column screen with both
        used, of_it = f"{used} + {_figure(cost.gpu_hours)} GPU-hours", ""
    else:
        of_it = "of it "
    if cost.useful_s == 0:
        return f"this tuning used {used}; no trial records tell the useful part yet"
    return f"this tuning used {used}, {round(100 * (1 - cost.useful_fraction))}% {of_it}waiting or starting"


def core_time(hours: float) -> str:
    """Core time in the unit that reads best: `12 core-seconds`, `4.5 core-minutes`, `1.3 core-hours`."""
    if hours >= 1 or hours == 0:
        return f"{hours:.0f} core-hours" if hours >= 100 else f"{hours:.1f} core-hours"
    if hours * 60 >= 1:
        return f"{hours * 60:.1f} core-minutes"
    return f"{hours * 3600:.0f} core-seconds"


def _figure(hours: float) -> str:
    """`0.42`, `12.5`, `340`: two decimals while they matter."""
    return f"{hours:.0f}" if hours >= 100 else f"{hours:.1f}" if hours >= 10 else f"{hours:.2f}"


def exercise_key(text: str) -> str:
    """An exercise as the ledger names it: the catalog's id for "1", "01" or "01_random_search"."""
    from tui.course.catalog import bundled_catalog

    try:
        return bundled_catalog().exercise(str(text)).id
    except KeyError:
        return str(text)


def ledger(settings_or_workspace, backend_runner=None, *, exercise: str | None = None,
           backends=None, now: float | None = None) -> CostLedger:
    """The cost of the workspace's tracked jobs (those of `exercise` only, when given).

    Args:
        settings_or_workspace: the app's Settings (ssh jobs need its ssh target) or a workspace folder.
        backend_runner: `run(argv, cwd, timeout) -> (rc, out, err)` for the sacct call of slurm and
            ssh jobs (tests give recorded output); default: this host's for slurm, the ssh backend's for ssh.
        exercise: "01", "1" or "01_random_search"; None: every exercise.
        backends: a tui.workflows.jobs.Backends to reuse (the app's: its ssh connection is open).
        now: the time a running task counts up to (default: now).

    A backend that cannot answer is one line in `errors`; its jobs are left out, never shown as free.
    """
    from tui.results.cost_sources import gather

    return gather(settings_or_workspace, backend_runner, exercise_key(exercise) if exercise else None,
                  backends, now)
