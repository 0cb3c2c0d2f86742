"""A Gantt chart of a simulated (or measured) schedule: one row per lane, one bar per activity."""

from __future__ import annotations

from textual_plotext import PlotextPlot

from tui.sim.gantt_text import TEXT_MARKS
from tui.sim.overhead import Schedule

# character and colour per kind: the characters alone tell the kinds apart (NO_COLOR, print)
COLORS = {"queue": "gray", "prepare": "orange", "import": "yellow", "load": "magenta",
          "trial": "green", "idle": "red"}
STYLE = {kind: (TEXT_MARKS[kind], COLORS[kind]) for kind in TEXT_MARKS}


def legend() -> str:
    """One line that explains the characters."""
    return "  ".join(f"{STYLE[k][0]} {k}" for k in STYLE)


class GanttPlot(PlotextPlot):
    """Draws a `Schedule`'s bars; call `show(schedule, title)` to redraw."""

    def show(self, schedule: Schedule, title: str = "") -> None:
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        trials = 0
        for bar in schedule.bars:
            marker, color = STYLE.get(bar.kind, ("?", "white"))
            if bar.kind == "trial":
                trials += 1
                color = color if trials % 2 else "cyan"  # neighbouring trials stay apart
            plt.plot([bar.start, bar.end], [bar.lane + 1, bar.lane + 1], marker=marker, color=color)
        lanes = max(schedule.lanes, 1)
        step = 1 if lanes <= 8 else lanes // 8
        ticks = list(range(1, lanes + 1, step))
        plt.yticks(ticks, [f"w{t}" for t in ticks])
        plt.ylim(0.5, lanes + 0.5)
        plt.xlim(0, max(schedule.makespan, 1.0))
        plt.xlabel("minutes")
        plt.title(title)
        self.refresh()
