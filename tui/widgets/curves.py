"""A line/scatter plot of a few named series (used by the Bayes, grid-random and race views).

plotext builds a plot's text when the widget renders, on the UI thread: 120 learning curves of
100 epochs took 0.2-0.3 s there, at every live update. A screen can build that text in its
worker instead (`build_plot`, with the widget's `build_spec()`) and hand it over
(`show_built`); the widget draws the series itself only if its size or theme changed since.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual_plotext import PlotextPlot
from textual_plotext.plot import Plot

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


@dataclass(frozen=True)
class Built:
    """A plot's text, built for one size and theme."""

    size: tuple[int, int]
    theme: str
    text: Text


def _apply(plt, series: list[Series], title: str = "", xlabel: str = "", ylabel: str = "",
           xlim: tuple[float, float] | None = None, ylim: tuple[float, float] | None = None,
           xticks: tuple[list[float], list[str]] | None = None) -> None:
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


def build_plot(spec: tuple[tuple[int, int], str], series: list[Series], **options: Any) -> Built:
    """The text CurvePlot would render for `series` at `spec` (its `build_spec()`); safe in a worker thread."""
    (width, height), theme = spec
    plt = Plot()  # its own figure: never the module-level plotext canvas, never the widget's
    _apply(plt, series, **options)
    plt.plotsize(width, height)
    plt._set_size(width, height)  # as PlotextPlot.render does (textual-plotext issue 5)
    plt.theme(theme)
    return Built((width, height), theme, Text.from_ansi(plt.build()))


class CurvePlot(PlotextPlot):
    """Draws a list of `Series`; call `show(series, title=..., xlabel=...)` to redraw."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._built: Built | None = None
        self._pending: tuple[list[Series], dict[str, Any]] | None = None  # drawn here if _built does not fit
        self._spec: tuple[tuple[int, int], str] | None = None

    def show(self, series: list[Series], title: str = "", xlabel: str = "", ylabel: str = "",
             xlim: tuple[float, float] | None = None, ylim: tuple[float, float] | None = None,
             xticks: tuple[list[float], list[str]] | None = None) -> None:
        self._built, self._pending = None, None
        _apply(self.plt, series, title=title, xlabel=xlabel, ylabel=ylabel, xlim=xlim, ylim=ylim, xticks=xticks)
        self.refresh()

    def build_spec(self) -> tuple[tuple[int, int], str] | None:
        """(size, plotext theme) of the last render, to build for in a worker; None before the first render.

        Recorded at render time, on the UI thread: a worker thread cannot ask the app for its theme.
        """
        return self._spec

    def _current_spec(self) -> tuple[tuple[int, int], str]:
        return (self.size.width, self.size.height), self._get_plotext_theme_name(self.app.theme)

    def show_built(self, built: Built, series: list[Series], **options: Any) -> None:
        """Show text from `build_plot`; `series` and `options` are drawn here instead if it no longer fits."""
        self._built, self._pending = built, (series, options)
        self.refresh()

    @property
    def has_data(self) -> bool:
        """Whether a series is shown (built elsewhere or drawn here)."""
        if self._pending is not None:
            return bool(self._pending[0])
        return bool(self.plt._active.monitor.x)

    def render(self):
        built, spec = self._built, self._current_spec()
        self._spec = spec if spec[0][0] and spec[0][1] else None
        if built is not None:
            if spec == (built.size, built.theme):
                return built.text
            series, options = self._pending
            self._built, self._pending = None, None
            _apply(self.plt, series, **options)  # resized or another theme: draw it here once
        return super().render()
