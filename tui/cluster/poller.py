"""One poller for the whole app: one status call per tick for every watched job.

The caller (a Textual worker of the app's job service) runs one tick at a time and arms the next
only after it finished, so calls never overlap; a lock keeps two callers' ticks apart too. The
interval starts at the settings' value (default 10 s, never under 2 s), doubles up to 60 s while
nothing changes and drops back on a change. After a `poke()` (the learner's own submit or
cancel) it ticks at once, then every 2 s for a few ticks until the change shows. When the
scheduler does not answer, or the call fails in any other way, the last known states are kept
and marked stale with the wall-clock time they were last good, and it backs off.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Callable

from tui.cluster.backend import BackendError, TaskState

MIN_INTERVAL_S = 2.0
MAX_INTERVAL_S = 60.0
EAGER_TICKS = 5  # fast ticks after a poke


class PartialStatus(BackendError):
    """Some of the backends answered (`tasks`) and some did not (`failures`, in order)."""

    def __init__(self, message: str, tasks: list[TaskState], failures: list[Exception]) -> None:
        super().__init__(message)
        self.tasks, self.failures = tasks, failures


@dataclass
class Snapshot:
    """What the poller knows after a tick."""

    tasks: dict[str, TaskState] = field(default_factory=dict)  # task id -> state
    stale: bool = False  # the last call failed; `tasks` are the last known states
    error: str = ""
    failure: Exception | None = None  # the last call's error (e.g. an UnknownHostKey to ask about)
    ticks: int = 0
    calls: int = 0  # status calls made (ticks with nothing to ask make none)
    last_ok: float = 0.0  # the poller's (monotonic) clock at the last good answer
    as_of: float = 0.0  # wall-clock time (time.time()) of the last good answer: what people read

    def copy(self) -> "Snapshot":
        """A copy another thread may keep (the task dict is copied, the states are shared)."""
        return Snapshot(dict(self.tasks), self.stale, self.error, self.failure, self.ticks, self.calls,
                        self.last_ok, self.as_of)


def describe_failure(exc: BaseException) -> str:
    """One line for any failure: a BackendError's own words, else the type and message."""
    text = str(exc) if isinstance(exc, BackendError) else f"{type(exc).__name__}: {exc}"
    return (text.strip().splitlines() or [type(exc).__name__])[0]


class Poller:
    """Polls a Backend for the jobs that owners (screens, the CLI) watch."""

    def __init__(self, backend, interval: float = 10.0, max_interval: float = MAX_INTERVAL_S,
                 clock: Callable[[], float] = time.monotonic, wall: Callable[[], float] = time.time) -> None:
        self.backend = backend
        self.base = max(float(interval), MIN_INTERVAL_S)
        self.max_interval = max(max_interval, self.base)
        self.interval = self.base
        self._eager = 0
        self.clock, self.wall = clock, wall
        self.snapshot = Snapshot()
        self._owners: dict[object, list[str]] = {}
        self._final: set[str] = set()  # watched ids whose every task has finished
        self._lock = threading.Lock()
        self._tick_lock = threading.Lock()  # one tick at a time, whoever calls

    # -- who watches what ------------------------------------------------------------------
    def watch(self, owner: object, job_ids: list[str]) -> None:
        """Watch `job_ids` for `owner` (replacing what it watched before). New ids are asked
        about on the next tick, at the base interval; the same ids again change nothing."""
        with self._lock:
            before = set(self.watched_unlocked())
            self._owners[owner] = list(job_ids)
            new = set(job_ids) - before
        if new:
            self.interval = self.base

    def unwatch(self, owner: object) -> None:
        with self._lock:
            self._owners.pop(owner, None)

    def watched_unlocked(self) -> list[str]:
        return list(dict.fromkeys(i for ids in self._owners.values() for i in ids))

    def watched(self) -> list[str]:
        with self._lock:
            return self.watched_unlocked()

    # -- one tick --------------------------------------------------------------------------
    def due(self) -> list[str]:
        """The ids the next tick asks about: watched and not finished."""
        return [i for i in self.watched() if i not in self._final]

    def tick(self) -> Snapshot:
        """One status call for every due id; updates the snapshot and the next interval.

        Any failure of the call (not only a BackendError: a library's own exception too) keeps
        the last states, marks them stale and backs off; the poller never stops by itself.
        """
        with self._tick_lock:
            ids = self.due()
            snap = self.snapshot
            snap.ticks += 1
            if ids:
                snap.calls += 1
                try:
                    tasks = self.backend.status(ids)
                except Exception as exc:  # noqa: BLE001 - whatever went wrong, the view goes stale
                    self._failed(ids, exc)
                else:
                    self._absorb(ids, tasks)
            return snap.copy()

    def _failed(self, ids: list[str], exc: Exception) -> None:
        snap = self.snapshot
        if isinstance(exc, PartialStatus):  # what did answer is news, and finished jobs are final
            for task in exc.tasks:
                snap.tasks[task.job_id] = task
            self._mark_final(ids, exc.tasks)
        failures = exc.failures if isinstance(exc, PartialStatus) else [exc]
        snap.stale, snap.error, snap.failure = True, describe_failure(exc), failures[0] if failures else exc
        self.interval = min(self.interval * 2, self.max_interval)

    def _mark_final(self, ids: list[str], tasks: list[TaskState]) -> None:
        for wanted in ids:
            mine = [t for t in tasks if wanted in (t.job_id, t.array_job_id)]
            if mine and all(t.finished for t in mine):
                self._final.add(wanted)

    def _absorb(self, ids: list[str], tasks: list[TaskState]) -> None:
        snap = self.snapshot
        changed = snap.stale or any(
            snap.tasks.get(t.job_id) is None or snap.tasks[t.job_id].state != t.state for t in tasks)
        for task in tasks:
            snap.tasks[task.job_id] = task
        self._mark_final(ids, tasks)
        snap.stale, snap.error, snap.failure = False, "", None
        snap.last_ok, snap.as_of = self.clock(), self.wall()
        unfinished = any(not t.finished for t in tasks)
        # Just after the learner's own submit or cancel a change is coming, and a cancelled array
        # changes task by task: stay quick (a few ticks at most) until the change is whole.
        if self._eager and (not changed or unfinished):
            self.interval, self._eager = MIN_INTERVAL_S, self._eager - 1
        elif changed:
            self.interval, self._eager = self.base, 0
        else:
            self.interval = min(self.interval * 2, self.max_interval)

    def poke(self) -> None:
        """Ask again at once (after a submit or cancel, or `r`), then every 2 s for a few ticks
        until something changes, then at the base interval again."""
        self.interval, self._eager = self.base, EAGER_TICKS
        with self._lock:
            self._final.clear()
