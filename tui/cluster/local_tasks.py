"""What a local task's state really is, and how to stop it, when its supervisor may be gone.

While the supervisor runs, its records are the truth. Once it is gone (killed, crashed, the
machine restarted), the records can lag behind the processes, so the processes decide: a task
whose process group still lives is RUNNING (and cancel stops it), one that is gone without a
recorded end has ended with an exit code nobody knows, and says so.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from tui.cluster import local_store as store
from tui.cluster.local_procs import group_alive, process_groups, stop_groups

ACTIVE = ("PENDING", "RUNNING")


class JobView:
    """One status or cancel call's look at one job: its supervisor and its processes, read once."""

    def __init__(self, job_dir: Path, job: dict) -> None:
        self.job_dir, self.job = job_dir, job
        self.supervised = store.supervisor_alive(job_dir)
        self._groups: dict[int, list[int]] | None = None
        self._why: str | None = None

    @property
    def why(self) -> str:
        """Why the supervisor stopped (read from its log once)."""
        if self._why is None:
            self._why = store.supervisor_failure(self.job_dir)
        return self._why

    def lives(self, rec: dict) -> bool:
        """Whether the processes of the task recorded in `rec` still run."""
        if self._groups is None:
            self._groups = process_groups()
        pgid = rec.get("pgid") or rec.get("pid")
        return bool(pgid) and group_alive(int(pgid), rec.get("pid_start"), self._groups)

    def record(self, key: str) -> dict:
        """The task's record, corrected by what its processes show when the supervisor is gone."""
        rec = store.read_task(self.job_dir, key)
        state = rec.get("state", "PENDING")
        if self.supervised or state not in ACTIVE:
            return rec
        if state == "PENDING":
            return {**rec, "state": "NODE_FAIL", "reason": f"never started: the local runner stopped ({self.why})"}
        if self.lives(rec):
            return {**rec, "reason": f"still running, but the local runner stopped ({self.why})"}
        ended = {**rec, "state": "NODE_FAIL", "exit_code": "", "end": time.time(),
                 "reason": f"ended while the local runner was stopped ({self.why}): exit code unknown"}
        store.write_task(self.job_dir, key, ended)  # keep the first time we saw it gone as its end
        return ended


def pending_reason(job: dict) -> str:
    """Why a task waits: the script's %N (JobArrayTaskLimit, as SLURM says) or this machine's cores."""
    cores = job.get("cores") or os.cpu_count() or 1
    limit, parallel = job.get("limit") or 0, job["parallel"]
    if limit and limit <= parallel:
        return "JobArrayTaskLimit"
    per_task = f", {job['cpus']} CPUs per task" if job.get("cpus", 1) > 1 else ""
    return (f"local runner: {parallel} task{'s' if parallel > 1 else ''} at once "
            f"({cores} core{'s' if cores > 1 else ''}{per_task})")


def cancel_unsupervised(view: JobView, keys: list[str]) -> None:
    """Cancel tasks of a job whose supervisor is gone: stop the processes that live, record CANCELLED."""
    to_stop, cancelled = [], []
    for key in keys:
        rec = store.read_task(view.job_dir, key)
        if rec.get("state", "PENDING") not in ACTIVE:
            continue
        if rec.get("state") == "RUNNING":
            if not view.lives(rec):
                view.record(key)  # it ended on its own before the cancel: recorded as such
                continue
            to_stop.append((int(rec.get("pgid") or rec["pid"]), rec.get("pid_start")))
        cancelled.append((key, rec))
    stop_groups(to_stop)
    now = time.time()
    for key, rec in cancelled:
        # A running task's exit code is not ours to see (its parent is gone): leave it unknown.
        code = "" if rec.get("state") == "RUNNING" else "0:0"
        store.write_task(view.job_dir, key, {**rec, "state": "CANCELLED", "exit_code": code, "end": now})
