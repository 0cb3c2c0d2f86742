"""Goodness-of-fit tests in pure Python (scipy may be missing on a login node).

- Kolmogorov-Smirnov: draws mapped to [0, 1] against the uniform distribution.
- Chi-square: counts of categorical draws against equal probabilities.
"""

from __future__ import annotations

import math
from typing import Iterable


def ks_uniform(values: Iterable[float]) -> float:
    """The KS statistic D of `values` (in [0, 1]) against Uniform(0, 1)."""
    u = sorted(min(1.0, max(0.0, float(v))) for v in values)
    n = len(u)
    if n == 0:
        raise ValueError("no values to test")
    return max(max((i + 1) / n - x, x - i / n) for i, x in enumerate(u))


def ks_pvalue(d: float, n: int) -> float:
    """Asymptotic p-value of a KS statistic (Stephens' small-sample correction)."""
    lam = (math.sqrt(n) + 0.12 + 0.11 / math.sqrt(n)) * d
    if lam < 0.2:
        return 1.0
    total = sum((-1) ** (k - 1) * math.exp(-2.0 * k * k * lam * lam) for k in range(1, 101))
    return min(1.0, max(0.0, 2.0 * total))


def _gamma_p_series(a: float, x: float) -> float:
    term = total = 1.0 / a
    for n in range(1, 500):
        term *= x / (a + n)
        total += term
        if abs(term) < abs(total) * 1e-15:
            break
    return total * math.exp(-x + a * math.log(x) - math.lgamma(a))


def _gamma_q_fraction(a: float, x: float) -> float:
    # Lentz's continued fraction for the upper incomplete gamma function.
    tiny = 1e-300
    b = x + 1.0 - a
    c, d = 1.0 / tiny, 1.0 / b
    h = d
    for i in range(1, 500):
        an = -i * (i - a)
        b += 2.0
        d = an * d + b
        d = tiny if abs(d) < tiny else d
        c = b + an / c
        c = tiny if abs(c) < tiny else c
        d = 1.0 / d
        h *= d * c
        if abs(d * c - 1.0) < 1e-15:
            break
    return h * math.exp(-x + a * math.log(x) - math.lgamma(a))


def chi2_sf(x: float, df: int) -> float:
    """P(X >= x) for a chi-square variable with `df` degrees of freedom."""
    if x <= 0:
        return 1.0
    a, half = df / 2.0, x / 2.0
    if half < a + 1.0:
        return max(0.0, 1.0 - _gamma_p_series(a, half))
    return min(1.0, _gamma_q_fraction(a, half))


def chi2_equal(counts: list[int]) -> tuple[float, float]:
    """Chi-square statistic and p-value of `counts` against equal probabilities."""
    n, k = sum(counts), len(counts)
    if n == 0 or k < 2:
        raise ValueError("need draws in at least two categories")
    expected = n / k
    stat = sum((c - expected) ** 2 / expected for c in counts)
    return stat, chi2_sf(stat, k - 1)
