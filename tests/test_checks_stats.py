"""The pure-Python KS and chi-square tests against known values."""

from __future__ import annotations

import math
import random

import pytest

from tui.checks.stats import chi2_equal, chi2_sf, ks_pvalue, ks_uniform


def test_ks_statistic_of_known_samples():
    assert ks_uniform([0.5]) == pytest.approx(0.5)
    assert ks_uniform([0.1, 0.2, 0.3]) == pytest.approx(0.7)
    assert ks_uniform([(i + 0.5) / 100 for i in range(100)]) == pytest.approx(0.005)
    with pytest.raises(ValueError):
        ks_uniform([])


def test_ks_pvalue_matches_critical_values():
    # Asymptotic critical values: D * sqrt(n) = 1.358 at 5%, 1.949 at 0.1%.
    n = 10_000
    assert ks_pvalue(1.358 / math.sqrt(n), n) == pytest.approx(0.05, abs=0.002)
    assert ks_pvalue(1.949 / math.sqrt(n), n) == pytest.approx(0.001, abs=0.0002)
    assert ks_pvalue(0.001, 400) == 1.0


def test_ks_separates_uniform_from_skewed_draws():
    rng = random.Random(0)
    uniform = [rng.random() for _ in range(400)]
    skewed = [rng.random() ** 2 for _ in range(400)]
    assert ks_pvalue(ks_uniform(uniform), 400) > 0.01
    assert ks_pvalue(ks_uniform(skewed), 400) < 1e-6


@pytest.mark.parametrize("x, df, p", [(3.841, 1, 0.05), (5.991, 2, 0.05), (9.488, 4, 0.05),
                                      (18.467, 4, 0.001), (0.5, 3, 0.9189), (30.0, 10, 0.000857)])
def test_chi2_survival_function(x, df, p):
    assert chi2_sf(x, df) == pytest.approx(p, rel=2e-3)


def test_chi2_of_counts():
    stat, p = chi2_equal([100, 100, 100])
    assert stat == 0 and p == 1.0
    assert chi2_equal([300, 0, 0])[1] < 1e-50
    with pytest.raises(ValueError):
        chi2_equal([5])
