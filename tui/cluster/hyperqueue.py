"""HyperQueue as a Backend: many tiny tasks in one allocation instead of one SLURM job each.

Two ways to reach HyperQueue, picked by what this host has:

    cli       an `hq` binary on PATH (the cluster's module system): `hq submit --array`,
              `hq task list --output-mode json`, `hq job cancel`; the server runs on the login
              node and its workers inside SLURM jobs (templates hq_server / hq_workers)
    embedded  no binary: the `hyperqueue` Python package's LocalCluster runs server and workers
              on this machine, in a detached process per job (tui.cluster.hq_embedded)

A submitted script runs once per task id, with `$HQ_TASK_ID` set. The ids come from the
script's own `#SBATCH --array=` line, so one array script can go to SLURM or to HyperQueue.
Task states use SLURM's words, so the jobs screen shows HyperQueue tasks like array tasks.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from tui.cluster.backend import (
    CANCELLED,
    COMPLETED,
    FAILED,
    PENDING,
    RUNNING,
    BackendError,
    SubmitResult,
    TaskState,
    listed_job_ids,
    read_local_file,
)

HQ_STATES = {"waiting": PENDING, "running": RUNNING, "finished": COMPLETED, "failed": FAILED,
             "canceled": CANCELLED, "cancelled": CANCELLED}


def is_embedded_id(job_id: str) -> bool:
    """Whether the id names an embedded HyperQueue job (hq7, hq7_4)."""
    return job_id.startswith("hq")


def may_have_jobs(workspace: Path) -> bool:
    """Whether asking HyperQueue for jobs can find any: an hq binary, or embedded jobs on disk."""
    return find_hq() is not None or (Path(workspace) / ".hptune" / "hq-jobs").is_dir()


def find_hq() -> str | None:
    """The `hq` binary on PATH (or $HPTUNE_HQ), None when there is none."""
    explicit = os.environ.get("HPTUNE_HQ", "")
    return explicit if explicit and Path(explicit).is_file() else shutil.which("hq")


def script_array(text: str) -> str:
    """The `--array` ids of a script's #SBATCH lines, without any %N limit ("0" when none).

    Read by the job-script parser, as sbatch reads them: only the lines before the first command.
    """
    from tui.jobscript.parser import parse_script

    return (parse_script(text).value("array") or "0").split("%", 1)[0] or "0"


def script_cpus(text: str) -> int:
    """The CPUs each task asks for: the script's `#SBATCH --cpus-per-task` (1 when none or not a number)."""
    from tui.jobscript.parser import parse_script

    value = parse_script(text).value("cpus-per-task") or ""
    return max(1, int(value)) if value.isascii() and value.isdigit() else 1


class HqCli:
    """The `hq` command line, always with --output-mode json, against one server directory."""

    def __init__(self, hq: str, server_dir: Path | None = None, timeout: float = 30.0) -> None:
        self.hq, self.server_dir, self.timeout = hq, server_dir, timeout

    def call(self, *args: str, cwd: Path | None = None):
        """Run `hq ARGS --output-mode json`; the parsed JSON, or BackendError with hq's words."""
        argv = [self.hq] + ([f"--server-dir={self.server_dir}"] if self.server_dir else [])
        argv += ["--output-mode=json", *args]
        try:
            proc = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, timeout=self.timeout,
                                  stdin=subprocess.DEVNULL)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise BackendError(f"`hq {args[0]}` failed: {exc}", "is the HyperQueue server running?") from exc
        text = proc.stdout.strip()
        try:
            data = json.loads(text) if text else None
        except ValueError:
            data = None
        if proc.returncode != 0 or (isinstance(data, dict) and "error" in data):
            message = (data or {}).get("error") if isinstance(data, dict) else None
            raise BackendError(message or proc.stderr.strip() or text or f"hq exited with {proc.returncode}",
                               "start the server first: `hq server start &` (see the hq_server template)")
        return data

    def submit_array(self, command: list[str], ids: str, cwd: Path, name: str, log_dir: Path,
                     cpus: int = 1) -> str:
        """`hq submit --array IDS --cpus N -- COMMAND`; returns the HyperQueue job id."""
        out = self.call("submit", f"--array={ids}", f"--cpus={cpus}", f"--name={name}", f"--cwd={cwd}",
                        f"--stdout={log_dir}/%{{JOB_ID}}_%{{TASK_ID}}.out",
                        f"--stderr={log_dir}/%{{JOB_ID}}_%{{TASK_ID}}.err", "--", *command, cwd=cwd)
        return str(out["id"])

    def submit_file(self, job_file: Path, cwd: Path) -> str:
        """`hq job submit-file FILE` (tasks with their own requests); returns the job id."""
        return str(self.call("job", "submit-file", str(job_file), cwd=cwd)["id"])

    def tasks(self, job_ids: list[str]) -> list[TaskState]:
        """Every task of the jobs (one `hq task list` call per job)."""
        states: list[TaskState] = []
        for job_id in job_ids:
            states += parse_task_list(job_id, self.call("task", "list", job_id))
        return states

    def jobs(self) -> list[dict]:
        """`hq job list --all`: [{"id", "name", "task_count", "task_stats": {...}}, ...]."""
        return list(self.call("job", "list", "--all") or [])

    def cancel(self, job_id: str) -> None:
        self.call("job", "cancel", job_id)


