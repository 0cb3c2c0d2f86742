"""On-disk state of the local runner, shared by the backend (in the app) and the supervisor process.

Layout of `<workspace>/.hptune/local-jobs/`:
    next_id                 the next job id (locked while taken)
    <id>/job.json           what was submitted (options, environment, task list)
    <id>/job.sh             the script as submitted (later edits do not change the job)
    <id>/tasks/<key>.json   one task's state, written atomically by the supervisor
    <id>/cancel/<key|all>   cancel requests, left by the app for the supervisor
    <id>/supervisor.pid     the supervisor's pid
"""

from __future__ import annotations

import fcntl
import json
import os
from pathlib import Path

from tui.fsutil import atomic_write_json

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


def supervisor_alive(job_dir: Path) -> bool:
    """Whether the job's supervisor process still runs (its pid, running our module)."""
    try:
        pid = int((job_dir / "supervisor.pid").read_text().strip())
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except (FileNotFoundError, ValueError, ProcessLookupError):
        return False
    return SUPERVISOR_MODULE.encode() in cmdline and str(job_dir).encode() in cmdline and _not_zombie(pid)


def _not_zombie(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[-1].split()[0] != "Z"


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return _not_zombie(pid)
