"""The Backend protocol: every sbatch/squeue/sacct/scancel and paramiko call sits behind it.

Implementations: slurm (subprocess on the login node), ssh (paramiko to a login node),
local (embedded runner), hyperqueue; tui.cluster.registry names them. Optional abilities are
default methods plus a flag.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, runtime_checkable

# Job states as SLURM names them; the local runner uses the same words.
COMPLETING = "COMPLETING"  # left the queue, end not recorded yet
PENDING, RUNNING, COMPLETED, FAILED, CANCELLED, TIMEOUT = (
    "PENDING", "RUNNING", "COMPLETED", "FAILED", "CANCELLED", "TIMEOUT")
FINISHED_STATES = frozenset({COMPLETED, FAILED, CANCELLED, TIMEOUT, "OUT_OF_MEMORY", "NODE_FAIL", "PREEMPTED",
                             "BOOT_FAIL", "DEADLINE"})


class BackendError(Exception):
    """A scheduler or connection error, with the scheduler's own words and a hint for the learner."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message}\nhint: {self.hint}" if self.hint else self.message


class SchedulerUnavailable(BackendError):
    """The scheduler (or the connection to it) did not answer: states are stale, try again later."""


@dataclass(frozen=True)
class SubmitResult:
    job_id: str  # "" for --test-only
    message: str = ""  # e.g. the estimated start from --test-only
    details: dict[str, str] = field(default_factory=dict)


@dataclass
class TaskState:
    """One job or one array task, as squeue/sacct report it."""

    job_id: str  # "123" or "123_4" for an array task
    array_job_id: str = ""
    array_task_id: str = ""
    name: str = ""
    state: str = PENDING
    reason: str = ""
    exit_code: str = ""
    elapsed: str = ""
    time_limit: str = ""
    start_time: str = ""
    end_time: str = ""
    node: str = ""
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def finished(self) -> bool:
        return self.state in FINISHED_STATES


@runtime_checkable
class Backend(Protocol):
    name: str
    IMPLEMENTS_TEST_ONLY: bool

    def submit(self, script: Path, workdir: Path, test_only: bool = False) -> SubmitResult: ...

    def status(self, job_ids: list[str]) -> list[TaskState]: ...

    def cancel(self, job_id: str) -> None: ...

    def read_file(self, path: Path, offset: int = 0) -> bytes: ...

    def job_ids(self) -> list[str]:
        """The backend's own jobs, oldest first (the local runner's, HyperQueue's), so that they show
        after a restart; the default is [] (SLURM's queue is asked by id: `status`)."""
        return []


def listed_job_ids(backend) -> list[str]:
    """`backend.job_ids()`, or the protocol's default [] for a backend that does not define it."""
    method = getattr(backend, "job_ids", None)
    return list(method()) if callable(method) else []


READ_LIMIT = 1 << 20  # bytes one read_file call returns at most: a huge log is followed in steps


def read_local_file(path: Path, offset: int = 0, limit: int = READ_LIMIT) -> bytes:
    """The bytes of a file on this machine from `offset` on, at most `limit` of them (a log can be
    any size: the caller asks again from where it got to); b"" while it does not exist yet."""
    try:
        with open(path, "rb") as handle:
            handle.seek(offset)
            return handle.read(limit)
    except FileNotFoundError:
        return b""
