"""SLURM through its commands: sbatch, squeue, sacct, scancel (and scontrol when accounting is off).

Every command is an argv list run through a `run(argv, cwd, timeout) -> (rc, out, err)` callable:
`subprocess_runner` here on the login node, the ssh backend's remote runner over SSH. The same
class and the same parser serve both.
"""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path
from typing import Callable

from tui.cluster import parse
from tui.cluster.backend import (
    COMPLETING,
    PENDING,
    BackendError,
    SchedulerUnavailable,
    SubmitResult,
    TaskState,
    read_local_file,
)

Runner = Callable[[list[str], "str | None", float], "tuple[int, str, str]"]

# Words in sbatch's error -> what the learner can do about it.
HINTS = (
    ("invalid account", "check your accounts with `sacctmgr show assoc user=$USER format=account` "
                        "and set `#SBATCH --account` (or `account` in the settings)"),
    ("invalid partition", "`sinfo -s` lists the partitions you may use"),
    ("invalid qos", "`sacctmgr show assoc user=$USER format=qos` lists the QOS you may use"),
    ("time limit", "the partition's maximum time is in `sinfo -o '%P %l'`; ask for less with `--time`"),
    ("array", "the largest array is MaxArraySize-1 (`scontrol show config | grep MaxArraySize`); "
              "split the array or use a smaller range"),
    ("unable to contact slurm controller", "the scheduler is not answering; try again in a minute"),
    ("more processors than permitted", "ask for fewer CPUs per task (`--cpus-per-task`)"),
    ("memory specification", "ask for less memory (`--mem`)"),
)
MAX_MISSING_S = 120.0  # how long a task may be in neither squeue nor sacct before it is UNKNOWN
_DOWN = ("unable to contact slurm controller", "socket timed out", "connection refused",
         "slurm_load_jobs error: unable", "communication connection failure")


def hint_for(error: str) -> str:
    """The hint for an sbatch error message ("" when none applies)."""
    low = error.lower()
    return next((hint for words, hint in HINTS if words in low), "")


