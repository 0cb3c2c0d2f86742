"""A Gantt model of a hyperparameter search on a batch queue.

Times are in minutes. A *lane* is one GPU (or node) that a job holds. Every job waits in the
queue, then pays its overheads once (node preparation, Python imports, loading the model and
data) and then runs trials. Utilisation is the time spent training divided by the time the
jobs held their resources (the queue wait is not held, so it is not counted, but it does
delay the time to N finished trials).

Three evaluation modes:
  sequential  one job at a time; the next job is submitted when the last one ended.
  batch       rounds of `workers` trials; a round starts when the slowest trial of the last
              round has finished (an optimiser that proposes a batch after seeing all results).
  async       `workers` lanes, each takes the next trial as soon as it is free.
"""

from __future__ import annotations

import heapq
import random
from dataclasses import dataclass, field, replace

KINDS = ("queue", "prepare", "import", "load", "trial", "idle")


@dataclass(frozen=True)
class Bar:
    """One bar of the Gantt chart: what a lane did from `start` to `end` (minutes)."""

    lane: int
    start: float
    end: float
    kind: str


@dataclass(frozen=True)
class QueueParams:
    """The parameters of a schedule (all times in minutes).

    `trials_per_job` = 0 means a job keeps running trials until the study is done.
    `wide` = True puts all lanes into one job: they start together and are held (idle if
    needed) until the last trial has finished.
    """

    mode: str = "async"
    workers: int = 4
    trials: int = 16
    trial: float = 10.0
    variability: float = 0.3
    prepare: float = 2.0
    imports: float = 1.0
    load: float = 5.0
    queue_wait: float = 5.0
    trials_per_job: int = 1
    wide: bool = False
    seed: int = 0

    @property
    def overhead(self) -> float:
        return self.prepare + self.imports + self.load

    def validate(self) -> None:
        """Raise ValueError with a clear message for impossible parameters."""
        if self.mode not in MODES:
            raise ValueError(f"mode must be one of {', '.join(MODES)}, not {self.mode!r}")
        if self.workers < 1 or self.trials < 1:
            raise ValueError("workers and trials must be at least 1")
        if self.trial <= 0:
            raise ValueError("the trial time must be positive")
        if min(self.prepare, self.imports, self.load, self.queue_wait) < 0:
            raise ValueError("overheads and the queue wait cannot be negative")
        if not 0 <= self.variability < 1:
            raise ValueError("variability must be in [0, 1)")
        if self.trials_per_job < 0:
            raise ValueError("trials_per_job must be 0 (unlimited) or more")


MODES = ("sequential", "batch", "async")


@dataclass
class Schedule:
    """A simulated schedule: its bars and the figures the lesson prints."""

    params: QueueParams
    bars: list[Bar] = field(default_factory=list)
    lanes: int = 1
    jobs: int = 0

    def total(self, kind: str) -> float:
        return sum(b.end - b.start for b in self.bars if b.kind == kind)

    @property
    def held(self) -> float:
        """Lane-minutes the jobs held (everything except the queue wait)."""
        return sum(b.end - b.start for b in self.bars if b.kind != "queue")

    @property
    def utilisation(self) -> float:
        return self.total("trial") / self.held if self.held else 0.0

    @property
    def time_to_n(self) -> float:
        """Minutes from the first submission until the last trial has finished."""
        return max((b.end for b in self.bars if b.kind == "trial"), default=0.0)

    @property
    def makespan(self) -> float:
        return max((b.end for b in self.bars), default=0.0)


def trial_durations(p: QueueParams) -> list[float]:
    """Trial times that vary by +-variability around `p.trial` (seeded, so repeatable)."""
    rng = random.Random(p.seed)
    return [p.trial * (1 + p.variability * rng.uniform(-1, 1)) for _ in range(p.trials)]


