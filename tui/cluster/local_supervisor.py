"""The local runner's supervisor: one detached process per job that schedules its array tasks.

Run as `python -m tui.cluster.local_supervisor JOB_DIR`. It starts tasks (each in its own session,
so a time limit or a cancel kills the task's whole process group), at most `limit` at once and as
many as the machine's cores allow, enforces the time limit, honours cancel requests left in
`JOB_DIR/cancel/`, and records every task's state on disk, with each task's pid and start time
so that the app can still find (and stop) the tasks if this process dies. A task that cannot be
started (its output cannot be opened, its folder is gone) fails with the reason; the others go
on. Nothing here depends on the app.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import traceback
from pathlib import Path

from tui.cluster import local_store as store
from tui.cluster.local_procs import KILL_WAIT_S, start_time

TICK_S = 0.1


class LaunchError(Exception):
    """A task that could not be started; the message is its reason, as the learner reads it."""


class Task:
    """One running task: its process and what happened to it."""

    def __init__(self, key: str, proc: subprocess.Popen, started: float) -> None:
        self.key, self.proc, self.started = key, proc, started
        self.ending: str = ""  # TIMEOUT or CANCELLED once we asked it to stop
        self.term_sent = 0.0


def _launch(job_dir: Path, job: dict, entry: dict) -> subprocess.Popen:
    out = _open_log(job, entry["output"])
    try:
        err = _open_log(job, entry["error"]) if entry["error"] else subprocess.STDOUT
    except LaunchError:
        out.close()
        raise
    env = {**os.environ, **job["env"], **entry["env"]}
    try:
        return subprocess.Popen([*job["interpreter"], str(job_dir / "job.sh")], cwd=job["workdir"], env=env,
                                stdin=subprocess.DEVNULL, stdout=out, stderr=err, start_new_session=True)
    except OSError as exc:
        raise LaunchError(f"cannot start {exc.filename or job['interpreter'][0]}: {exc.strerror}") from exc
    finally:
        out.close()
        if err is not subprocess.STDOUT:
            err.close()


def _open_log(job: dict, path: str):
    try:
        return open(path, "wb")  # noqa: SIM115 - the child owns it
    except OSError as exc:
        shown = os.path.relpath(path, job["workdir"]) if path.startswith(job["workdir"] + os.sep) else path
        raise LaunchError(f"cannot open its output {shown}: {exc.strerror}") from exc


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
                                            "end": now, "pid": task.proc.pid, "pgid": task.proc.pid})
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
        try:
            proc = _launch(job_dir, job, entry)
        except LaunchError as exc:
            store.write_task(job_dir, entry["key"], {"state": "FAILED", "exit_code": "", "start": now, "end": now,
                                                     "reason": str(exc)})
            continue
        running[entry["key"]] = Task(entry["key"], proc, now)
        # The pid is the task's process group (its own session); the start time tells a reused pid apart.
        store.write_task(job_dir, entry["key"], {"state": "RUNNING", "start": now, "pid": proc.pid,
                                                 "pgid": proc.pid, "pid_start": start_time(proc.pid)})


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


def _stopped(signum: int, _frame) -> None:
    # The tasks go on (the app still sees and cancels them); the log says why nothing else will start.
    print(f"the local runner was stopped by {signal.Signals(signum).name}", flush=True)
    sys.exit(128 + signum)


def main(argv: list[str]) -> int:
    """Supervise the job in `argv[0]`; a failure leaves its traceback, reason last, in supervisor.log."""
    job_dir = Path(argv[0])
    store.announce_supervisor(job_dir)
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _stopped)
    try:
        supervise(job_dir)
    except Exception as exc:  # noqa: BLE001 - whatever it is, the app must be able to say it
        traceback.print_exc()
        # status shows the log's last line: make it one that names the failure.
        print(f"the local runner failed: {type(exc).__name__}: {exc}", flush=True)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
