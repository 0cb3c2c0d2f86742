"""A heat map of the objective over two parameters (the study screen's contour).

Each cell of a fine grid takes the value of the nearest trial (axes scaled to [0, 1], so a
log axis counts decades), then the cells are shaded in four bands by value: a terminal's
answer to Optuna's interpolated contour. Trials sit on top as `o`, the best one as `@`.
Characters carry the bands, so it reads with NO_COLOR too.
"""

from __future__ import annotations

from textual_plotext import PlotextPlot

SHADES = (("·", "gray"), ("░", "blue"), ("▒", "cyan"), ("█", "green"))  # worst band .. best band
GRID = (60, 18)  # cells across and down: about one per character at 80x24


def bands(values: list[float], maximize: bool = True) -> list[float]:
    """The three cut points (quartiles) between the four bands, worst to best."""
    ordered = sorted(values, reverse=not maximize)
    if not ordered:
        return []
    return [ordered[min(len(ordered) - 1, len(ordered) * q // 4)] for q in (1, 2, 3)]


def band_of(value: float, cuts: list[float], maximize: bool = True) -> int:
    """0 (worst quarter) .. 3 (best quarter)."""
    return sum((value >= c) if maximize else (value <= c) for c in cuts)


def legend(cuts: list[float], maximize: bool = True) -> str:
    """One line: what each shade means, best last."""
    if not cuts:
        return ""
    op, worse = ("≥", "<") if maximize else ("≤", ">")
    parts = [f"{SHADES[0][0]}{worse}{cuts[0]:.3g}", *(f"{SHADES[i + 1][0]}{op}{c:.3g}" for i, c in enumerate(cuts))]
    return " ".join(parts) + " o trial @ best"


def nearest_grid(points: list[tuple[float, float, float]], xlim: tuple[float, float],
                 ylim: tuple[float, float], grid: tuple[int, int] = GRID) -> list[tuple[float, float, float]]:
    """(x, y, value of the nearest point) at every cell centre of the grid, column by column."""
    import numpy as np  # a distance matrix: pure Python took 0.5 s for 1000 trials on the UI thread

    (x0, x1), (y0, y1) = xlim, ylim
    sx, sy = (x1 - x0) or 1.0, (y1 - y0) or 1.0
    xs = x0 + (np.arange(grid[0]) + 0.5) * sx / grid[0]
    ys = y0 + (np.arange(grid[1]) + 0.5) * sy / grid[1]
    cx, cy = (a.ravel() for a in np.meshgrid(xs, ys, indexing="ij"))
    px, py, pv = (np.asarray(c, dtype=float) for c in zip(*points))
    d = ((cx[:, None] - px[None, :]) / sx) ** 2 + ((cy[:, None] - py[None, :]) / sy) ** 2
    near = pv[np.argmin(d, axis=1)]
    return list(zip(cx.tolist(), cy.tolist(), near.tolist()))


class HeatmapPlot(PlotextPlot):
    """Call `show(points, xaxis, yaxis, ...)` with points already on the axes' scale (log10, index)."""

    def show(self, points: list[tuple[float, float, float]], xaxis, yaxis, maximize: bool = True,
             title: str = "", xlabel: str = "", ylabel: str = "") -> list[float]:
        """Draw; `xaxis`/`yaxis` are (limits, (ticks, labels)). Returns the band cut points."""
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        (xlim, xticks), (ylim, yticks) = xaxis, yaxis
        cuts = bands([p[2] for p in points], maximize)
        if points:
            width, height = self.size
            # at least one cell per character of the plot area (it is narrower than the widget)
            grid = (max(20, width), max(6, height)) if width and height else GRID
            cells = nearest_grid(points, xlim, ylim, grid)
            for level, (marker, color) in enumerate(SHADES):
                inside = [c for c in cells if band_of(c[2], cuts, maximize) == level]
                if inside:
                    plt.scatter([c[0] for c in inside], [c[1] for c in inside], marker=marker, color=color)
            best = (max if maximize else min)(points, key=lambda p: p[2])
            others = [p for p in points if p is not best]
            plt.scatter([p[0] for p in others], [p[1] for p in others], marker="o", color="white")
            plt.scatter([best[0]], [best[1]], marker="@", color="orange")
        plt.xlim(*xlim)
        plt.ylim(*ylim)
        plt.xticks(*xticks)
        plt.yticks(*yticks)
        plt.title(title)
        plt.xlabel(xlabel)
        plt.ylabel(ylabel)
        self.refresh()
        return cuts
