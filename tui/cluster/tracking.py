"""Which jobs the learner submitted: recorded in each run's `run.json`, so that monitoring resumes
after a restart or on another machine."""

from __future__ import annotations

import json
import socket
import time
from dataclasses import dataclass
from pathlib import Path

from tui.fsutil import atomic_write_json, keep_broken_copy


@dataclass(frozen=True)
class TrackedJob:
    job_id: str
    backend: str
    host: str  # the ssh target for the ssh backend, else the submitting machine
    run_dir: Path


def run_dir_of(script: Path) -> Path | None:
    """The run folder a script lives in (`.../runs/<id>/` or any folder with a run.json), else None."""
    folder = Path(script).resolve().parent
    if (folder / "run.json").is_file() or folder.parent.name == "runs":
        return folder
    return None


def read_run(run_dir: Path) -> dict:
    """A run's run.json ({} when missing; a broken one is copied aside and read as {})."""
    path = Path(run_dir) / "run.json"
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError):
        keep_broken_copy(path)
        return {}
    return data if isinstance(data, dict) else {}


def record_submission(run_dir: Path, backend: str, job_id: str, host: str = "") -> None:
    """Add a submitted job to the run's run.json (atomically; earlier fields and ids are kept)."""
    data = read_run(run_dir)
    ids = [str(i) for i in data.get("job_ids", []) if str(i) != job_id]
    data.update({"backend": backend, "job_id": job_id, "job_ids": ids + [job_id],
                 "host": host or socket.gethostname(), "submit_time": time.strftime("%Y-%m-%dT%H:%M:%S%z")})
    atomic_write_json(Path(run_dir) / "run.json", data)


def tracked_jobs(workspace: Path) -> list[TrackedJob]:
    """Every job recorded in `<workspace>/*/runs/*/run.json`, oldest run first."""
    jobs = []
    for run_json in sorted(Path(workspace).glob("*/runs/*/run.json"), key=lambda p: p.stat().st_mtime):
        data = read_run(run_json.parent)
        for job_id in data.get("job_ids", []) or ([data["job_id"]] if data.get("job_id") else []):
            jobs.append(TrackedJob(str(job_id), str(data.get("backend", "")), str(data.get("host", "")),
                                   run_json.parent))
    return jobs


def output_path(task, run_dir: Path | None) -> str:
    """Where a task writes its output: what the backend said, else the run's `#SBATCH -o` pattern."""
    if task.extra.get("stdout"):
        return task.extra["stdout"]
    if run_dir is None or not (Path(run_dir) / "job.sh").is_file():
        return ""
    from tui.cluster.local_spec import expand_pattern, read_directives
    from tui.cluster.backend import BackendError

    try:
        options = read_directives((Path(run_dir) / "job.sh").read_text(encoding="utf-8"))
    except (BackendError, OSError, UnicodeDecodeError):
        return ""
    array = bool(task.array_task_id)
    pattern = options.get("output") or ("slurm-%A_%a.out" if array else "slurm-%j.out")
    base = task.array_job_id or task.job_id
    values = {"x": task.name, "A": base, "a": task.array_task_id, "j": task.job_id if not array else "%j",
              "N": task.node, "u": __import__("getpass").getuser()}
    folder = Path(options.get("chdir") or run_dir)
    return str(Path(run_dir) / folder / expand_pattern(pattern, values))
