"""The overhead simulator: Gantt charts of the queue scenarios, parameters changed by keyboard."""

from __future__ import annotations

from dataclasses import replace

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import Static

from tui.screens.base import CourseScreen
from tui.sim.overhead import MODES, SCENARIOS, QueueParams, Schedule, scenario, simulate
from tui.widgets.gantt import GanttPlot, legend
from tui.widgets.param_panel import Param, ParamPanel

# (field, label, step, low, high): what the panel lets the learner change, in minutes
FIELDS = [
    ("queue_wait", "queue wait", 5, 0, 600),
    ("prepare", "prepare node", 1, 0, 60),
    ("imports", "imports", 1, 0, 60),
    ("load", "load model", 1, 0, 120),
    ("trial", "trial time", 1, 1, 240),
    ("variability", "trial spread", 0.1, 0, 0.9),
    ("workers", "workers", 1, 1, 32),
    ("trials", "trials (N)", 1, 1, 200),
    ("trials_per_job", "trials/job", 1, 0, 50),
]


def panel_params(p: QueueParams) -> list[Param]:
    return [Param(f, label, float(getattr(p, f)), step, low, high,
                  fmt="{:.0f}" if f != "variability" else "{:.1f}",
                  zero="all" if f == "trials_per_job" else "")
            for f, label, step, low, high in FIELDS]


def summary(s: Schedule) -> str:
    """The figures the lesson talks about, in two short lines (they fit 80 columns)."""
    p = s.params
    plural = lambda n, word: f"{n} {word}{'' if n == 1 else 's'}"  # noqa: E731
    if p.wide:
        how = "one wide job"
    elif p.trials_per_job == 0:
        how = f"{plural(s.jobs, 'long job')}"
    else:
        how = f"{plural(s.jobs, 'job')} of {plural(p.trials_per_job, 'trial')}"
    return (f"utilisation {s.utilisation:5.1%}   time to {p.trials} trials {s.time_to_n:.1f} min\n"
            f"{p.mode} on {plural(s.lanes, 'GPU')}, {how}; held {s.held:.0f} GPU-min, "
            f"trained {s.total('trial'):.0f}")


class OverheadScreen(CourseScreen):
    """`s` next scenario, `m` mode, `w` wide job, `o` own run; the panel changes the numbers."""

    QUIZ = "queue"
    BINDINGS = [
        Binding("s", "scenario", "Scenario"),
        Binding("m", "mode", "Mode"),
        Binding("w", "wide", "Wide"),
        Binding("o", "own_run", "My run"),
    ]

    def __init__(self, name: str = "short-small") -> None:
        super().__init__()
        self.scenario_name = name
        self.title_text, self.params = scenario(name)
        self.schedule = simulate(self.params)

    @classmethod
    def from_arg(cls, arg: str | None) -> "OverheadScreen":
        """`export overhead:NAME` picks a scenario (KeyError names the valid ones)."""
        return cls(arg or "short-small")

    def compose_body(self) -> ComposeResult:
        with Horizontal(id="overhead-body"):
            yield ParamPanel(panel_params(self.params), id="overhead-params")
            yield GanttPlot(id="overhead-gantt")
        yield Static(legend(), id="overhead-legend")
        yield Static(id="overhead-numbers")

    def on_mount(self) -> None:
        self.query_one(ParamPanel).focus()
        self._redraw()

    def _redraw(self) -> None:
        self.schedule = simulate(self.params)
        self.query_one(GanttPlot).show(self.schedule, self.title_text)
        self.query_one("#overhead-numbers", Static).update(summary(self.schedule))

    def _set(self, title: str, params: QueueParams) -> None:
        self.title_text, self.params = title, params
        self.query_one(ParamPanel).set_params(panel_params(params))
        self._redraw()

    @on(ParamPanel.Changed)
    def _changed(self, event: ParamPanel.Changed) -> None:
        # the panel holds floats; integer fields (workers, trials) stay integers
        values = {k: type(getattr(self.params, k))(v) for k, v in event.values.items()}
        self.params = replace(self.params, **values)
        self.title_text = f"custom: {self.params.mode}"
        self._redraw()

    def action_scenario(self) -> None:
        names = list(SCENARIOS)
        self.scenario_name = names[(names.index(self.scenario_name) + 1) % len(names)] \
            if self.scenario_name in names else names[0]
        self._set(*scenario(self.scenario_name))

    def action_mode(self) -> None:
        mode = MODES[(MODES.index(self.params.mode) + 1) % len(MODES)]
        self._set(f"custom: {mode}", replace(self.params, mode=mode))

    def action_wide(self) -> None:
        wide = not self.params.wide
        self._set(f"custom: {'one wide job' if wide else 'separate jobs'}", replace(self.params, wide=wide))

    def action_own_run(self) -> None:
        from tui.sim.own_runs import latest_run, run_schedule

        run = latest_run(self.app.settings.workspace)
        if run is None:
            self.notify("No run with trials in the workspace yet: run an exercise first.")
            return
        own = run_schedule(run)
        self.query_one(GanttPlot).show(own, f"your run {run.name} (trials only)")
        span = own.time_to_n
        self.query_one("#overhead-numbers", Static).update(
            f"{len(own.bars)} trials on {own.lanes} lane(s) in {span:.1f} min; "
            f"busy {own.total('trial') / max(span * own.lanes, 1e-9):.0%} of lane time\n"
            "(overheads and queue waits are not in the trial files; press s to go back)")
