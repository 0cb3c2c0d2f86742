"""Stale-trial recovery: fail the RUNNING trials whose worker's task has ended.

Optuna's journal storage has no heartbeat, so a worker that is killed (scancel -s KILL, the
time limit, a node failure) leaves its trial RUNNING for ever. Each trial carries its worker
in the user attribute `worker` (job id, array task id, host, pid); the app asks the scheduler
about those tasks (one status call for all) and hands the states to `recover_stale`.

Order matters: take the scheduler's states FIRST, then call `recover_stale`, which reads the
trials afresh. A task that had ended before the states were taken can no longer finish its
trial, so a trial still RUNNING after that is truly stale; the other order could fail a trial
that finished between the two reads.
"""

from __future__ import annotations

import json
import os
import socket
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Iterable, Mapping

from tui.fsutil import atomic_write_json, read_json_lines

# The scheduler's end states (as tui.cluster.backend.FINISHED_STATES, without importing the
# cluster layer into the results layer), plus ENDED for a local worker process that is gone.
FINISHED = frozenset({"COMPLETED", "FAILED", "CANCELLED", "TIMEOUT", "OUT_OF_MEMORY", "NODE_FAIL",
                      "PREEMPTED", "BOOT_FAIL", "DEADLINE", "ENDED"})


@dataclass(frozen=True)
class StaleTrial:
    """A RUNNING trial whose task has ended; `reason` says so in words."""

    number: int
    trial_id: int
    task: str
    state: str
    reason: str
    requeued: bool = False


def task_key(worker: Mapping[str, Any] | None) -> str | None:
    """The id to ask the scheduler about: "123_4" for an array task, "123" for a job.

    A worker that ran outside any scheduler gets "pid:<host>:<pid>" (see local_process_states).
    None when the trial records no worker.
    """
    if not worker:
        return None
    array_job, task = str(worker.get("array_job_id", "")), str(worker.get("array_task_id", ""))
    if array_job and task:
        return f"{array_job}_{task}"
    if worker.get("job_id"):
        return str(worker["job_id"])
    if worker.get("host") and worker.get("pid"):
        return f"pid:{worker['host']}:{worker['pid']}"
    return None


def _base_state(state: str) -> str:
    # sacct writes "CANCELLED by 0"; squeue may add a "+" for requeued jobs.
    return (state or "").split()[0].rstrip("+").upper() if state else ""


def running_tasks(trials: Iterable[Any]) -> list[str]:
    """The task ids of the RUNNING trials (ask the scheduler about these, in one call)."""
    keys = {task_key(t.user_attrs.get("worker")) for t in trials if t.state.name == "RUNNING"}
    return sorted(k for k in keys if k)


def local_process_states(keys: Iterable[str], host: str | None = None) -> dict[str, str]:
    """States of "pid:<host>:<pid>" workers on this host: RUNNING while the pid lives, else ENDED."""
    host = host or socket.gethostname()
    states: dict[str, str] = {}
    for key in keys:
        kind, _, rest = key.partition(":")
        key_host, _, pid = rest.rpartition(":")
        if kind != "pid" or key_host != host or not pid.isdigit():
            continue  # another host's process: cannot tell from here
        try:
            os.kill(int(pid), 0)
            states[key] = "RUNNING"
        except ProcessLookupError:
            states[key] = "ENDED"
        except PermissionError:
            states[key] = "RUNNING"  # alive, owned by someone else
    return states


def find_stale(trials: Iterable[Any], task_states: Mapping[str, str]) -> list[StaleTrial]:
    """The RUNNING trials whose task is in an end state; a task the map lacks is left alone."""
    stale = []
    for trial in trials:
        if trial.state.name != "RUNNING":
            continue
        key = task_key(trial.user_attrs.get("worker"))
        state = _base_state(task_states.get(key, "")) if key else ""
        if state in FINISHED:
            reason = f"its worker's task {key} ended ({state}) while the trial was running"
            stale.append(StaleTrial(trial.number, trial._trial_id, key, state, reason))
    return stale


def recover_stale(study, task_states: Mapping[str, str], requeue: bool = False,
                  run_dir: str | Path | None = None) -> list[StaleTrial]:
    """Mark stale trials FAIL (reason in user attrs) and optionally enqueue their parameters again.

    Args:
        study: the optuna.Study (journal or RDB storage).
        task_states: task id -> scheduler state, taken BEFORE this call (see the module doc).
        requeue: enqueue each stale trial's parameters, so a worker runs them again.
        run_dir: the run folder; a stale trial's result.json is written there when missing.

    Returns:
        The trials that were marked (a trial that finished meanwhile is skipped).
    """
    import optuna
    from optuna.trial import TrialState

    storage = study._storage
    running = study.get_trials(deepcopy=False, states=(TrialState.RUNNING,))
    done = []
    for item in find_stale(running, task_states):
        try:
            storage.set_trial_user_attr(item.trial_id, "stale", True)
            storage.set_trial_user_attr(item.trial_id, "fail_reason", item.reason)
            storage.set_trial_state_values(item.trial_id, TrialState.FAIL)
        except optuna.exceptions.UpdateFinishedTrialError:
            continue  # its worker finished it after all
        trial = next(t for t in running if t.number == item.number)
        if requeue:
            study.enqueue_trial(trial.params, user_attrs={"requeued_from": trial.number})
            item = replace(item, requeued=True)
        if run_dir is not None:
            write_failed_result(Path(run_dir), item, trial.user_attrs.get("worker") or {}, trial.params)
        done.append(item)
    return done


def write_failed_result(run_dir: Path, item: StaleTrial, worker: Mapping[str, Any],
                        params: Mapping[str, Any] | None = None) -> bool:
    """Write result.json (status failed) for a stale trial whose worker never did; False if present.

    The folder is created when the worker died before writing anything, so that the trials
    screen lists the trial as failed too.
    """
    folder = run_dir / "trials" / f"{item.number:04d}"
    if (folder / "result.json").exists():
        return False
    params, rows = _read_params(folder) or dict(params or {}), read_json_lines(folder / "metrics.jsonl")
    accs = [(r["val_acc"], r.get("step")) for r in rows if isinstance(r.get("val_acc"), (int, float))]
    best = max(accs, key=lambda a: a[0]) if accs else None
    atomic_write_json(folder / "result.json", {
        "trial": folder.name, "status": "failed", "reason": item.reason, "params": params,
        "steps": len(rows), "final": rows[-1] if rows else {}, "stale": True, "task_state": item.state,
        "best": {"val_acc": best[0], "step": best[1]} if best else {}, "worker": dict(worker),
        "optuna_number": item.number})
    return True


def _read_params(folder: Path) -> dict[str, Any]:
    try:
        return json.loads((folder / "params.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
