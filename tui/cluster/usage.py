"""What jobs used: one TaskUsage per job or array task, from `sacct` or from the local runner's records.

`sacct_usage_argv` asks for every job in ONE call (as the poller does: SLURM asks tools to call
sacct rarely); `parse_sacct_usage` reads it. The slurm and ssh backends run the same argv through
their runner. `local_usage` reads `<workspace>/.hptune/local-jobs/<id>/`, where the local runner
keeps what SLURM's accounting would (submit, start and end times, CPUs).
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from pathlib import Path

from tui.cluster import local_store as store
from tui.cluster.parse import expand_job_id, normalize_state

USAGE_FIELDS = ("JobID", "State", "ElapsedRaw", "AllocCPUS", "CPUTimeRAW", "Submit", "Start", "End", "AllocTRES")
_GPUS = re.compile(r"(?:^|,)gres/gpu(?::[^=,]+)?=(\d+)")
_NO_TIME = {"", "Unknown", "None", "N/A", "(null)"}


@dataclass(frozen=True)
class TaskUsage:
    """One job or array task: its state, its seconds, CPUs and GPUs, and its times (epoch seconds)."""

    job_id: str  # `12` or `12_3`
    state: str
    elapsed_s: float = 0.0
    cpus: int = 0
    cpu_s: float = 0.0  # allocated CPUs x elapsed
    gpus: int = 0
    submit: float | None = None
    start: float | None = None  # None: it has not started
    end: float | None = None  # None: it has not ended

    @property
    def base_id(self) -> str:
        return self.job_id.split("_", 1)[0]

    @property
    def queue_wait_s(self) -> float | None:
        """Start - submit (None before it started, or when either time is unknown)."""
        if self.start is None or self.submit is None:
            return None
        return max(0.0, self.start - self.submit)


def sacct_usage_argv(job_ids: list[str]) -> list[str]:
    """sacct for every given job in one call: allocations only (-X), parsable, no header."""
    return ["sacct", "-X", "--parsable2", "-n", "--format=" + ",".join(USAGE_FIELDS), "-j", ",".join(job_ids)]


def parse_sacct_usage(text: str) -> list[TaskUsage]:
    """Parse `sacct_usage_argv` output; a pending range row (`12_[3-7]`) becomes one row per task."""
    rows: dict[str, TaskUsage] = {}
    for line in text.splitlines():
        parts = line.split("|")
        if len(parts) != len(USAGE_FIELDS):
            continue
        job_id, state, elapsed, cpus, cpu_s, submit, start, end, tres = (p.strip() for p in parts)
        for one_id in expand_job_id(job_id):
            if "[" in job_id and one_id in rows:  # a task's own row wins over a range naming it
                continue
            rows[one_id] = TaskUsage(
                job_id=one_id, state=normalize_state(state), elapsed_s=_number(elapsed), cpus=int(_number(cpus)),
                cpu_s=_number(cpu_s), gpus=gpus_in(tres), submit=sacct_time(submit), start=sacct_time(start),
                end=sacct_time(end))
    return list(rows.values())


def gpus_in(tres: str) -> int:
    """The GPUs of an AllocTRES value: `cpu=2,mem=1G,node=1,gres/gpu=2` -> 2 (typed ones added up)."""
    return sum(int(n) for n in _GPUS.findall(tres or "")) if "gres/gpu" in (tres or "") else 0


def sacct_time(text: str) -> float | None:
    """sacct's `2024-05-01T12:00:03` (the cluster's local time) as epoch seconds; None when unknown."""
    if text in _NO_TIME:
        return None
    try:
        return time.mktime(time.strptime(text, "%Y-%m-%dT%H:%M:%S"))
    except ValueError:
        return None


def _number(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        return 0.0


def local_usage(workspace: Path, job_id: str, now: float | None = None) -> list[TaskUsage]:
    """The tasks of local job `job_id` (`5`, or `5_2` for one task) from the runner's records;
    [] when there is no such job. A running task counts up to `now`."""
    base, _, index = str(job_id).partition("_")
    job_dir = store.jobs_root(Path(workspace).resolve()) / base
    job = store.read_json(job_dir / "job.json") if base.isdigit() else {}
    if not isinstance(job, dict) or not isinstance(job.get("tasks"), list):
        return []
    now = time.time() if now is None else now
    out = []
    for entry in job["tasks"]:
        if index and str(entry.get("index")) != index:
            continue
        out.append(_local_task(job, entry, store.read_task(job_dir, entry["key"]), now))
    return out


def _local_task(job: dict, entry: dict, rec: dict, now: float) -> TaskUsage:
    cpus = int(job.get("cpus") or 1)
    start, end = _float(rec.get("start")), _float(rec.get("end"))
    elapsed = max(0.0, (end if end is not None else now) - start) if start is not None else 0.0
    name = str(job["id"]) if entry.get("index") is None else f"{job['id']}_{entry['index']}"
    return TaskUsage(job_id=name, state=str(rec.get("state", "PENDING")), elapsed_s=elapsed, cpus=cpus,
                     cpu_s=cpus * elapsed, submit=_float(job.get("submit_time")), start=start, end=end)


def _float(value) -> float | None:
    return float(value) if isinstance(value, (int, float)) else None
