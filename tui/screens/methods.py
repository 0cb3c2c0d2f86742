"""The method race: samplers and a pruner with the same budget, computed in a thread worker."""

from __future__ import annotations

from dataclasses import dataclass

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widgets import ProgressBar, Static

from tui.screens.base import CourseScreen
from tui.sim.race import METHODS, RaceResult
from tui.widgets.curves import CurvePlot, Series

SEEDS = 5
MARKERS = ("·", "+", "x", "o", "*")  # tell the curves apart without colour


@dataclass
class RaceProgress(Message):
    """One (method, seed) run finished."""

    done: int


@dataclass
class RaceDone(Message):
    """The race finished (or failed with `error`)."""

    result: RaceResult | None
    error: str = ""


class MethodsScreen(CourseScreen):
    """`r` reruns with other seeds, `+`/`-` change the budget (trials of 9 epochs each)."""

    QUIZ = "bandits"
    BINDINGS = [
        Binding("r", "rerun", "New seeds"),
        Binding("plus,equals_sign", "budget(10)", "Budget+"),
        Binding("minus", "budget(-10)", "Budget-"),
    ]

    def __init__(self, trials: int = 30, seed0: int = 0) -> None:
        super().__init__()
        self.trials, self.seed0 = trials, seed0
        self.result: RaceResult | None = None

    def compose_body(self) -> ComposeResult:
        yield CurvePlot(id="methods-plot")
        yield ProgressBar(total=len(METHODS) * SEEDS, show_eta=False, id="methods-progress")
        yield Static("", id="methods-numbers")

    def on_mount(self) -> None:
        self.start_race()

    def start_race(self) -> None:
        self.query_one(ProgressBar).update(progress=0)
        self.query_one("#methods-numbers", Static).update(
            f"racing {len(METHODS)} methods x {SEEDS} seeds, {self.trials} trials' budget each ...")
        self._race(self.trials, self.seed0)

    @work(thread=True, exclusive=True, exit_on_error=False)
    def _race(self, trials: int, seed0: int) -> None:
        from textual.worker import get_current_worker

        from tui.sim.race import race

        worker = get_current_worker()
        count = [0]

        def progress(_method: str, _seed: int) -> None:
            count[0] += 1
            self.post_message(RaceProgress(count[0]))

        try:
            result = race(seeds=SEEDS, trials=trials, seed0=seed0, progress=progress,
                          cancelled=lambda: worker.is_cancelled)
        except Exception as exc:  # shown to the learner, never a crash
            self.post_message(RaceDone(None, f"{type(exc).__name__}: {exc}"))
            return
        if not worker.is_cancelled:
            self.post_message(RaceDone(result))

    @on(RaceProgress)
    def _progress(self, event: RaceProgress) -> None:
        self.query_one(ProgressBar).update(progress=event.done)

    @on(RaceDone)
    def _done(self, event: RaceDone) -> None:
        numbers = self.query_one("#methods-numbers", Static)
        if event.result is None:
            numbers.update(f"the race failed: {event.error}")
            return
        self.result = r = event.result
        self.query_one(CurvePlot).show(
            [Series(METHODS[m], r.xs, r.mean[m], marker=MARKERS[i % len(MARKERS)])
             for i, m in enumerate(r.mean)],
            title=f"best loss so far, mean of {SEEDS} seeds", xlabel="epochs spent",
            ylim=(0.25, 0.8))
        parts = [f"{m} {r.final(m):.3f} ({r.trials[m]:.0f})" for m in r.mean]
        numbers.update("final best loss (trials started): " + "  ".join(parts[:2]) + "\n"
                       + "  ".join(parts[2:]))

    def action_rerun(self) -> None:
        self.seed0 += SEEDS
        self.start_race()

    def action_budget(self, delta: int) -> None:
        trials = min(100, max(10, self.trials + delta))
        if trials == self.trials:
            self.app.bell()
            return
        self.trials = trials
        self.start_race()