def parse_task_list(job_id: str, data) -> list[TaskState]:
    """TaskStates from `hq task list JOB --output-mode json` (a list, or {job id: list})."""
    rows = data.get(str(job_id), []) if isinstance(data, dict) else (data or [])
    out = []
    for row in rows:
        task_id = str(row.get("id", ""))
        state = HQ_STATES.get(str(row.get("state", "")).lower(), "UNKNOWN")
        out.append(TaskState(job_id=f"{job_id}_{task_id}", array_job_id=str(job_id), array_task_id=task_id,
                             state=state, reason=str(row.get("error") or "")[:200],
                             start_time=str(row.get("started_at") or ""), end_time=str(row.get("finished_at") or ""),
                             node=str(row.get("worker", "")), extra={"backend": "hyperqueue"}))
    return out


def embedded_tasks(job_id: str, job_dir: Path) -> list[TaskState]:
    """TaskStates of an embedded job from its folder: the wrapper's start/end files per task."""
    if not job_dir.is_dir():  # made before the driver starts: without it the job never existed
        return [TaskState(job_id=job_id, state="UNKNOWN", reason="no such HyperQueue job")]
    try:
        state = json.loads((job_dir / "state.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return [TaskState(job_id=job_id, state=PENDING, reason="starting")]
    from tui.jobscript.arrays import parse_array

    ended = state.get("state") in ("finished", "failed", "cancelled")
    name = _read(job_dir / "name")  # the script's name, written at submission
    out = []
    for task_id in parse_array(str(state.get("ids", "0"))).task_ids():
        task = _embedded_task(job_id, job_dir / "tasks", task_id, ended)
        task.name = name
        if task.state == FAILED:  # the wrapper keeps a failed task's stderr: the jobs screen's log shows it
            task.extra["stdout"] = str(job_dir / "logs" / f"{task_id}.err")
        if task.state == CANCELLED and state.get("error"):
            task.reason = str(state["error"])[:200]
        out.append(task)
    return out


def _embedded_task(job_id: str, tasks_dir: Path, task_id: int, job_ended: bool) -> TaskState:
    task = TaskState(job_id=f"{job_id}_{task_id}", array_job_id=job_id, array_task_id=str(task_id),
                     extra={"backend": "hyperqueue"})
    start = _read(tasks_dir / f"{task_id}.start")
    end = _read(tasks_dir / f"{task_id}.end").split()
    task.start_time = _iso(start)
    if len(end) == 2:
        rc, ended = end
        task.state, task.exit_code, task.end_time = (COMPLETED if rc == "0" else FAILED), f"{rc}:0", _iso(ended)
        if start:
            task.elapsed = _elapsed(float(ended) - float(start))
    elif job_ended:  # the job is over and this task never ended: it was cancelled
        task.state = CANCELLED
    else:
        task.state = RUNNING if task.start_time else PENDING
    return task


def _iso(epoch: str) -> str:
    """Epoch seconds as sacct prints times (local time, 2026-11-27T10:00:01); "" stays ""."""
    try:
        return time.strftime("%Y-%m-%dT%H:%M:%S", time.localtime(float(epoch)))
    except ValueError:
        return ""


def _elapsed(seconds: float) -> str:
    """Seconds as sacct's Elapsed (HH:MM:SS)."""
    whole = max(0, round(seconds))
    return f"{whole // 3600:02d}:{whole % 3600 // 60:02d}:{whole % 60:02d}"


def _read(path: Path) -> str:
    try:
        return path.read_text().strip()
    except OSError:
        return ""


class HyperQueueBackend:
    """The Backend that runs a script's task array through HyperQueue (cli or embedded)."""

    name = "hyperqueue"
    IMPLEMENTS_TEST_ONLY = False

    def __init__(self, workspace: Path, hq: str | None = None, server_dir: Path | None = None,
                 cores: int | None = None, embedded: bool | None = None) -> None:
        self.root = Path(workspace) / ".hptune" / "hq-jobs"
        self.hq = hq if hq is not None else find_hq()
        self.embedded = (self.hq is None) if embedded is None else embedded
        self.cli = None if self.embedded else HqCli(self.hq, server_dir)
        self.cores = cores

    @property
    def mode(self) -> str:
        return "embedded" if self.embedded else "cli"

    def submit(self, script: Path, workdir: Path, test_only: bool = False) -> SubmitResult:
        """Run `bash SCRIPT` once per id of its #SBATCH --array line, each task with the script's
        --cpus-per-task; or run a HyperQueue job file (`.toml`: each task its own CPUs)."""
        if test_only:
            raise BackendError("HyperQueue has no --test-only", "submit for real, or test with the slurm backend")
        script, workdir = Path(script).resolve(), Path(workdir).resolve()
        if script.suffix == ".toml":
            return SubmitResult(self._submit_job_file(script, workdir))
        try:
            text = script.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise BackendError(f"cannot read {script}: {exc}") from exc
        ids, cpus, command = script_array(text), script_cpus(text), ["bash", str(script)]
        if self.cli is not None:
            log_dir = workdir / "logs"
            log_dir.mkdir(parents=True, exist_ok=True)
            return SubmitResult(self.cli.submit_array(command, ids, workdir, script.stem, log_dir, cpus))
        return SubmitResult(self._spawn_embedded(["--ids", ids, f"--cpus={cpus}", "--", *command], workdir,
                                                 script.stem))

    def _submit_job_file(self, job_file: Path, workdir: Path) -> str:
        from tui.cluster.hq_jobfile import JobFileError, read

        try:
            read(job_file)  # refuse a broken file here, with the reason, not in a detached driver
        except JobFileError as exc:
            raise BackendError(str(exc), "write it again (for exercise 3: python sweep.py --hq-job hq_job.toml)") \
                from exc
        if self.cli is not None:
            return self.cli.submit_file(job_file, workdir)
        return self._spawn_embedded(["--job-file", str(job_file)], workdir, job_file.stem)

    def _spawn_embedded(self, args: list[str], workdir: Path, name: str) -> str:
        self.root.mkdir(parents=True, exist_ok=True)
        number = 1 + max((int(p.name) for p in self.root.iterdir() if p.name.isdigit()), default=0)
        job_dir = self.root / str(number)
        job_dir.mkdir()
        argv = [sys.executable, "-m", "tui.cluster.hq_embedded", "--job-dir", str(job_dir)]
        argv += ([f"--cores={self.cores}"] if self.cores else []) + args
        from tui.cluster.jobenv import job_path_env

        env = {**os.environ, **job_path_env()}  # the tasks' plain `python` is the app's, as on the local runner
        with open(job_dir / "driver.log", "wb") as log:
            proc = subprocess.Popen(argv, cwd=workdir, env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                                    start_new_session=True)  # keeps running when the app exits
        (job_dir / "driver.pid").write_text(str(proc.pid))
        (job_dir / "name").write_text(name)
        return f"hq{number}"

    def status(self, job_ids: list[str]) -> list[TaskState]:
        """Every task of the jobs, in SLURM's state words."""
        if self.cli is not None:
            return self.cli.tasks(list(dict.fromkeys(job_ids)))
        out: list[TaskState] = []
        for job_id in dict.fromkeys(job_ids):
            out += embedded_tasks(job_id, self.root / job_id.removeprefix("hq"))
        return out

    def cancel(self, job_id: str) -> None:
        """Cancel a job: `hq job cancel`, or stop the embedded job's driver (and its cluster)."""
        if "_" in job_id:  # both `hq job cancel` and the embedded driver stop whole jobs
            raise BackendError(f"cannot cancel the single HyperQueue task {job_id}",
                               f"cancel the whole job {job_id.split('_')[0]} instead")
        if self.cli is not None:
            self.cli.cancel(job_id)
            return
        try:
            pid = int((self.root / job_id.removeprefix("hq") / "driver.pid").read_text())
            os.killpg(pid, signal.SIGTERM)
        except (OSError, ValueError) as exc:
            raise BackendError(f"no running HyperQueue job {job_id}: {exc}") from exc

    def read_file(self, path: Path, offset: int = 0) -> bytes:
        return read_local_file(path, offset)

    def job_ids(self) -> list[str]:
        """The jobs HyperQueue knows (oldest first): the embedded jobs on disk, or `hq job list`
        ([] while no server answers), so that the jobs screen finds them after a restart."""
        if self.cli is not None:
            try:
                return [str(job["id"]) for job in self.cli.jobs() if "id" in job]
            except BackendError:
                return []
        if not self.root.is_dir():
            return []
        return [f"hq{n}" for n in sorted(int(p.name) for p in self.root.iterdir() if p.name.isdigit())]


class WithHyperQueue:
    """Another backend plus HyperQueue's jobs, so the jobs screen shows both: each job id goes to
    the backend that owns it (HyperQueue's ids are known; every other id is the other backend's)."""

    def __init__(self, main, hq: HyperQueueBackend, hq_ids: list[str]) -> None:
        self.main, self.hq, self.hq_ids = main, hq, set(hq_ids)
        self.name = main.name
        self.IMPLEMENTS_TEST_ONLY = getattr(main, "IMPLEMENTS_TEST_ONLY", False)

    def owns(self, job_id: str) -> bool:
        """Whether a job or task id (`hq3`, `hq3_7`, or a tracked `hq` CLI id) is HyperQueue's."""
        return job_id.split("_", 1)[0] in self.hq_ids

    def submit(self, script: Path, workdir: Path, test_only: bool = False) -> SubmitResult:
        return self.main.submit(script, workdir, test_only)

    def status(self, job_ids: list[str]) -> list[TaskState]:
        """The other backend's states, then HyperQueue's. A HyperQueue server that does not answer
        (stopped after the exercise) leaves its tasks as last seen, rather than marking every
        job stale on every tick."""
        theirs = [i for i in job_ids if not self.owns(i)]
        ours = [i for i in job_ids if self.owns(i)]
        out = self.main.status(theirs) if theirs else []
        try:
            return out + (self.hq.status(ours) if ours else [])
        except BackendError:
            return out

    def cancel(self, job_id: str) -> None:
        (self.hq if self.owns(job_id) else self.main).cancel(job_id)

    def read_file(self, path: Path, offset: int = 0) -> bytes:
        # the embedded jobs' files are on this machine, whichever machine the other backend reads
        inside = self.hq.embedded and Path(path).is_relative_to(self.hq.root)
        return (self.hq if inside else self.main).read_file(path, offset)

    def job_ids(self) -> list[str]:
        return listed_job_ids(self.main) + sorted(self.hq_ids, key=_job_number)


def _job_number(job_id: str) -> tuple[int, str]:
    digits = job_id.removeprefix("hq")
    return (int(digits) if digits.isdigit() else -1, job_id)


def with_hyperqueue_jobs(backend, workspace: Path, tracked: list[str]):
    """`backend` joined by this workspace's HyperQueue jobs (`tracked`: the ids recorded with the
    hyperqueue backend); `backend` itself when it is HyperQueue or there are none."""
    if backend.name == "hyperqueue":
        return backend
    hq = HyperQueueBackend(workspace)
    ids = list(dict.fromkeys(list(tracked) + hq.job_ids()))
    return WithHyperQueue(backend, hq, ids) if ids else backend
