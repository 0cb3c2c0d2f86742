"""One poller for the whole app: one status call per tick for every watched job.

The next tick is armed only after the previous one finished, so calls never overlap. The
interval starts at the settings' value (default 10 s, never under 2 s), doubles up to 60 s while
nothing changes and drops back on a change. After a `poke()` (the learner's own submit or
cancel) it ticks at once, then every 2 s for a few ticks until the change shows. It sleeps
while nobody watches or every watched job has finished. When the scheduler does not answer,
the last known states are kept and marked stale, and it backs off.
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


@dataclass
class Snapshot:
    """What the poller knows after a tick."""

    tasks: dict[str, TaskState] = field(default_factory=dict)  # task id -> state
    stale: bool = False  # the last call failed; `tasks` are the last known states
    error: str = ""
    failure: BackendError | None = None  # the last call's error (e.g. an UnknownHostKey to ask about)
    ticks: int = 0
    calls: int = 0  # status calls made (ticks with nothing to ask make none)
    last_ok: float = 0.0


class Poller:
    """Polls a Backend for the jobs that owners (screens, the CLI) watch."""

    def __init__(self, backend, interval: float = 10.0, max_interval: float = MAX_INTERVAL_S,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.backend = backend
        self.base = max(float(interval), MIN_INTERVAL_S)
        self.max_interval = max(max_interval, self.base)
        self.interval = self.base
        self._eager = 0
        self.clock = clock
        self.snapshot = Snapshot()
        self._owners: dict[object, list[str]] = {}
        self._final: set[str] = set()  # watched ids whose every task has finished
        self._listeners: list[Callable[[Snapshot], None]] = []
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # -- who watches what ------------------------------------------------------------------
    def watch(self, owner: object, job_ids: list[str]) -> None:
        """Watch `job_ids` for `owner` (replacing what it watched before) and tick soon."""
        with self._lock:
            self._owners[owner] = list(job_ids)
            self._final.clear()
        self.interval = self.base
        self._wake.set()

    def unwatch(self, owner: object) -> None:
        with self._lock:
            self._owners.pop(owner, None)

    def watched(self) -> list[str]:
        with self._lock:
            ids = [i for ids in self._owners.values() for i in ids]
        return list(dict.fromkeys(ids))

    def subscribe(self, listener: Callable[[Snapshot], None]) -> None:
        """Call `listener(snapshot)` after every tick (from the poller's thread)."""
        self._listeners.append(listener)

    # -- one tick --------------------------------------------------------------------------
    def due(self) -> list[str]:
        """The ids the next tick asks about: watched and not finished."""
        return [i for i in self.watched() if i not in self._final]

    def tick(self) -> Snapshot:
        """One status call for every due id; updates the snapshot and the next interval."""
        ids = self.due()
        snap = self.snapshot
        snap.ticks += 1
        if ids:
            snap.calls += 1
            try:
                tasks = self.backend.status(ids)
            except BackendError as exc:
                snap.stale, snap.error, snap.failure = True, str(exc), exc
                self.interval = min(self.interval * 2, self.max_interval)
            else:
                self._absorb(ids, tasks)
        for listener in list(self._listeners):
            listener(snap)
        return snap

    def _absorb(self, ids: list[str], tasks: list[TaskState]) -> None:
        snap = self.snapshot
        changed = snap.stale or any(
            snap.tasks.get(t.job_id) is None or snap.tasks[t.job_id].state != t.state for t in tasks)
        for task in tasks:
            snap.tasks[task.job_id] = task
        for wanted in ids:
            mine = [t for t in tasks if wanted in (t.job_id, t.array_job_id)]
            if mine and all(t.finished for t in mine):
                self._final.add(wanted)
        snap.stale, snap.error, snap.failure, snap.last_ok = False, "", None, self.clock()
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
        """Tick now (after a submit or cancel), then poll every 2 s for a few ticks until
        something changes, then at the base interval again."""
        self.interval, self._eager = self.base, EAGER_TICKS
        with self._lock:
            self._final.clear()
        self._wake.set()

    # -- the background loop ---------------------------------------------------------------
    def start(self) -> None:
        """Run ticks in a daemon thread until `stop()`."""
        if self._thread and self._thread.is_alive():
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name="hptune-poller", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread:
            self._thread.join(timeout)

    def _loop(self) -> None:
        while not self._stop.is_set():
            self._wake.clear()
            if not self.due():  # nobody watches anything unfinished: sleep until watch()/poke()
                self._wake.wait()
                continue
            self.tick()
            self._wake.wait(self.interval)
