"""A schedule drawn as plain text, for the lesson steps and for slides (no plotting library)."""

from __future__ import annotations

from tui.sim.overhead import Schedule, scenario, simulate


TEXT_MARKS = {"queue": "·", "prepare": "░", "import": "▒", "load": "▓", "trial": "█", "idle": "-"}


def text_gantt(schedule: Schedule, width: int = 40) -> str:
    """The schedule as plain text, one line per lane (for lessons and slides).

    Each column covers makespan/width minutes and shows the activity at its midpoint;
    neighbouring trials alternate between █ and ▇ so that they stay apart.
    """
    span = schedule.makespan or 1.0
    lines = []
    for lane in range(schedule.lanes):
        bars = [b for b in schedule.bars if b.lane == lane]
        trial_no = {id(b): i for i, b in enumerate(b for b in bars if b.kind == "trial")}
        row = []
        for col in range(width):
            t = (col + 0.5) * span / width
            bar = next((b for b in bars if b.start <= t < b.end), None)
            mark = " " if bar is None else TEXT_MARKS[bar.kind]
            if bar is not None and bar.kind == "trial" and trial_no[id(bar)] % 2:
                mark = "▇"
            row.append(mark)
        lines.append(f"w{lane + 1:<2}" + "".join(row))
    lines.append(f"t  0{'minutes':^{width - 8}}{span:>5.0f}")
    return "\n".join(lines)


def scenario_figure(name: str, width: int = 40) -> str:
    """A named scenario as text: its Gantt lines and its two figures (the lessons embed these)."""
    _, params = scenario(name)
    s = simulate(params)
    return (text_gantt(s, width) + "\n"
            f"utilisation {s.utilisation:.0%}, {params.trials} trials in {s.time_to_n:.0f} min")
