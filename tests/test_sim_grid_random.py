"""Grid against random search: same budget, random covers the important axis better."""

from __future__ import annotations

import pytest

from tui.sim.grid_random import Objective, best_of, compare, distinct, grid_points, random_points


def test_projections_grid_has_three_values_random_has_nine():
    grid, rand = grid_points(3), random_points(9, seed=4)
    assert len(grid) == len(rand) == 9
    assert distinct([x for x, _ in grid]) == 3
    assert distinct([x for x, _ in rand]) == 9


def test_y_barely_matters_x_matters():
    f = Objective(x_peak=0.5)
    y_effect = max(f(0.5, y / 10) for y in range(11)) - min(f(0.5, y / 10) for y in range(11))
    x_effect = max(f(x / 10, 0.3) for x in range(11)) - min(f(x / 10, 0.3) for x in range(11))
    assert x_effect > 5 * y_effect


def test_random_wins_on_average_over_many_seeds():
    c = compare(seeds=300)
    assert c.random_mean > c.grid_mean
    assert c.random_wins > 0.5


def test_best_of_picks_the_highest_point():
    f = Objective(x_peak=0.5)
    point, value = best_of([(0.1, 0.1), (0.5, 0.25), (0.9, 0.9)], f)
    assert point == (0.5, 0.25) and value == pytest.approx(f.best)


def test_bad_settings_raise():
    with pytest.raises(ValueError):
        compare(seeds=0)
