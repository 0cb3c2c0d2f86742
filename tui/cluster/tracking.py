"""Which jobs the learner submitted: recorded in each run's `run.json` and in the workspace's job
index (`.hptune/jobs.jsonl`), so that monitoring resumes after a restart or on another machine.
Both are shared by parallel submissions: they are only ever updated under their lock."""

from __future__ import annotations

import json
import re
import shlex
import socket
import time
from dataclasses import dataclass
from pathlib import Path

from tui.fsutil import append_line, atomic_write_text, keep_broken_copy, read_json_lines, update_json

JOBS_INDEX = ".hptune/jobs.jsonl"  # every submission of the workspace, wherever its run folder is


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


def record_submission(run_dir: Path, backend: str, job_id: str, host: str = "",
                      workspace: Path | None = None, submit_dir: Path | None = None) -> None:
    """Add a submitted job to the run's run.json and to the workspace's job index.

    run.json is updated under its lock (earlier fields and ids are kept, and parallel submissions
    into one run all stay listed); a broken run.json is copied aside and started afresh. The
    index line lets `tracked_jobs` find runs anywhere in the workspace (`workspace`, default the
    nearest folder above the run with a hptune.toml; none: the run is only in its run.json).
    """
    host = host or socket.gethostname()

    def change(data: object) -> dict:
        data = data if isinstance(data, dict) else {}
        ids = [str(i) for i in data.get("job_ids", []) if str(i) != job_id]
        data.update({"backend": backend, "job_id": job_id, "job_ids": ids + [job_id], "host": host,
                     "submit_time": time.strftime("%Y-%m-%dT%H:%M:%S%z")})
        if submit_dir is not None:  # where --output and --chdir count from (the jobs screen's log)
            data["submit_dir"] = str(Path(submit_dir).resolve())
        return data

    update_json(Path(run_dir) / "run.json", change, broken=_start_afresh)
    _index(Path(run_dir), backend, job_id, host, workspace)


def _start_afresh(path: Path, _exc: Exception) -> dict:
    """A broken run.json: keep a copy and record into a new one (the job ran: note it anyway)."""
    keep_broken_copy(path)
    return {}


def _workspace_of(folder: Path) -> Path | None:
    """The nearest folder, `folder` or above, with a hptune.toml (as tui.settings finds it)."""
    from tui.settings import WORKSPACE_CONFIG

    folder = Path(folder).resolve()
    return next((f for f in (folder, *folder.parents) if (f / WORKSPACE_CONFIG).is_file()), None)


def _index(run_dir: Path, backend: str, job_id: str, host: str, workspace: Path | None) -> None:
    """One line in the workspace's job index; the run folder relative to the workspace, so that
    the index still holds when the workspace is reached by another path (another machine)."""
    workspace = Path(workspace) if workspace is not None else _workspace_of(run_dir)
    if workspace is None:
        return
    run_dir = Path(run_dir).resolve()
    try:
        where = str(run_dir.relative_to(Path(workspace).resolve()))
    except ValueError:
        where = str(run_dir)
    line = json.dumps({"job_id": job_id, "backend": backend, "host": host, "run_dir": where, "time": time.time()})
    append_line(Path(workspace) / JOBS_INDEX, line)


def record_submitted(script: Path, workdir: Path, backend: str, job_id: str, host: str = "",
                     text: str | None = None, workspace: Path | None = None) -> Path | None:
    """Record a submission in its run folder and return that folder (None when it cannot be known).

    The folder is the run the script lives in (`runs/<id>/job.sh`), else the `RUN_DIR` the script
    sets, with the job id filled in (the templates write `RUN_DIR=runs/"$SLURM_ARRAY_JOB_ID"`):
    that folder gets `job.sh`, the script as submitted (`text`, default the file), and run.json.
    Only backends whose jobs see the job id as `$SLURM_ARRAY_JOB_ID` (the registry's `sbatch`) use the latter.
    The job also goes into `workspace`'s job index (default: the workspace the run folder is in).
    """
    run_dir = run_dir_of(script)
    if run_dir is None:
        from tui.cluster.registry import sbatch_like

        if not sbatch_like(backend):
            return None
        if text is None:
            text = Path(script).read_text(encoding="utf-8", errors="replace")
        run_dir = run_dir_in_text(text, Path(workdir), job_id)
        if run_dir is None:
            return None
        run_dir.mkdir(parents=True, exist_ok=True)
        atomic_write_text(run_dir / "job.sh", text)
    record_submission(run_dir, backend, job_id, host, workspace, submit_dir=workdir)
    return run_dir


_RUN_DIR_LINE = re.compile(r"^\s*(?:export\s+)?RUN_DIR=(\S.*)$", re.MULTILINE)
# The innermost `${NAME}`, `${NAME:-default}` or `$NAME`; expanded until none is left.
_PARAM = re.compile(r"\$\{(\w+)(?::?-([^${}]*))?\}|\$(\w+)")


