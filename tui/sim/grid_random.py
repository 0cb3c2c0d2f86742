"""Grid search against random search on a 2-D objective where one parameter barely matters.

The objective is a made-up "validation accuracy" on the unit square: a narrow ridge along
x (the parameter that matters, think learning rate on a log scale) and a gentle ripple
along y (one that barely matters). A 3x3 grid tries only three values of x; nine random
points try nine. That is Bergstra and Bengio's (2012) argument, in numbers.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

Point = tuple[float, float]
GRID_VALUES = (1 / 6, 1 / 2, 5 / 6)  # the centres of three equal cells: a fair grid


@dataclass(frozen=True)
class Objective:
    """Accuracy-like objective with its peak at x = `x_peak` (y hardly matters)."""

    x_peak: float = 0.63
    width: float = 0.12

    def __call__(self, x: float, y: float) -> float:
        ridge = 0.35 * math.exp(-(((x - self.x_peak) / self.width) ** 2))
        ripple = 0.02 * math.sin(2 * math.pi * y)
        return 0.55 + ridge + ripple

    @property
    def best(self) -> float:
        return self(self.x_peak, 0.25)


def objective_for_seed(seed: int) -> Objective:
    """A new objective per seed: the peak moves so the grid is not lucky or unlucky by design."""
    return Objective(x_peak=random.Random(seed).uniform(0.1, 0.9))


def grid_points(per_axis: int = 3) -> list[Point]:
    """The grid of `per_axis`**2 points at cell centres."""
    values = [(i + 0.5) / per_axis for i in range(per_axis)]
    return [(x, y) for x in values for y in values]


def random_points(n: int = 9, seed: int = 0) -> list[Point]:
    """`n` points drawn uniformly from the unit square."""
    rng = random.Random(seed * 7919 + 1)  # different stream from objective_for_seed
    return [(rng.random(), rng.random()) for _ in range(n)]


def best_of(points: list[Point], f: Objective) -> tuple[Point, float]:
    """The point with the highest objective and its value."""
    best = max(points, key=lambda pt: f(*pt))
    return best, f(*best)


def distinct(values: list[float], digits: int = 9) -> int:
    """How many different values a projection holds."""
    return len({round(v, digits) for v in values})


@dataclass(frozen=True)
class Comparison:
    """Best found by the grid and by random search, one pair per seed."""

    grid: list[float]
    random: list[float]

    @property
    def random_wins(self) -> float:
        """Fraction of seeds where random search found a strictly better value."""
        return sum(r > g for g, r in zip(self.grid, self.random)) / len(self.grid)

    @staticmethod
    def _mean(values: list[float]) -> float:
        return sum(values) / len(values)

    @property
    def grid_mean(self) -> float:
        return self._mean(self.grid)

    @property
    def random_mean(self) -> float:
        return self._mean(self.random)


def compare(seeds: int = 200, per_axis: int = 3) -> Comparison:
    """Run grid and random search with the same budget on `seeds` objectives."""
    if seeds < 1 or per_axis < 1:
        raise ValueError("seeds and per_axis must be at least 1")
    grid = grid_points(per_axis)
    g, r = [], []
    for seed in range(seeds):
        f = objective_for_seed(seed)
        g.append(best_of(grid, f)[1])
        r.append(best_of(random_points(per_axis**2, seed), f)[1])
    return Comparison(g, r)
