"""On-disk state of the local runner, shared by the backend (in the app) and the supervisor process.

Layout of `<workspace>/.hptune/local-jobs/`:
    next_id                 the next job id (locked while taken)
    <id>/job.json           what was submitted (options, environment, task list)
    <id>/job.sh             the script as submitted (later edits do not change the job)
    <id>/tasks/<key>.json   one task's state, written atomically by the supervisor
    <id>/cancel/<key|all>   cancel requests, left by the app for the supervisor
    <id>/supervisor.pid     the supervisor's pid and start time
    <id>/supervisor.log     the supervisor's output: a traceback if it failed
"""

from __future__ import annotations

import fcntl
import json
import os
from pathlib import Path

from tui.cluster.local_procs import is_running, start_time
from tui.fsutil import atomic_write_json, atomic_write_text

SUPERVISOR_MODULE = "tui.cluster.local_supervisor"


def jobs_root(workspace: Path) -> Path:
    return Path(workspace) / ".hptune" / "local-jobs"


def allocate_ids(root: Path, count: int) -> int:
    """Reserve `count` consecutive job ids (one per array task, as SLURM does); return the first."""
    root.mkdir(parents=True, exist_ok=True)
    with open(root / "next_id", "a+", encoding="utf-8") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        handle.seek(0)
        text = handle.read().strip()
        first = int(text) if text.isdigit() else 1
        handle.seek(0)
        handle.truncate()
        handle.write(str(first + max(count, 1)))
    return first


def peek_id(root: Path) -> int:
    """The id the next job would get (nothing is reserved: for checks before a submission)."""
    try:
        text = (root / "next_id").read_text(encoding="utf-8").strip()
    except OSError:
        text = ""
    return int(text) if text.isdigit() else 1


def read_json(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return {}


def task_key(index: int | None) -> str:
    return "job" if index is None else str(index)


def read_task(job_dir: Path, key: str) -> dict:
    return read_json(job_dir / "tasks" / f"{key}.json")


def write_task(job_dir: Path, key: str, state: dict) -> None:
    atomic_write_json(job_dir / "tasks" / f"{key}.json", state)


def cancel_requested(job_dir: Path, key: str) -> bool:
    return (job_dir / "cancel" / "all").exists() or (job_dir / "cancel" / key).exists()


def announce_supervisor(job_dir: Path) -> None:
    """Record this process as the job's supervisor: its pid and start time (pids get reused)."""
    pid = os.getpid()
    atomic_write_text(job_dir / "supervisor.pid", f"{pid} {start_time(pid)}")


def supervisor_alive(job_dir: Path) -> bool:
    """Whether the job's supervisor process still runs (its pid, started when it announced itself)."""
    try:
        words = (job_dir / "supervisor.pid").read_text().split()
        pid = int(words[0])
        started = int(words[1]) if len(words) > 1 and words[1].isdigit() else None
    except (OSError, ValueError, IndexError):
        return False
    if started is None:  # written before start times were recorded: the command line must match
        cmdline = _cmdline(pid)
        return SUPERVISOR_MODULE.encode() in cmdline and str(job_dir).encode() in cmdline and is_running(pid, None)
    return is_running(pid, started)


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


LOG_TAIL_BYTES = 4096


def supervisor_failure(job_dir: Path) -> str:
    """Why a supervisor that is gone stopped: the last line of its log, or what we can tell without one."""
    log = job_dir / "supervisor.log"
    try:
        with open(log, "rb") as handle:
            handle.seek(max(0, log.stat().st_size - LOG_TAIL_BYTES))  # a bounded read: logs can be huge
            tail = handle.read().decode("utf-8", errors="replace")
    except OSError:
        tail = ""
    lines = [line.strip() for line in tail.splitlines() if line.strip()]
    return lines[-1] if lines else "it was killed, or the machine restarted"