def subprocess_runner(env: dict[str, str] | None = None) -> Runner:
    """A runner that runs argv on this host; `env` entries are added to the environment.

    Jobs inherit sbatch's environment, so the app's Python goes first on PATH (see jobenv).
    """
    from tui.cluster.jobenv import job_path_env

    full_env = {**os.environ, **(env or {})}
    full_env.update(job_path_env(full_env))

    def run(argv: list[str], cwd: str | None, timeout: float) -> tuple[int, str, str]:
        try:
            proc = subprocess.run(argv, cwd=cwd, env=full_env, capture_output=True, text=True,
                                  timeout=timeout, stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired as exc:
            raise SchedulerUnavailable(f"`{argv[0]}` did not answer within {timeout:g} s") from exc
        except FileNotFoundError as exc:
            raise BackendError(f"`{argv[0]}` was not found", "is SLURM installed on this host?") from exc
        return proc.returncode, proc.stdout, proc.stderr

    return run


class SlurmBackend:
    """The Backend for SLURM, on this host or (with a remote runner) over SSH."""

    name = "slurm"
    IMPLEMENTS_TEST_ONLY = True

    def __init__(self, runner: Runner | None = None, timeout: float = 20.0) -> None:
        self.run = runner or subprocess_runner()
        self.timeout = timeout
        self._open: dict[str, set[str]] = {}  # wanted id -> its unfinished tasks seen last time
        self._last: dict[str, TaskState] = {}  # last known state of every task
        self._accounting = True  # whether sacct answered last time
        self._missing: dict[str, float] = {}  # task -> when it was first missing from squeue and sacct
        self.clock = time.monotonic

    # -- submit / cancel -------------------------------------------------------------------
    def submit(self, script: Path, workdir: Path, test_only: bool = False) -> SubmitResult:
        """sbatch the script from `workdir`; BackendError (sbatch's words + a hint) if refused."""
        argv = ["sbatch", "--test-only" if test_only else "--parsable", str(script)]
        rc, out, err = self.run(argv, str(workdir), self.timeout)
        if rc != 0:
            message = (err.strip() or out.strip() or f"sbatch exited with {rc}")
            raise BackendError(message, hint_for(message))
        if test_only:
            est = parse.parse_test_only(err + out)
            return SubmitResult("", f"would start at {est['start']} on {est['nodes']}", est)
        return SubmitResult(parse.parse_sbatch_parsable(out))

    def cancel(self, job_id: str) -> None:
        """scancel a job (`123`) or one array task (`123_4`)."""
        rc, out, err = self.run(["scancel", job_id], None, self.timeout)
        if rc != 0:
            raise BackendError(err.strip() or out.strip() or f"scancel exited with {rc}")

    def read_file(self, path: Path, offset: int = 0) -> bytes:
        """The bytes of `path` from `offset` on; b"" while it does not exist."""
        return read_local_file(path, offset)

    # -- status ----------------------------------------------------------------------------
    def status(self, job_ids: list[str]) -> list[TaskState]:
        """States of the jobs (array tasks expanded) with at most one squeue and one sacct call."""
        wanted = list(dict.fromkeys(job_ids))
        if not wanted:
            return []
        queued = self._squeue(wanted)
        need = [w for w in wanted if self._needs_history(w, queued)]
        history = self._history(need) if need else []
        return self._merge(wanted, queued, history)

    def _squeue(self, wanted: list[str]) -> list[TaskState]:
        rc, out, err = self.run(parse.squeue_argv(wanted), None, self.timeout)
        if rc == 0:
            return parse.parse_squeue(out)
        low = err.lower()
        if "invalid job id" in low:  # every id has left the queue
            return []
        if any(word in low for word in _DOWN):
            raise SchedulerUnavailable(err.strip() or "squeue failed", "the scheduler is not answering")
        raise BackendError(err.strip() or f"squeue exited with {rc}")

    def _needs_history(self, wanted: str, queued: list[TaskState]) -> bool:
        """Whether sacct must tell about `wanted`: new to us, or tasks of it left the queue."""
        if wanted not in self._open:
            return True
        in_queue = {t.job_id for t in queued if parse.matches(t, wanted)}
        return bool(self._open[wanted] - in_queue)

    def _history(self, ids: list[str]) -> list[TaskState]:
        """sacct for ids gone from the queue; scontrol when accounting is off; else []."""
        rc, out, err = self.run(parse.sacct_argv(ids), None, self.timeout)
        self._accounting = rc == 0 and "disabled" not in err.lower()
        if self._accounting:
            return parse.parse_sacct(out)
        rc, out, err = self.run(parse.SCONTROL_ARGV, None, self.timeout)
        if rc != 0:
            return []
        return [t for t in parse.parse_scontrol_jobs(out) if any(parse.matches(t, w) for w in ids)]

    def _merge(self, wanted: list[str], queued: list[TaskState], history: list[TaskState]) -> list[TaskState]:
        # A pending task is always in the queue: a PENDING range row of sacct naming a task that
        # is not there any more is stale (the task ran; its own record has not reached sacct yet).
        # A finished range row is real: e.g. pending tasks cancelled together (`12_[1-3]` CANCELLED).
        by_id = {t.job_id: t for t in history if not (t.extra.get("range") and t.state == PENDING)}
        for task in queued:  # the queue is the freshest word on a task
            by_id[task.job_id] = task
        result = []
        for w in wanted:
            rows = self._rows_for(w, by_id)
            self._open[w] = {t.job_id for t in rows if not t.finished}
            result.extend(rows)
        return result

    def _rows_for(self, wanted: str, by_id: dict[str, TaskState]) -> list[TaskState]:
        rows = {t.job_id: t for t in self._last.values() if parse.matches(t, wanted)}
        fresh = {k: t for k, t in by_id.items() if parse.matches(t, wanted)}
        for key, task in rows.items():  # seen unfinished before, now in neither squeue nor history
            if key not in fresh and not task.finished:
                rows[key] = self._vanished(task)
        rows.update(fresh)
        whole = rows.get(wanted)
        if whole is not None and not whole.array_task_id and len(rows) > 1:
            # sacct reports an array cancelled while pending as one bare row: give its tasks its state
            rows.pop(wanted)
            for key, task in rows.items():
                if (not task.finished and key not in fresh) or task.reason.startswith("left the queue"):
                    rows[key] = TaskState(**{**task.__dict__, "state": whole.state, "reason": whole.reason,
                                             "exit_code": whole.exit_code, "end_time": whole.end_time})
        if not rows:
            rows[wanted] = TaskState(job_id=wanted, state="UNKNOWN", reason="not known to the scheduler")
        self._last.update(rows)
        return sorted(rows.values(), key=_task_order)

    def _vanished(self, task: TaskState) -> TaskState:
        """A task that left the queue with no record of its end (yet)."""
        since = self._missing.setdefault(task.job_id, self.clock())
        if self._accounting and self.clock() - since <= MAX_MISSING_S:
            # Out of the queue means ending, not running; sacct lags by a few seconds.
            return TaskState(**{**task.__dict__, "state": COMPLETING,
                                "reason": "left the queue; waiting for its accounting record"})
        why = "accounting is off" if not self._accounting else "no accounting record"
        return TaskState(**{**task.__dict__, "state": "UNKNOWN",
                            "reason": f"left the queue and {why}: see the job's output file"})


def _task_order(task: TaskState) -> tuple:
    base, _, idx = task.job_id.partition("_")
    return (int(base) if base.isdigit() else 0, int(idx) if idx.isdigit() else -1, task.job_id)
