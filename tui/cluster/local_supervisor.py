"""The local runner's supervisor: one detached process per job that schedules its array tasks.

Run as `python -m tui.cluster.local_supervisor JOB_DIR`. It starts tasks (each in its own session,
so a time limit or a cancel kills the task's whole process group), at most `limit` at once and as
many as the machine's cores allow, enforces the time limit, honours cancel requests left in
`JOB_DIR/cancel/`, and records every task's state on disk. Nothing here depends on the app.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from tui.cluster import local_store as store
from tui.fsutil import atomic_write_text

KILL_WAIT_S = 2.0  # between SIGTERM and SIGKILL, as SLURM's KillWait (short: these are small jobs)
TICK_S = 0.1


class Task:
    """One running task: its process and what happened to it."""

    def __init__(self, key: str, proc: subprocess.Popen, started: float) -> None:
        self.key, self.proc, self.started = key, proc, started
        self.ending: str = ""  # TIMEOUT or CANCELLED once we asked it to stop
        self.term_sent = 0.0


def _launch(job_dir: Path, job: dict, entry: dict) -> subprocess.Popen:
    out = open(entry["output"], "wb")  # noqa: SIM115 - the child owns it
    err = open(entry["error"], "wb") if entry["error"] else subprocess.STDOUT  # noqa: SIM115
    env = {**os.environ, **job["env"], **entry["env"]}
    try:
        return subprocess.Popen([*job["interpreter"], str(job_dir / "job.sh")], cwd=job["workdir"], env=env,
                                stdin=subprocess.DEVNULL, stdout=out, stderr=err, start_new_session=True)
    finally:
        out.close()
        if err is not subprocess.STDOUT:
            err.close()


def _signal(task: Task, sig: int) -> None:
    try:
        os.killpg(task.proc.pid, sig)
    except ProcessLookupError:
        pass


def _final_state(task: Task, rc: int) -> tuple[str, str]:
    if task.ending:
        return task.ending, f"0:{-rc}" if rc < 0 else f"{rc}:0"
    if rc == 0:
        return "COMPLETED", "0:0"
    return "FAILED", f"0:{-rc}" if rc < 0 else f"{rc}:0"


def _stop(task: Task, why: str, now: float) -> None:
    if not task.ending:
        task.ending, task.term_sent = why, now
        _signal(task, signal.SIGTERM)
    elif now - task.term_sent > KILL_WAIT_S:
        _signal(task, signal.SIGKILL)


def _check_running(job_dir: Path, job: dict, running: dict[str, Task], now: float) -> None:
    limit = job["time_limit_s"]
    for key, task in list(running.items()):
        rc = task.proc.poll()
        if rc is not None:
            state, code = _final_state(task, rc)
            store.write_task(job_dir, key, {"state": state, "exit_code": code, "start": task.started,
                                            "end": now, "pid": task.proc.pid})
            del running[key]
        elif store.cancel_requested(job_dir, key):
            _stop(task, "CANCELLED", now)
        elif limit is not None and now - task.started > limit or task.ending == "TIMEOUT":
            _stop(task, "TIMEOUT", now)


def _start_pending(job_dir: Path, job: dict, pending: list[dict], running: dict[str, Task], now: float) -> None:
    for entry in list(pending):
        key = entry["key"]
        if store.cancel_requested(job_dir, key):
            store.write_task(job_dir, key, {"state": "CANCELLED", "exit_code": "0:0", "start": None, "end": now})
            pending.remove(entry)
    while pending and len(running) < job["parallel"]:
        entry = pending.pop(0)
        proc = _launch(job_dir, job, entry)
        running[entry["key"]] = Task(entry["key"], proc, now)
        store.write_task(job_dir, entry["key"], {"state": "RUNNING", "start": now, "pid": proc.pid})


def supervise(job_dir: Path) -> None:
    """Run every task of the job in `job_dir` to its end."""
    job = store.read_json(job_dir / "job.json")
    pending = [e for e in job["tasks"] if not store.read_task(job_dir, e["key"])]
    running: dict[str, Task] = {}
    while pending or running:
        now = time.time()
        _check_running(job_dir, job, running, now)
        _start_pending(job_dir, job, pending, running, now)
        time.sleep(TICK_S)


def main(argv: list[str]) -> int:
    job_dir = Path(argv[0])
    atomic_write_text(job_dir / "supervisor.pid", str(os.getpid()))
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    supervise(job_dir)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
