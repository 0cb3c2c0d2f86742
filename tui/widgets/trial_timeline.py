"""A timeline of a study's trials: one row per worker, one bar per trial, characters by state.

Asynchronous workers show as rows whose bars do not line up: no worker waits for another.
Characters alone tell the states apart (NO_COLOR, print); colours repeat them.
"""

from __future__ import annotations

from textual_plotext import PlotextPlot

# state -> (marker, colour); complete trials alternate two characters so neighbours stay apart
STYLE = {"complete": ("█", "green"), "pruned": ("-", "orange"), "fail": ("x", "red"),
         "running": (">", "cyan"), "waiting": (".", "gray")}
# neighbouring trials of one state on one row alternate with these, so that they stay apart
ALTERNATE = {"complete": ("▓", "blue"), "pruned": ("=", "yellow")}
MAX_LABEL = 10


def legend() -> str:
    """One line that explains the characters."""
    return "█▓ complete  -= pruned  x failed  > running"


def time_unit(span_s: float) -> tuple[float, str]:
    """Seconds for short studies, minutes or hours for longer ones: (divisor, axis label)."""
    if span_s >= 2 * 3600:
        return 3600.0, "hours since the first trial started"
    if span_s >= 300:
        return 60.0, "minutes since the first trial started"
    return 1.0, "seconds since the first trial started"


class TrialTimeline(PlotextPlot):
    """Call `show(bars, title)` with (worker, trial number, start s, end s, state) tuples."""

    def show(self, bars: list[tuple[str, int, float, float, str]], title: str = "") -> None:
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        lanes = sorted({b[0] for b in bars}, key=lambda w: (len(w), w))  # "42_10" after "42_9"
        span = max((b[3] for b in bars), default=0.0)
        unit, xlabel = time_unit(span)
        previous: dict[str, tuple[str, str]] = {}
        for worker, _number, start, end, state in bars:
            style = STYLE.get(state, ("?", "white"))
            if previous.get(worker) == style and state in ALTERNATE:
                style = ALTERNATE[state]
            previous[worker] = style
            marker, color = style
            y = lanes.index(worker) + 1
            plt.plot([start / unit, end / unit], [y, y], marker=marker, color=color)
        n = max(len(lanes), 1)
        step = 1 if n <= 8 else n // 8
        ticks = list(range(1, n + 1, step))
        plt.yticks(ticks, [lanes[t - 1][-MAX_LABEL:] for t in ticks if t - 1 < len(lanes)] if lanes else ["-"])
        plt.ylim(0.5, n + 0.5)
        plt.xlim(0, max(span / unit, 1e-9) * 1.02 if span else 1.0)
        plt.xlabel(xlabel)
        plt.title(title)
        self.refresh()
