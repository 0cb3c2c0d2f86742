"""The embedded local runner: runs job scripts as SLURM would, on this machine, without a scheduler.

Each submitted job gets a folder under `<workspace>/.hptune/local-jobs/<id>/` and a detached
supervisor process (`tui.cluster.local_supervisor`), so jobs keep running when the app exits
and are found again, from their files, when it restarts.
"""

from __future__ import annotations

import getpass
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

from tui.cluster import local_store as store
from tui.cluster.backend import BackendError, SubmitResult, TaskState, read_local_file
from tui.cluster.jobenv import job_path_env
from tui.cluster.local_checks import check_cpus, check_outputs
from tui.cluster.local_spec import LocalSpec, expand_pattern, load_spec
from tui.cluster.local_tasks import JobView, cancel_unsupervised, pending_reason


def sbatch_works() -> bool:
    """Whether this host has a working SLURM (sbatch on PATH and the controller answers)."""
    if not shutil.which("sbatch") or not shutil.which("sinfo"):
        return False
    try:
        proc = subprocess.run(["sinfo", "-h", "-o", "%P"], capture_output=True, timeout=5,
                              stdin=subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return proc.returncode == 0


class LocalBackend:
    """The Backend that runs jobs on this machine."""

    name = "local"
    IMPLEMENTS_TEST_ONLY = True

    def __init__(self, workspace: Path, force: bool = False) -> None:
        # Absolute, so that every app instance names a job's folder the same way.
        self.root = store.jobs_root(Path(workspace).resolve())
        self.force = force

    # -- submit ----------------------------------------------------------------------------
    def submit(self, script: Path, workdir: Path, test_only: bool = False) -> SubmitResult:
        """Start the script's tasks under a detached supervisor; BackendError on a bad script."""
        if not self.force and sbatch_works():
            raise BackendError("this host has a working SLURM: the local runner does not run jobs here",
                               "submit with the slurm backend (training does not belong on a login node), "
                               "or pass --force-local")
        script, workdir = Path(script).resolve(), Path(workdir).resolve()
        try:
            text = script.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise BackendError(f"sbatch: error: Unable to open file {script}: {exc}") from exc
        spec = load_spec(text)
        check_cpus(spec.cpus)
        indices = spec.indices if spec.indices is not None else [None]
        # Checked with the next id before one is taken, so that a refusal leaves nothing behind.
        check_outputs(self._job_record(store.peek_id(self.root), spec, indices, script, workdir))
        if test_only:
            return SubmitResult("", "would start now on this machine (local runner)", {"start": "now"})
        job_id = store.allocate_ids(self.root, len(indices))
        job_dir = self.root / str(job_id)
        (job_dir / "tasks").mkdir(parents=True)
        (job_dir / "cancel").mkdir()
        shutil.copy2(script, job_dir / "job.sh")
        store.atomic_write_json(job_dir / "job.json", self._job_record(job_id, spec, indices, script, workdir))
        self._start_supervisor(job_dir)
        return SubmitResult(str(job_id))

    def _job_record(self, job_id: int, spec: LocalSpec, indices: list, script: Path, workdir: Path) -> dict:
        run_dir = (workdir / spec.chdir) if spec.chdir else workdir
        name = spec.name or script.name
        real = [i for i in indices if i is not None]
        common = {"SLURM_JOB_NAME": name, "SLURM_SUBMIT_DIR": str(workdir), "SLURM_CPUS_PER_TASK": str(spec.cpus),
                  "SLURM_NTASKS": "1", "SLURM_JOB_NUM_NODES": "1", "SLURM_JOB_NODELIST": socket.gethostname(),
                  "SLURM_SUBMIT_HOST": socket.gethostname(), "SLURM_CPUS_ON_NODE": str(spec.cpus),
                  "SLURM_JOB_PARTITION": "local", "OMP_NUM_THREADS": str(spec.cpus)}
        if real:
            common.update({"SLURM_ARRAY_JOB_ID": str(job_id), "SLURM_ARRAY_TASK_COUNT": str(len(real)),
                           "SLURM_ARRAY_TASK_MIN": str(min(real)), "SLURM_ARRAY_TASK_MAX": str(max(real))})
        tasks = [self._task_entry(job_id, k, i, spec, name, run_dir) for k, i in enumerate(indices)]
        cores = os.cpu_count() or 1
        parallel = max(1, cores // spec.cpus)
        return {"id": job_id, "cores": cores, "name": name, "script": str(script), "workdir": str(run_dir),
                "submit_dir": str(workdir), "submit_time": time.time(), "time_limit_s": spec.time_limit_s,
                "cpus": spec.cpus, "limit": spec.limit, "interpreter": spec.interpreter,
                "parallel": min(parallel, spec.limit) if spec.limit else parallel, "env": common, "tasks": tasks}

    def _task_entry(self, job_id: int, k: int, index: int | None, spec: LocalSpec, name: str, run_dir: Path) -> dict:
        task_job_id = str(job_id + k)
        values = {"x": name, "A": str(job_id), "a": "" if index is None else str(index), "j": task_job_id,
                  "u": getpass.getuser(), "N": socket.gethostname().split(".")[0], "n": "0", "t": "0", "s": "0"}
        env = {"SLURM_JOB_ID": task_job_id, "SLURM_JOBID": task_job_id}
        if index is not None:
            env["SLURM_ARRAY_TASK_ID"] = str(index)
        err = str(run_dir / expand_pattern(spec.error, values)) if spec.error else ""
        return {"key": store.task_key(index), "index": index, "env": env,
                "output": str(run_dir / expand_pattern(spec.output, values)), "error": err}

    def _start_supervisor(self, job_dir: Path) -> None:
        log = open(job_dir / "supervisor.log", "wb")  # noqa: SIM115 - the child owns it
        with log:
            proc = subprocess.Popen([sys.executable, "-m", store.SUPERVISOR_MODULE, str(job_dir)],
                                    stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True,
                                    cwd=str(job_dir),
                                    env={**os.environ, **job_path_env(), "PYTHONPATH": _package_root()})
        # Wait for the supervisor to announce itself, so that status() never mistakes a starting
        # supervisor for a lost one.
        deadline = time.monotonic() + 30
        while not (job_dir / "supervisor.pid").exists():
            if proc.poll() is not None or time.monotonic() > deadline:
                log_text = (job_dir / "supervisor.log").read_text(errors="replace")[-2000:]
                raise BackendError(f"the local runner did not start: {log_text.strip() or proc.returncode}")
            time.sleep(0.01)

    # -- status / cancel / files -----------------------------------------------------------
    def status(self, job_ids: list[str]) -> list[TaskState]:
        """States of the jobs (array tasks expanded), read from the job folders."""
        out: list[TaskState] = []
        for wanted in dict.fromkeys(job_ids):
            base, _, index = wanted.partition("_")
            job = store.read_json(self.root / base / "job.json") if base.isdigit() else {}
            if not job:
                out.append(TaskState(job_id=wanted, state="UNKNOWN", reason="no such local job"))
                continue
            view = JobView(self.root / base, job)
            tasks = [self._task_state(view, e) for e in job["tasks"]]
            out.extend(t for t in tasks if not index or t.array_task_id == index)
        return out

    def _task_state(self, view: JobView, entry: dict) -> TaskState:
        job, rec = view.job, view.record(entry["key"])
        state = rec.get("state", "PENDING")
        reason = pending_reason(job) if state == "PENDING" else rec.get("reason", "")
        index = entry["index"]
        start, end = rec.get("start"), rec.get("end")
        elapsed = ((end or time.time()) - start) if start else 0.0
        return TaskState(
            job_id=f"{job['id']}_{index}" if index is not None else str(job["id"]),
            array_job_id=str(job["id"]) if index is not None else "",
            array_task_id="" if index is None else str(index), name=job["name"], state=state, reason=reason,
            exit_code=rec.get("exit_code", ""), elapsed=format_duration(elapsed),
            time_limit=format_duration(job["time_limit_s"]) if job["time_limit_s"] else "UNLIMITED",
            start_time=_iso(start), end_time=_iso(end), node="localhost",
            extra={"source": "local", "stdout": entry["output"], "stderr": entry["error"] or entry["output"]})

    def cancel(self, job_id: str) -> None:
        """Cancel a job or one task (`ID_INDEX`): the supervisor stops it, or we do if it is gone."""
        base, _, index = job_id.partition("_")
        job_dir = self.root / base
        job = store.read_json(job_dir / "job.json") if base.isdigit() else {}
        keys = [e["key"] for e in job.get("tasks", [])]
        if not job or (index and index not in keys):
            raise BackendError(f"scancel: error: Invalid job id {job_id}")
        (job_dir / "cancel" / (index or "all")).touch()
        view = JobView(job_dir, job)
        if not view.supervised:
            cancel_unsupervised(view, [index] if index else keys)

    def read_file(self, path: Path, offset: int = 0) -> bytes:
        """The bytes of `path` from `offset` on; b"" while it does not exist."""
        return read_local_file(path, offset)

    def job_ids(self) -> list[str]:
        """Every local job on disk (newest last): monitoring resumes after a restart."""
        if not self.root.is_dir():
            return []
        return sorted((p.name for p in self.root.iterdir() if p.name.isdigit()), key=int)


def _package_root() -> str:
    root = str(Path(__file__).resolve().parents[2])
    extra = os.environ.get("PYTHONPATH", "")
    return f"{root}{os.pathsep}{extra}" if extra else root


def _iso(stamp: float | None) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.localtime(stamp)) if stamp else ""


def format_duration(seconds: float) -> str:
    """Seconds as squeue prints them: `M:SS`, `H:MM:SS` or `D-HH:MM:SS`."""
    total = int(seconds)
    days, rest = divmod(total, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days}-{hours:02d}:{minutes:02d}:{secs:02d}"
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
