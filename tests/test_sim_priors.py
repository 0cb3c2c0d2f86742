"""Prior draws and histograms (log binning on a linear axis)."""

from __future__ import annotations

import json
import math

import pytest

from tui.sim.priors import Prior, category_counts, draw, histogram, power_ticks, run_samples


def test_uniform_and_log_uniform_stay_in_bounds():
    for kind in ("uniform", "log-uniform"):
        values = draw(Prior(kind, 1e-4, 1e-1), 2000, seed=1)
        assert all(1e-4 <= v <= 1e-1 for v in values)


def test_log_uniform_is_flat_per_decade():
    values = draw(Prior("log-uniform", 1e-5, 1e-1), 8000, seed=2)
    h = histogram(values, bins=4, log=True, lo=1e-5, hi=1e-1)
    assert h.edges[0] == pytest.approx(-5) and h.edges[-1] == pytest.approx(-1)
    assert min(h.counts) > 0.8 * max(h.counts)  # about 2000 per decade
    # on a linear axis almost everything falls in the first bin
    lin = histogram(values, bins=10)
    assert lin.counts[0] > 0.7 * len(values)  # three of the four decades


def test_integer_priors_give_integers_in_range():
    for kind in ("int", "int-log"):
        values = draw(Prior(kind, 16, 512), 3000, seed=3)
        assert all(isinstance(v, int) and 16 <= v <= 512 for v in values)
    small = draw(Prior("int-log", 16, 512), 3000, seed=3)
    assert sum(v < 64 for v in small) > sum(v > 256 for v in small)  # log: as many per doubling


def test_categorical_counts():
    values = draw(Prior("categorical", choices=("a", "b")), 1000, seed=0)
    counts = category_counts(values, ("a", "b"))
    assert sum(counts) == 1000 and min(counts) > 400


def test_power_ticks():
    ticks, labels = power_ticks(-5.2, -0.9)
    assert ticks == [-5, -4, -3, -2, -1] and labels[0] == "1e-5"


@pytest.mark.parametrize("prior", [Prior("uniform", 1, 1), Prior("log-uniform", 0, 1),
                                   Prior("weird"), Prior("categorical", choices=()),
                                   Prior("int", 0.2, 0.8)])
def test_bad_priors_raise(prior):
    with pytest.raises(ValueError):
        draw(prior, 10)


def test_log_histogram_refuses_non_positive_values():
    with pytest.raises(ValueError):
        histogram([0.0, 1.0], log=True)


def test_run_samples_reads_params_and_skips_broken(tmp_path):
    for i, lr in enumerate([1e-3, 3e-4]):
        d = tmp_path / "trials" / f"{i:03d}"
        d.mkdir(parents=True)
        (d / "params.json").write_text(json.dumps({"lr": lr}))
    broken = tmp_path / "trials" / "009"
    broken.mkdir()
    (broken / "params.json").write_text('{"lr": ')
    assert run_samples(tmp_path, "lr") == [1e-3, 3e-4]
    assert math.isclose(sum(run_samples(tmp_path, "lr")), 1.3e-3)
