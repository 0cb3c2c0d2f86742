"""Conjugate updates against values worked out by hand."""

from __future__ import annotations

import math

import pytest

from tui.sim.conjugate import Beta, Normal, curve


def test_beta_binomial_update_and_moments():
    post = Beta(2, 2).update(successes=7, failures=3)
    assert (post.alpha, post.beta) == (9, 5)
    assert post.mean == pytest.approx(9 / 14)
    assert post.variance == pytest.approx(9 * 5 / (14**2 * 15))


def test_beta_pdf_known_values_and_integrates_to_one():
    assert Beta(1, 1).pdf(0.3) == pytest.approx(1.0)
    assert Beta(2, 1).pdf(0.25) == pytest.approx(0.5)  # 2p
    assert Beta(2, 3).pdf(0.5) == pytest.approx(12 * 0.5 * 0.25)  # 12 p (1-p)^2
    xs, ys = curve(Beta(3, 7).pdf, 0, 1, 2001)
    assert sum(ys) * (xs[1] - xs[0]) == pytest.approx(1.0, abs=1e-3)


def test_beta_interval_of_uniform_and_narrowing():
    lo, hi = Beta(1, 1).interval(0.9)
    assert lo == pytest.approx(0.05, abs=2e-3) and hi == pytest.approx(0.95, abs=2e-3)
    wide, narrow = Beta(2, 2).interval(), Beta(2, 2).update(40, 40).interval()
    assert narrow[1] - narrow[0] < wide[1] - wide[0]


def test_normal_normal_update_textbook_case():
    # prior N(0, 1), noise sd 1, one observation of 2: posterior N(1, sqrt(1/2))
    post = Normal(0.0, 1.0).update([2.0], noise_sd=1.0)
    assert post.mean == pytest.approx(1.0)
    assert post.sd == pytest.approx(math.sqrt(0.5))
    # four observations with mean 3, noise sd 2: precisions 1 + 4/4 = 2
    post = Normal(1.0, 1.0).update([1.0, 3.0, 5.0, 3.0], noise_sd=2.0)
    assert post.mean == pytest.approx((1 * 1 + 1 * 3) / 2)
    assert post.sd == pytest.approx(math.sqrt(1 / 2))


def test_normal_interval_is_about_1_645_sd():
    lo, hi = Normal(10, 2).interval(0.9)
    assert hi - 10 == pytest.approx(1.6449 * 2, abs=1e-3) and 10 - lo == pytest.approx(hi - 10)


def test_no_observations_keeps_the_prior():
    prior = Normal(0.5, 0.1)
    assert prior.update([], noise_sd=1) == prior


@pytest.mark.parametrize("make", [lambda: Beta(0, 1), lambda: Beta(1, 1).update(-1, 0),
                                  lambda: Normal(0, 0), lambda: Normal(0, 1).update([1], 0)])
def test_bad_input_raises(make):
    with pytest.raises(ValueError):
        make()
