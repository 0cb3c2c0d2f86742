"""Conjugate-prior updates with exact formulas: Beta-Binomial and Normal-Normal.

With a conjugate prior the posterior has the same family as the prior, so Bayes' rule
P(X|D) = P(D|X) P(X) / P(D) becomes a closed-form update of a few numbers. That is also why
the choice of distributions is constrained in practice: step outside the conjugate pairs
and the update needs numerical approximation.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Beta:
    """Beta(alpha, beta) belief about a probability (e.g. the chance a trial beats the baseline)."""

    alpha: float
    beta: float

    def __post_init__(self) -> None:
        if self.alpha <= 0 or self.beta <= 0:
            raise ValueError("Beta parameters must be positive")

    @property
    def mean(self) -> float:
        return self.alpha / (self.alpha + self.beta)

    @property
    def variance(self) -> float:
        a, b = self.alpha, self.beta
        return a * b / ((a + b) ** 2 * (a + b + 1))

    def update(self, successes: int, failures: int) -> "Beta":
        """The posterior after observing `successes` and `failures`."""
        if successes < 0 or failures < 0:
            raise ValueError("counts cannot be negative")
        return Beta(self.alpha + successes, self.beta + failures)

    def pdf(self, p: float) -> float:
        if not 0 < p < 1:
            return 0.0
        a, b = self.alpha, self.beta
        log_norm = math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b)
        return math.exp(log_norm + (a - 1) * math.log(p) + (b - 1) * math.log1p(-p))

    def interval(self, mass: float = 0.9, steps: int = 2000) -> tuple[float, float]:
        """Central credible interval, by integrating the density on a fine grid."""
        xs = [(i + 0.5) / steps for i in range(steps)]
        dens = [self.pdf(x) for x in xs]
        total = sum(dens)
        lo_q, hi_q = (1 - mass) / 2, 1 - (1 - mass) / 2
        acc, lo, hi = 0.0, 0.0, 1.0
        for x, d in zip(xs, dens):
            prev, acc = acc, acc + d / total
            if prev < lo_q <= acc:
                lo = x
            if prev < hi_q <= acc:
                hi = x
        return lo, hi


@dataclass(frozen=True)
class Normal:
    """Normal(mean, sd) belief about an unknown mean, observed with known noise."""

    mean: float
    sd: float

    def __post_init__(self) -> None:
        if self.sd <= 0:
            raise ValueError("the standard deviation must be positive")

    def update(self, observations: list[float], noise_sd: float) -> "Normal":
        """The posterior after `observations`, each the unknown mean plus N(0, noise_sd) noise.

        Precisions (1/variance) add: posterior precision = prior precision + n / noise variance,
        and the posterior mean is the precision-weighted average of prior mean and data mean.
        """
        if noise_sd <= 0:
            raise ValueError("the noise standard deviation must be positive")
        n = len(observations)
        if n == 0:
            return self
        prior_prec, data_prec = 1 / self.sd**2, n / noise_sd**2
        data_mean = sum(observations) / n
        prec = prior_prec + data_prec
        mean = (prior_prec * self.mean + data_prec * data_mean) / prec
        return Normal(mean, math.sqrt(1 / prec))

    def pdf(self, x: float) -> float:
        z = (x - self.mean) / self.sd
        return math.exp(-0.5 * z * z) / (self.sd * math.sqrt(2 * math.pi))

    def interval(self, mass: float = 0.9) -> tuple[float, float]:
        """Central credible interval (z from the inverse error function by bisection)."""
        target = (1 + mass) / 2
        lo, hi = 0.0, 10.0
        for _ in range(60):
            mid = (lo + hi) / 2
            lo, hi = (mid, hi) if 0.5 * (1 + math.erf(mid / math.sqrt(2))) < target else (lo, mid)
        return self.mean - lo * self.sd, self.mean + lo * self.sd


def curve(pdf, lo: float, hi: float, n: int = 200) -> tuple[list[float], list[float]]:
    """Sample a density on [lo, hi] for plotting."""
    xs = [lo + (hi - lo) * i / (n - 1) for i in range(n)]
    return xs, [pdf(x) for x in xs]
