"""The method race: same budget, bandits try more configurations, smarter samplers do better."""

from __future__ import annotations

import pytest

from tui.sim.race import METHODS, UNTRAINED_LOSS, best_at, final_loss, loss_at, race


def test_objective_has_its_optimum_where_documented():
    best = final_loss(10**-2.5, 0.2, 128)
    assert best == pytest.approx(0.25)
    assert final_loss(1e-5, 0.2, 128) > best and final_loss(0.5, 0.2, 128) == UNTRAINED_LOSS
    assert loss_at(1, 9, 1e-3, 0.2, 128) > loss_at(9, 9, 1e-3, 0.2, 128)


def test_best_at_is_a_step_function():
    curve = [(9, 1.0), (18, 0.5)]
    assert best_at(curve, 5) == UNTRAINED_LOSS
    assert best_at(curve, 9) == 1.0 and best_at(curve, 100) == 0.5


def test_race_same_budget_curves_are_monotone_and_hyperband_tries_more():
    calls = []
    r = race(seeds=2, trials=20, epochs=9, points=10, progress=lambda m, s: calls.append((m, s)))
    assert set(r.mean) == set(METHODS) and len(calls) == 2 * len(METHODS)
    assert r.xs[-1] == r.budget == 180
    for values in r.mean.values():
        assert all(b <= a for a, b in zip(values, values[1:]))
    assert r.trials["hyperband"] > r.trials["random"] == 20
    assert r.final("tpe") < r.final("grid")


def test_cancel_stops_early_and_bad_settings_raise():
    r = race(["random", "tpe"], seeds=1, trials=5, cancelled=lambda: True)
    assert r.mean == {}
    with pytest.raises(ValueError):
        race(["nope"])
    with pytest.raises(ValueError):
        race(seeds=0)