class _Lanes:
    """Lane bookkeeping: when each lane is free and how many trials its current job has left."""

    def __init__(self, p: QueueParams, n: int) -> None:
        self.p, self.free = p, [0.0] * n
        self.left: list[int | None] = [None] * n  # None: no job holds this lane now
        self.bars: list[Bar] = []
        self.jobs = 0

    def add(self, lane: int, length: float, kind: str) -> None:
        start = self.free[lane]
        if length > 0:
            self.bars.append(Bar(lane, start, start + length, kind))
        self.free[lane] = start + length

    def ensure_job(self, lane: int) -> None:
        """Start a new job on `lane` if none holds it: queue, then the overheads."""
        if self.left[lane] is not None:
            return
        self.jobs += 1
        for kind, length in (("queue", self.p.queue_wait), ("prepare", self.p.prepare),
                             ("import", self.p.imports), ("load", self.p.load)):
            self.add(lane, length, kind)
        self.left[lane] = self.p.trials_per_job or -1  # -1: unlimited

    def run_trial(self, lane: int, length: float) -> None:
        self.ensure_job(lane)
        self.add(lane, length, "trial")
        self.left[lane] -= 1
        if self.left[lane] == 0:
            self.left[lane] = None  # the job ends with its last trial

    def idle_until(self, lane: int, t: float) -> None:
        """Wait until `t`: held (idle) if a job holds the lane, else just time passing."""
        if t > self.free[lane]:
            if self.left[lane] is not None:
                self.add(lane, t - self.free[lane], "idle")
            self.free[lane] = t


def _sequential(p: QueueParams, durations: list[float]) -> _Lanes:
    lanes = _Lanes(p, 1)
    for length in durations:
        lanes.run_trial(0, length)
    return lanes


def _async(p: QueueParams, durations: list[float]) -> _Lanes:
    lanes = _Lanes(p, min(p.workers, len(durations)))
    heap = [(0.0, lane) for lane in range(len(lanes.free))]
    for length in durations:
        # the lane whose job becomes ready first (ties: lowest lane) takes the next trial
        _, lane = heapq.heappop(heap)
        lanes.run_trial(lane, length)
        heapq.heappush(heap, (lanes.free[lane], lane))
    return lanes


def _batch(p: QueueParams, durations: list[float]) -> _Lanes:
    lanes = _Lanes(p, min(p.workers, len(durations)))
    start = 0.0
    for first in range(0, len(durations), p.workers):
        batch = durations[first:first + p.workers]
        for lane, length in enumerate(batch):
            lanes.idle_until(lane, start)
            lanes.run_trial(lane, length)
        start = max(lanes.free[:len(batch)])
    return lanes


def _hold_wide(lanes: _Lanes) -> None:
    """One wide job holds every lane until its last trial has ended."""
    end = max(lanes.free)
    for lane in range(len(lanes.free)):
        lanes.idle_until(lane, end)
    lanes.jobs = 1


def simulate(p: QueueParams) -> Schedule:
    """Simulate the schedule of `p` and return its bars and figures."""
    p.validate()
    if p.wide:
        p = replace(p, trials_per_job=0)  # a wide job is one job for the whole study
    durations = trial_durations(p)
    lanes = {"sequential": _sequential, "batch": _batch, "async": _async}[p.mode](p, durations)
    if p.wide:
        _hold_wide(lanes)
    bars = sorted(lanes.bars, key=lambda b: (b.lane, b.start))
    return Schedule(p, bars, len(lanes.free), lanes.jobs)


# The named scenarios of the outline (its slides have an empty place for each Gantt chart).
SCENARIOS: dict[str, tuple[str, QueueParams]] = {
    "short-small": ("Short and small: one trial per 1-GPU job",
                    QueueParams(mode="async", workers=4, trials=16, trial=6, queue_wait=2,
                                trials_per_job=1)),
    "medium": ("Medium length: four trials per 1-GPU job",
               QueueParams(mode="async", workers=4, trials=16, trial=6, queue_wait=10,
                           trials_per_job=4)),
    "big-wide": ("Big and wide: one 8-GPU job for the whole study",
                 QueueParams(mode="async", workers=8, trials=16, trial=6, queue_wait=45,
                             trials_per_job=0, wide=True)),
    "sequential": ("Sequential evaluation: one job at a time",
                   QueueParams(mode="sequential", workers=1, trials=6, trial=10, queue_wait=5,
                               trials_per_job=1)),
    "batch": ("Batch evaluation: rounds of 4, wait for the slowest",
              QueueParams(mode="batch", workers=4, trials=16, trial=10, variability=0.5,
                          queue_wait=5, trials_per_job=0)),
    "async": ("Asynchronous workers: 4 workers take the next trial at once",
              QueueParams(mode="async", workers=4, trials=16, trial=10, variability=0.5,
                          queue_wait=5, trials_per_job=0)),
}


def scenario(name: str) -> tuple[str, QueueParams]:
    """Return (title, params) of a named scenario; KeyError names the valid ones."""
    try:
        return SCENARIOS[name]
    except KeyError:
        raise KeyError(f"unknown scenario {name!r}; valid: {', '.join(SCENARIOS)}") from None

