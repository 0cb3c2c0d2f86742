"""Grid against random search: the same 9 trials, their projections, and the best over seeds."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import Static

from tui.screens.base import CourseScreen
from tui.sim.grid_random import best_of, compare, distinct, grid_points, objective_for_seed, random_points
from tui.widgets.curves import CurvePlot, Series

PANELS = ("x projection", "y projection", "best over seeds")
SEEDS = 200


class GridRandomScreen(CourseScreen):
    """`n` new objective and points, `p` switches the right-hand panel."""

    QUIZ = "grid-random"
    BINDINGS = [
        Binding("n", "new_seed", "New draw"),
        Binding("p", "panel", "Panel"),
    ]

    def __init__(self, seed: int = 0, panel: int = 0) -> None:
        super().__init__()
        self.seed, self.panel = seed, panel
        self.comparison = compare(SEEDS)

    @classmethod
    def from_arg(cls, arg: str | None) -> "GridRandomScreen":
        """`export grid-random:PANEL` with PANEL 0, 1 or 2."""
        if arg and arg not in ("0", "1", "2"):
            raise KeyError(f"grid-random takes a panel number 0-2 ({', '.join(PANELS)}), not {arg!r}")
        return cls(panel=int(arg or 0))

    def compose_body(self) -> ComposeResult:
        with Horizontal(id="gr-body"):
            yield CurvePlot(id="gr-points")
            yield CurvePlot(id="gr-panel")
        yield Static(id="gr-numbers")

    def on_mount(self) -> None:
        self._redraw()

    def _redraw(self) -> None:
        f = objective_for_seed(self.seed)
        grid, rand = grid_points(3), random_points(9, self.seed)
        self.query_one("#gr-points", CurvePlot).show([
            Series("grid", [x for x, _ in grid], [y for _, y in grid], marker="x", scatter=True, color="orange"),
            Series("random", [x for x, _ in rand], [y for _, y in rand], marker="o", scatter=True, color="green"),
            Series("peak", [f.x_peak, f.x_peak], [0, 1], marker="."),
        ], title="9 trials each", xlabel="x (matters); y barely matters", xlim=(0, 1), ylim=(0, 1))
        self._draw_panel(f, grid, rand)
        (_, g), (_, r) = best_of(grid, f), best_of(rand, f)
        c = self.comparison
        self.query_one("#gr-numbers", Static).update(
            f"draw {self.seed}: best grid {g:.3f}, random {r:.3f}; values of x tried: grid "
            f"{distinct([x for x, _ in grid])}, random {distinct([x for x, _ in rand])}\n"
            f"{SEEDS} objectives: random better in {c.random_wins:.0%}, "
            f"mean best grid {c.grid_mean:.3f} vs random {c.random_mean:.3f}")

    def _draw_panel(self, f, grid, rand) -> None:
        plot = self.query_one("#gr-panel", CurvePlot)
        steps = [i / 100 for i in range(101)]
        if self.panel == 2:
            c = self.comparison
            lo, hi = min(c.grid + c.random), max(c.grid + c.random)
            xs = [lo + (hi - lo) * i / 60 for i in range(61)]
            share = lambda vals: [100 * sum(v >= x for v in vals) / len(vals) for x in xs]  # noqa: E731
            plot.show([Series("grid", xs, share(c.grid), color="orange"),
                       Series("random", xs, share(c.random), color="green")],
                      title="% of objectives with best >= value", xlabel="best value found")
            return
        axis = self.panel  # 0: x, 1: y
        line = [f(t, 0.25) if axis == 0 else f(f.x_peak, t) for t in steps]
        pts = lambda pts: ([p[axis] for p in pts], [f(*p) for p in pts])  # noqa: E731
        plot.show([Series("objective", steps, line, color="cyan"),
                   Series("grid", *pts(grid), marker="x", scatter=True, color="orange"),
                   Series("random", *pts(rand), marker="o", scatter=True, color="green")],
                  title=PANELS[axis], xlabel="xy"[axis], xlim=(0, 1), ylim=(0.5, 0.95))

    def action_new_seed(self) -> None:
        self.seed += 1
        self._redraw()

    def action_panel(self) -> None:
        self.panel = (self.panel + 1) % len(PANELS)
        self._redraw()
