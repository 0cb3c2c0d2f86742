"""A line/scatter plot of a few named series (used by the Bayes, grid-random and race views)."""

from __future__ import annotations

from dataclasses import dataclass

from textual_plotext import PlotextPlot

COLORS = ("cyan", "orange", "green", "magenta", "red", "yellow", "blue")


@dataclass(frozen=True)
class Series:
    """One series: points joined by lines, or scattered when `scatter` is set."""

    label: str
    xs: list[float]
    ys: list[float]
    marker: str = "braille"
    scatter: bool = False
    color: str = ""  # default: by position in the list


class CurvePlot(PlotextPlot):
    """Draws a list of `Series`; call `show(series, title=..., xlabel=...)` to redraw."""

    def show(self, series: list[Series], title: str = "", xlabel: str = "", ylabel: str = "",
             xlim: tuple[float, float] | None = None, ylim: tuple[float, float] | None = None,
             xticks: tuple[list[float], list[str]] | None = None) -> None:
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        for i, s in enumerate(series):
            draw = plt.scatter if s.scatter else plt.plot
            draw(s.xs, s.ys, marker=s.marker, color=s.color or COLORS[i % len(COLORS)], label=s.label or None)
        if xlim:
            plt.xlim(*xlim)
        if ylim:
            plt.ylim(*ylim)
        if xticks:
            plt.xticks(*xticks)
        plt.title(title)
        plt.xlabel(xlabel)
        plt.ylabel(ylabel)
        self.refresh()
