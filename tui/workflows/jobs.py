"""The jobs to show: one way for `hptune-tui status`, `hptune-tui cancel` and the jobs screen.

The jobs are every job recorded in the workspace's runs (`tracked_jobs`), HyperQueue's jobs
(exercise 3), and the settings' backend's own recent jobs (the local runner lists them), grouped
by the backend, and for ssh the host, that knows them. Asking is one status call per group; a
group that fails is reported beside the others' answers, never hidden behind an empty list.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path

from tui.cluster.backend import BackendError, TaskState, listed_job_ids

RECENT = 20  # the settings' backend's own untracked jobs shown, newest


@dataclass(frozen=True)
class Where:
    """A backend by its registry name ("" while the settings' choice is unknown) and, for ssh, the host."""

    backend: str
    host: str = ""

    def label(self) -> str:
        return (self.backend or "backend") + (f" {self.host}" if self.host else "")


@dataclass
class JobList:
    """The jobs to show: job ids per backend, in order, and the run folder of each tracked job."""

    groups: dict[Where, list[str]] = field(default_factory=dict)
    run_dirs: dict[str, Path] = field(default_factory=dict)
    default: Where = Where("")

    def add(self, where: Where, job_id: str, run_dir: Path | None = None) -> None:
        if job_id not in self.groups.setdefault(where, []):
            self.groups[where].append(job_id)
        if run_dir is not None:
            self.run_dirs[job_id] = Path(run_dir)

    def ids(self) -> list[str]:
        return [i for ids in self.groups.values() for i in ids]

    def where(self, job_id: str) -> Where:
        """The backend that knows a job or task id (`33`, `33_4`); the default one for an unknown id."""
        base = job_id.split("_", 1)[0]
        return next((w for w, ids in self.groups.items() if job_id in ids or base in ids), self.default)

    def only(self, job_ids: list[str]) -> "JobList":
        """These ids, each in the group that knows it."""
        part = JobList(run_dirs=self.run_dirs, default=self.default)
        for job_id in job_ids:
            part.add(self.where(job_id), job_id)
        return part


@dataclass
class JobsReport:
    """What the backends said: the tasks of those that answered, one line per one that did not."""

    tasks: list[TaskState] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    failures: list[Exception] = field(default_factory=list)
    by_backend: dict[Where, list[TaskState]] = field(default_factory=dict)

    def as_json(self) -> dict:
        """`status --json`: {"jobs": [task, ...], "errors": ["backend: what went wrong", ...]}."""
        return {"jobs": [dict(t.__dict__, finished=t.finished) for t in self.tasks], "errors": list(self.errors)}


def one_line(exc: BaseException) -> str:
    """A failure as one line: a BackendError's words and hint, anything else's type and message."""
    if isinstance(exc, BackendError):
        text = exc.message.strip().splitlines()[0] if exc.message.strip() else type(exc).__name__
        return f"{text} (hint: {exc.hint})" if exc.hint else text
    return f"{type(exc).__name__}: {str(exc).strip().splitlines()[0] if str(exc).strip() else ''}".rstrip(": ")


class Backends:
    """The backends of one process, each made once on first use (an ssh connection is reused)."""

    def __init__(self, settings, interactive=None) -> None:
        self.settings, self.interactive = settings, interactive
        self._made: dict[Where, object] = {}
        self._lock = threading.Lock()

    def get(self, where: Where):
        """The backend for `where` (raises BackendError when it cannot be made)."""
        from tui.cluster.factory import make_backend

        with self._lock:
            if where not in self._made:
                host = where.host or self.settings.ssh_host
                settings = self.settings.with_changes(ssh_host=host) if host != self.settings.ssh_host \
                    else self.settings
                self._made[where] = make_backend(settings, where.backend or None, interactive=self.interactive)
            return self._made[where]

    def default(self) -> Where:
        """Where the settings' backend is: its name once made ("" when it cannot be made)."""
        try:
            name = self.get(Where("")).name
        except BackendError:
            return Where("")
        where = Where(name, self.settings.ssh_host if name == "ssh" else "")
        with self._lock:
            self._made.setdefault(where, self._made[Where("")])
        return where

    def where_of(self, name: str, host: str = "") -> Where:
        """A recorded backend name (and host) as a group: "" is the settings' choice."""
        if not name:
            return self.default()
        return Where(name, (host or self.settings.ssh_host) if name == "ssh" else "")

    def close(self) -> None:
        for backend in self._made.values():
            getattr(backend, "close", lambda: None)()


def jobs_to_show(settings, backends: Backends, job_ids: list[str] = (), backend: str | None = None) -> JobList:
    """The jobs `status` and the jobs screen show: `job_ids` only when given (each with the backend
    that submitted it, else `backend`, else the settings'), otherwise every tracked, HyperQueue and
    recent job. Cheap: a scan of the run folders (and `hq job list` where hq is installed)."""
    from tui.cluster.hyperqueue import is_embedded_id
    from tui.cluster.tracking import tracked_jobs

    tracked = tracked_jobs(settings.workspace)
    jobs = JobList(default=backends.default())
    recorded = {j.job_id: backends.where_of(j.backend, j.host) for j in tracked}
    if job_ids:
        for job_id in job_ids:
            base = job_id.split("_", 1)[0]
            where = recorded.get(base) or (Where("hyperqueue") if is_embedded_id(job_id) else None) \
                or (backends.where_of(backend) if backend and backend != "auto" else jobs.default)
            jobs.add(where, job_id)
        jobs.run_dirs = {j.job_id: j.run_dir for j in tracked}
        return jobs
    for job in tracked:
        jobs.add(recorded[job.job_id], job.job_id, job.run_dir)
    _add_listed(jobs, backends, jobs.default, RECENT)
    _add_hyperqueue(jobs, backends, settings.workspace)
    return jobs


def _add_listed(jobs: JobList, backends: Backends, where: Where, most: int) -> None:
    """The backend's own list of jobs (the local runner's, HyperQueue's), newest `most`."""
    try:
        listed = listed_job_ids(backends.get(where))
    except BackendError:
        return  # the status call says why
    for job_id in list(listed)[-most:]:
        jobs.add(where, str(job_id))


def _add_hyperqueue(jobs: JobList, backends: Backends, workspace: Path) -> None:
    from tui.cluster.hyperqueue import may_have_jobs

    if jobs.default.backend != "hyperqueue" and may_have_jobs(workspace):
        _add_listed(jobs, backends, Where("hyperqueue"), 10_000)


def ask(jobs: JobList, backends: Backends) -> JobsReport:
    """One status call per backend; every failure (not only a BackendError) is kept as one line."""
    report = JobsReport()
    for where, ids in jobs.groups.items():
        if not ids:
            continue
        try:
            tasks = list(backends.get(where).status(ids))
        except Exception as exc:  # noqa: BLE001 - a library's own exception is a failure to report too
            report.errors.append(f"{where.label()}: {one_line(exc)}")
            report.failures.append(exc)
            continue
        report.by_backend[where] = tasks
        report.tasks.extend(tasks)
    return report


def cancel(settings, backends: Backends, job_id: str, backend: str | None = None) -> Where:
    """Cancel a job or task through the backend that submitted it (else `backend`, else the settings')."""
    where = jobs_to_show(settings, backends, [job_id], backend).where(job_id)
    backends.get(where).cancel(job_id)
    return where