def run_dir_in_text(text: str, workdir: Path, job_id: str) -> Path | None:
    """The folder the script's first `RUN_DIR=...` names for job `job_id` (relative to its
    `--chdir` or `workdir`); None when there is none or it needs more than the job's ids to expand.

    Only the job id variables are known; any other variable counts only through its default.
    """
    match = _RUN_DIR_LINE.search(text)
    if not match or not job_id or "$(" in match[1] or "`" in match[1]:
        return None
    try:
        lexer = shlex.shlex(match[1], posix=True, punctuation_chars=";&|()<>")
        lexer.whitespace_split = True
        value = next(iter(lexer), "")
    except ValueError:  # an unclosed quote
        return None
    from tui.cluster.backend import BackendError
    from tui.cluster.local_spec import read_directives

    try:
        options = read_directives(text)
    except BackendError:
        options = {}
    # In an array every task has its own SLURM_JOB_ID; the submitted id is SLURM_ARRAY_JOB_ID.
    known = {"SLURM_ARRAY_JOB_ID": job_id} if options.get("array") else {"SLURM_JOB_ID": job_id,
                                                                         "SLURM_JOBID": job_id}
    while value and "$" in value:
        expanded = _PARAM.sub(lambda m: known.get(m[1] or m[3], m[2] if m[2] is not None else "\0"), value)
        if expanded == value or "\0" in expanded:
            return None
        value = expanded
    return Path(workdir) / (options.get("chdir") or "") / value if value.strip() else None


def tracked_jobs(workspace: Path) -> list[TrackedJob]:
    """Every job submitted in the workspace, oldest first: those in its job index (a run folder
    anywhere in it, the root included), and those of `<workspace>/*/runs/*/run.json` (runs made
    before the index). A run whose folder is gone (reset, deleted) is no longer tracked."""
    found: dict[tuple[str, str, str], tuple[float, TrackedJob]] = {}

    def add(when: float, job: TrackedJob) -> None:  # the index (first) knows the submit time best
        found.setdefault((job.backend, job.host, job.job_id), (when, job))

    for when, job in _indexed(Path(workspace)):
        add(when, job)
    for run_json in Path(workspace).glob("*/runs/*/run.json"):
        data = read_run(run_json.parent)
        for job_id in data.get("job_ids", []) or ([data["job_id"]] if data.get("job_id") else []):
            add(_mtime(run_json), TrackedJob(str(job_id), str(data.get("backend", "")),
                                             str(data.get("host", "")), run_json.parent))
    return [job for _when, job in sorted(found.values(), key=lambda pair: pair[0])]


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


def _indexed(workspace: Path) -> list[tuple[float, TrackedJob]]:
    """(submit time, job) of each readable line of the job index whose run.json still exists;
    a half-written or foreign line is skipped."""
    jobs = []
    for entry in read_json_lines(Path(workspace) / JOBS_INDEX):
        try:
            run_dir = Path(workspace) / entry["run_dir"]  # an absolute run_dir stays as it is
            job = TrackedJob(str(entry["job_id"]), str(entry["backend"]), str(entry.get("host", "")), run_dir)
            when = float(entry.get("time", 0.0))
        except (ValueError, KeyError, TypeError):
            continue
        if job.job_id and (run_dir / "run.json").is_file():
            jobs.append((when, job))
    return jobs


def output_path(task, run_dir: Path | None) -> str:
    """Where a task writes its output: what the backend said (scontrol's StdOut), else the run's
    `#SBATCH -o` pattern resolved as sbatch does: against the job's working folder, which is its
    `--chdir` or else the folder it was submitted from (`submit_dir_of`), not the run folder."""
    if task.extra.get("stdout"):
        return task.extra["stdout"]
    if run_dir is None or not (Path(run_dir) / "job.sh").is_file():
        return ""
    from tui.cluster.backend import BackendError
    from tui.cluster.local_spec import expand_pattern, read_directives

    try:
        text = (Path(run_dir) / "job.sh").read_text(encoding="utf-8")
        options = read_directives(text)
    except (BackendError, OSError, UnicodeDecodeError):
        return ""
    array = bool(task.array_task_id)
    pattern = options.get("output") or ("slurm-%A_%a.out" if array else "slurm-%j.out")
    base = task.array_job_id or task.job_id
    values = {"x": task.name, "A": base, "a": task.array_task_id, "j": task.job_id if not array else "%j",
              "N": task.node, "u": __import__("getpass").getuser()}
    workdir = task.extra.get("workdir") or Path(submit_dir_of(run_dir, text, base)) / (options.get("chdir") or "")
    return str(Path(workdir) / expand_pattern(pattern, values))


def submit_dir_of(run_dir: Path, text: str, job_id: str) -> Path:
    """The folder a run's job was submitted from: run.json's `submit_dir` when recorded; else the
    exercise folder when the script's RUN_DIR, read from there, is this very run (a script submitted
    from `<exercise>/` is copied into `runs/<job id>/`); else the run folder itself."""
    recorded = read_run(run_dir).get("submit_dir")
    if recorded:
        return Path(recorded)
    run_dir = Path(run_dir)
    if run_dir.parent.name == "runs":
        exercise = run_dir.parent.parent
        named = run_dir_in_text(text, exercise, job_id)
        if named is not None and named.resolve() == run_dir.resolve():
            return exercise
    return run_dir
