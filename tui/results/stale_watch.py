"""Stale-trial recovery while a study is watched: when to ask the scheduler, what, and then what.

`StaleWatch.check(run_dir, study)` runs on each refresh of the study screen (in its worker
thread). When the study has RUNNING trials and at least one poll interval has passed since
the last check, it takes the task states of the run's jobs with ONE status call (the job ids
in the run's run.json, or the trials' own job ids when the run has none) and only then hands
them to `recover_stale`, which reads the trials afresh (the order the stale module asks for).
Workers that ran outside a scheduler ("pid:host:pid") are looked up locally, without a call.

The scheduler is reached through `status(job_ids) -> {task id: state}`, so this module needs
neither textual nor the cluster layer; the screen passes its poller's status.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Callable, Mapping

from tui.results.stale import StaleTrial, local_process_states, recover_stale, running_tasks

StatusFn = Callable[[list[str]], Mapping[str, str]]


def run_job_ids(run_dir: Path) -> list[str]:
    """The job ids recorded in the run's run.json (`job_ids`, else `job_id`); [] when none or unreadable."""
    try:
        data = json.loads((Path(run_dir) / "run.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    if not isinstance(data, dict):
        return []
    ids = data.get("job_ids") or ([data["job_id"]] if data.get("job_id") else [])
    return [str(i) for i in ids] if isinstance(ids, list) else []


def job_of(key: str) -> str:
    """The job to ask the scheduler about for a task key: "123_4" -> "123", "77" -> "77"."""
    return key.split("_", 1)[0]


def task_states(keys: list[str], job_ids: list[str], status: StatusFn | None) -> dict[str, str]:
    """States of the tasks `keys`: local processes looked up here, the rest in one `status` call."""
    states = local_process_states([k for k in keys if k.startswith("pid:")])
    scheduled = [k for k in keys if not k.startswith("pid:")]
    if scheduled and status is not None:
        ids = list(dict.fromkeys(job_ids or [job_of(k) for k in scheduled]))
        states.update({str(k): str(v) for k, v in status(ids).items()})
    return states


class StaleWatch:
    """Fails (and optionally requeues) the stale trials of one study, at most once per interval.

    Args:
        status: `status(job_ids) -> {task id: state}`; one call per check for all the run's jobs.
        requeue: enqueue a stale trial's parameters again (the `requeue_stale` setting).
        interval: seconds between checks, or a function giving them (the poller's current interval).
        clock: monotonic seconds (tests pass their own).
    """

    def __init__(self, status: StatusFn | None, requeue: bool = False,
                 interval: float | Callable[[], float] = 10.0, clock: Callable[[], float] = time.monotonic):
        self.status, self.requeue, self.clock = status, requeue, clock
        self._interval = interval
        self._last: float | None = None
        self.recovered: list[StaleTrial] = []  # every trial this watch has failed, oldest first
        self.checks = 0  # checks that asked for states (tests and the screen read it)
        self.error = ""  # the last status call's error, "" after a good one

    @property
    def interval(self) -> float:
        return float(self._interval() if callable(self._interval) else self._interval)

    def due(self) -> bool:
        return self._last is None or self.clock() - self._last >= self.interval

    def check(self, run_dir: Path | None, study) -> list[StaleTrial]:
        """Fail the study's stale trials when a check is due; returns the trials failed now.

        A scheduler that does not answer is recorded in `error`; the trials are left as they are.
        """
        from optuna.trial import TrialState

        running = study.get_trials(deepcopy=False, states=(TrialState.RUNNING,))
        keys = running_tasks(running)
        if not keys or not self.due():
            return []
        self._last = self.clock()
        self.checks += 1
        try:
            states = task_states(keys, run_job_ids(run_dir) if run_dir else [], self.status)
        except Exception as exc:  # noqa: BLE001 - an unreachable scheduler must not stop the study view
            self.error = f"{type(exc).__name__}: {exc}".splitlines()[0]
            return []
        self.error = ""
        found = recover_stale(study, states, requeue=self.requeue, run_dir=run_dir)
        self.recovered.extend(found)
        return found

    def note(self) -> str:
        """A short line for the screen: how many trials were recovered, and any scheduler error."""
        parts = []
        if self.recovered:
            n = len(self.recovered)
            requeued = sum(t.requeued for t in self.recovered)
            parts.append(f"{n} stale trial{'s' * (n != 1)} failed" + (f", {requeued} requeued" if requeued else ""))
        if self.error:
            parts.append(f"scheduler: {self.error}")
        return "; ".join(parts)
