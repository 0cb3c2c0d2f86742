"""A histogram plot that also handles log axes (log10 bins on a linear axis, powers-of-ten ticks)."""

from __future__ import annotations

from textual_plotext import PlotextPlot

from tui.sim.priors import Histogram, power_ticks


class HistogramPlot(PlotextPlot):
    """Bars of a `Histogram`, optionally with a learner's own samples laid over them."""

    def show(self, hist: Histogram, title: str = "", overlay: Histogram | None = None) -> None:
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        width = (hist.edges[1] - hist.edges[0]) if len(hist.edges) > 1 else 1.0
        plt.bar(hist.centres, hist.counts, width=0.8, marker="█", color="cyan")
        if overlay is not None and any(overlay.counts):
            # scale the learner's samples to the same height so that shapes compare
            scale = max(hist.counts or [1]) / max(overlay.counts)
            points = [(x, c * scale) for x, c in zip(overlay.centres, overlay.counts) if c]
            plt.scatter([p[0] for p in points], [p[1] for p in points], marker="*", color="red")
        lo, hi = hist.edges[0], hist.edges[-1]
        if hist.log:
            ticks, labels = power_ticks(lo, hi)
        else:  # explicit ticks: plotext's own pick long floats like 0.04250575000000001
            ticks = [lo + (hi - lo) * i / 4 for i in range(5)]
            labels = [f"{t:.3g}" for t in ticks]
        plt.xticks(ticks, labels)
        plt.xlim(lo - width / 2, hi + width / 2)
        plt.title(title)
        self.refresh()

    def show_categories(self, names: tuple[str, ...], counts: list[int], title: str = "") -> None:
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        plt.bar(list(names), counts, width=0.5, marker="█", color="cyan")
        plt.title(title)
        self.refresh()
