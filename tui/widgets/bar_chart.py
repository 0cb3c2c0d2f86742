"""Horizontal bars of named values (parameter importances), the largest on top.

Each bar is a one-row line at a whole y, so the names (y ticks) sit exactly beside their
bars; plotext's own horizontal `bar()` puts its bars between the tick labels.
"""

from __future__ import annotations

from textual_plotext import PlotextPlot


class BarPlot(PlotextPlot):
    """Call `show(values, title)`; the value is printed beside each name."""

    def show(self, values: dict[str, float], title: str = "", xlabel: str = "") -> None:
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        if values:
            items = sorted(values.items(), key=lambda kv: kv[1])  # y = 1 is the bottom row
            for y, (_, value) in enumerate(items, start=1):
                plt.plot([0.0, max(value, 0.0)], [y, y], marker="█", color="cyan")
            plt.yticks(list(range(1, len(items) + 1)), [f"{k} {v:.2f}" for k, v in items])
            plt.ylim(0.5, len(items) + 0.5)
            top = max(max(v for _, v in items), 1e-9)
            ticks = [top * i / 4 for i in range(5)]
            plt.xticks(ticks, [f"{t:.2f}" for t in ticks])
            plt.xlim(0.0, top)
        plt.title(title)
        plt.xlabel(xlabel)
        self.refresh()
