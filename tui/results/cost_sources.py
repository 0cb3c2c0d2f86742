"""Where the cost ledger's figures come from: the tracked jobs, their backends' accounting, the runs' records.

slurm and ssh jobs: ONE `sacct` call per backend (and ssh host) for all of its jobs, through
this host's runner or the ssh backend's. local jobs: the local runner's own records. The useful
seconds: the run folders' trial records (tui.results.useful). HyperQueue's jobs run inside the
SLURM jobs of its workers, which are tracked and costed themselves: they are only noted.
"""

from __future__ import annotations

import time
from pathlib import Path

from tui.cluster.usage import TaskUsage, local_usage, parse_sacct_usage, sacct_usage_argv
from tui.results.cost import CostLedger, JobCost
from tui.results.useful import useful_by_job

SACCT_TIMEOUT_S = 20.0


def gather(source, runner, exercise: str | None, backends, now: float | None) -> CostLedger:
    """See tui.results.cost.ledger (`exercise` is already the catalog's id)."""
    from tui.cluster.tracking import tracked_jobs

    settings = source if hasattr(source, "workspace") else None
    workspace = Path(settings.workspace if settings is not None else source)
    now = time.time() if now is None else now
    tracked = [(job, exercise_of(job.run_dir, workspace)) for job in tracked_jobs(workspace)]
    tracked = [(job, ex) for job, ex in tracked if exercise is None or ex == exercise]
    out = CostLedger()
    usage: dict[tuple[str, str], list[TaskUsage]] = {}
    groups: dict[tuple[str, str], list[str]] = {}
    for job, _ex in tracked:
        groups.setdefault((job.backend, job.host if job.backend == "ssh" else ""), []).append(job.job_id)
    for (backend, host), ids in groups.items():
        if backend == "local":
            usage.update({(backend, i): local_usage(workspace, i, now) for i in ids})
        elif backend in ("slurm", "ssh"):
            rows = _accounting(backend, host, ids, runner, settings, backends, out.errors)
            if rows is not None:
                usage.update({(backend, i): [r for r in rows if r.job_id == i or r.base_id == i] for i in ids})
        else:
            out.notes.append(f"{len(ids)} {backend or 'unknown'} job(s) not costed: "
                             + ("they run inside the SLURM jobs of their workers, costed there"
                                if backend == "hyperqueue" else "this backend keeps no accounting"))
    useful = _useful(tracked)
    for job, ex in tracked:
        tasks = usage.get((job.backend, job.job_id))
        if tasks is None:
            continue  # its backend did not answer: said in errors
        if not tasks:
            out.notes.append(f"job {job.job_id}: no accounting record yet")
        out.jobs.append(job_cost(job, ex, tasks, useful.get((str(job.run_dir), job.job_id), 0.0), now))
    return out


def job_cost(job, exercise: str, tasks: list[TaskUsage], useful_s: float, now: float) -> JobCost:
    """One job's figures from its tasks' usage and its trials' useful seconds."""
    elapsed = sum(t.elapsed_s for t in tasks)
    waits = [w for w in (t.queue_wait_s for t in tasks) if w is not None]
    states: dict[str, int] = {}
    for task in tasks:
        states[task.state] = states.get(task.state, 0) + 1
    starts = [t.start for t in tasks if t.start is not None]
    ends = [t.end if t.end is not None else now for t in tasks if t.start is not None]
    useful = min(useful_s, elapsed)
    return JobCost(job_id=job.job_id, exercise=exercise, backend=job.backend,
                   cpu_hours=sum(t.cpu_s for t in tasks) / 3600,
                   gpu_hours=sum(t.gpus * t.elapsed_s for t in tasks) / 3600, elapsed_s=elapsed,
                   queue_wait_s=sum(waits), useful_s=useful, overhead_s=elapsed - useful, tasks=len(tasks),
                   started=len(waits), cpus=max((t.cpus for t in tasks), default=0), states=states,
                   first_start=min(starts, default=None), last_end=max(ends, default=None), run_dir=str(job.run_dir))


def exercise_of(run_dir: Path, workspace: Path) -> str:
    """The exercise a run folder belongs to: the catalog id of the workspace folder it is in."""
    from tui.course.catalog import bundled_catalog

    try:
        top = Path(run_dir).resolve().relative_to(Path(workspace).resolve()).parts[0]
    except (ValueError, IndexError):
        return ""
    return next((ex.id for ex in bundled_catalog().exercises if ex.dir == top), top)


def _useful(tracked) -> dict[tuple[str, str], float]:
    """(run folder, job id) -> useful seconds, reading each run folder once."""
    runs: dict[str, list[str]] = {}
    for job, _ex in tracked:
        runs.setdefault(str(job.run_dir), []).append(job.job_id)
    return {(run, job_id): seconds for run, ids in runs.items()
            for job_id, seconds in useful_by_job(Path(run), ids).items()}


def _accounting(backend: str, host: str, ids: list[str], runner, settings, backends,
                errors: list[str]) -> list[TaskUsage] | None:
    """The usage rows of `ids` from one sacct call; None (and a line in `errors`) when it failed."""
    from tui.workflows.jobs import one_line

    label = backend + (f" {host}" if host else "")
    made = None
    try:
        if runner is None:
            runner, made = _runner_for(backend, host, settings, backends)
        rc, out, err = runner(sacct_usage_argv(ids), None, SACCT_TIMEOUT_S)
    except Exception as exc:  # noqa: BLE001 - a library's own exception is a failure to report too
        errors.append(f"{label}: {one_line(exc)}")
        return None
    finally:
        if made is not None:
            made.close()
    if rc != 0 or "disabled" in err.lower():
        words = (err.strip() or out.strip() or f"sacct exited with {rc}").splitlines()[0]
        errors.append(f"{label}: sacct: {words}")
        return None
    return parse_sacct_usage(out)


def _runner_for(backend: str, host: str, settings, backends):
    """(runner, Backends to close or None): this host's subprocess runner, or the ssh backend's."""
    if backend == "slurm":
        from tui.cluster.slurm import subprocess_runner

        return subprocess_runner(), None
    from tui.cluster.backend import BackendError
    from tui.workflows.jobs import Backends, Where

    if backends is None and settings is None:
        raise BackendError("ssh jobs need the settings (the ssh target), not only a workspace")
    made = Backends(settings) if backends is None else None
    try:
        return (made or backends).get(Where("ssh", host or (settings or backends.settings).ssh_host)).run, made
    except BaseException:
        if made is not None:
            made.close()
        raise
