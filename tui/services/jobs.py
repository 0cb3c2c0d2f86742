"""The app's one job service: the backends, the poller and the tracked jobs, made once by the app.

Screens never build a backend or a poller: they call `refresh()` and `tick()` from their own
Textual thread workers and show what comes back. Textual-free, so it is tested without an app.
Every tick re-reads the jobs to show (a scan of the run folders: cheap), so a job submitted from
the command line appears without reopening the screen, and a tick never raises: any failure
comes back as a stale snapshot, so the screen always re-arms.
"""

from __future__ import annotations

import threading

from tui.cluster.poller import PartialStatus, Poller, Snapshot, describe_failure
from tui.workflows.jobs import Backends, JobList, Where, ask, jobs_to_show


class JobRouter:
    """A Backend-like front for the poller: each id goes to the backend that knows it."""

    name = "jobs"

    def __init__(self, service: "JobService") -> None:
        self.service = service

    def status(self, job_ids: list[str]):
        report = ask(self.service.jobs.only(job_ids), self.service.backends)
        if report.failures:
            raise PartialStatus("; ".join(report.errors), report.tasks, report.failures)
        return report.tasks


class JobService:
    """Backends, poller and jobs for the whole app.

    Args:
        settings: the app's settings (which backend, the workspace, the poll interval).
        interactive: answers ssh keyboard-interactive prompts (the app's two-factor dialog).
    """

    def __init__(self, settings, interactive=None) -> None:
        self.settings = settings
        self.backends = Backends(settings, interactive)
        self.jobs = JobList()
        self.poller = Poller(JobRouter(self), interval=settings.poll_interval)
        self._lock = threading.Lock()
        self._finished: set[str] = set()  # jobs seen finished: each publishes the class summary once
        self.publish_note = ""  # why the last summary was not published to the class folder ("" if it was)

    def reload(self) -> JobList:
        """Re-read the jobs to show (a scan of the run folders). A failure to make the settings'
        backend is not raised here: the next tick reports it."""
        jobs = jobs_to_show(self.settings, self.backends)
        with self._lock:
            self.jobs = jobs
        return jobs

    def refresh(self, owner: object) -> JobList:
        """Re-read the jobs to show and watch them all for `owner`."""
        jobs = self.reload()
        self.poller.watch(owner, jobs.ids())
        return jobs

    def status_for(self, owner: object) -> "WatchedStatus":
        """`status(job_ids) -> {task id: state}` through this service's poller (the study screen's
        stale-trial check): one poll per call, shared with every other watcher."""
        return WatchedStatus(self, owner)

    def watch(self, owner: object, job_ids: list[str]) -> None:
        self.poller.watch(owner, list(job_ids))

    def unwatch(self, owner: object) -> None:
        self.poller.unwatch(owner)

    def tick(self) -> Snapshot:
        """One poll; a copy of the snapshot. Never raises."""
        try:
            snap = self.poller.tick()
        except Exception as exc:  # noqa: BLE001 - the poller catches the call's; this is a last net
            snap = self.poller.snapshot.copy()
            snap.stale, snap.error, snap.failure = True, describe_failure(exc), exc
            return snap
        self._after_finished(snap)
        return snap

    def _after_finished(self, snap: Snapshot) -> None:
        """A job of this workspace has just finished: publish the learner's class summary (when a
        class folder is set; tui.classroom.publish). A failure there never fails the tick."""
        done = {job for job in self.jobs.ids()
                if (mine := [t for t in snap.tasks.values() if job in (t.job_id, t.array_job_id)])
                and all(t.finished for t in mine)}
        if done - self._finished:
            self._finished |= done
            try:
                from tui.classroom.publish import after_run

                self.publish_note = after_run(self.settings)
            except Exception as exc:  # noqa: BLE001 - publishing is a side matter of polling
                self.publish_note = f"not published: {describe_failure(exc)}"

    def poke(self) -> None:
        self.poller.poke()

    @property
    def interval(self) -> float:
        return self.poller.interval

    def where(self, job_id: str) -> Where:
        return self.jobs.where(job_id)

    def backend_for(self, job_id: str):
        """The backend that knows this job (reads its log), None when it cannot be made."""
        try:
            return self.backends.get(self.where(job_id))
        except Exception:  # noqa: BLE001 - no backend, no log: the status line says why
            return None

    def cancel(self, target: str) -> None:
        """Cancel through the job's own backend, then poll quickly until the change shows."""
        self.backends.get(self.where(target)).cancel(target)
        self.poke()

    def close(self) -> None:
        self.backends.close()


class WatchedStatus:
    """StaleWatch's `status` through the job service: the ids are watched for `owner` until `close()`."""

    def __init__(self, service: JobService, owner: object) -> None:
        self.service, self.owner = service, owner

    def __call__(self, job_ids: list[str]) -> dict[str, str]:
        if set(job_ids) - set(self.service.jobs.ids()):
            self.service.reload()  # a job submitted since: learn which backend has it
        self.service.watch(self.owner, list(job_ids))
        snap = self.service.tick()
        if snap.stale:
            raise RuntimeError(snap.error or "the scheduler did not answer")
        return {key: task.state for key, task in snap.tasks.items()}

    def interval(self) -> float:
        """The poller's current interval (it backs off while nothing changes)."""
        return self.service.interval

    def close(self) -> None:
        self.service.unwatch(self.owner)
