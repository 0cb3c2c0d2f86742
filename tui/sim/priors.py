"""Draws from the distributions a search space is built of, and histograms of them.

plotext's log-scale histogram fails (its bars start at 0, and log(0) is a math-domain
error), so a log view bins log10(values) on a linear axis and labels ticks as powers of ten.
"""

from __future__ import annotations

import json
import math
import random
from dataclasses import dataclass
from pathlib import Path

KINDS = ("uniform", "log-uniform", "int", "int-log", "categorical")


@dataclass(frozen=True)
class Prior:
    """One hyperparameter's distribution, as Optuna's suggest_* functions define them."""

    kind: str = "log-uniform"
    low: float = 1e-5
    high: float = 1e-1
    choices: tuple[str, ...] = ("adam", "adamw", "sgd")

    def validate(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"kind must be one of {', '.join(KINDS)}, not {self.kind!r}")
        if self.kind == "categorical":
            if not self.choices:
                raise ValueError("a categorical prior needs at least one choice")
            return
        if not self.low < self.high:
            raise ValueError(f"low ({self.low}) must be below high ({self.high})")
        if self.kind in ("log-uniform", "int-log") and self.low <= 0:
            raise ValueError("a log prior needs low > 0")
        if self.kind in ("int", "int-log") and math.ceil(self.low) > math.floor(self.high):
            raise ValueError("an integer prior needs an integer between low and high")

    @property
    def is_log(self) -> bool:
        return self.kind in ("log-uniform", "int-log")


def draw(prior: Prior, n: int, seed: int = 0) -> list:
    """`n` draws from `prior` (floats, ints or strings)."""
    prior.validate()
    rng = random.Random(seed)
    lo, hi = prior.low, prior.high
    if prior.kind == "categorical":
        return [rng.choice(prior.choices) for _ in range(n)]
    if prior.kind == "uniform":
        return [rng.uniform(lo, hi) for _ in range(n)]
    if prior.kind == "log-uniform":
        return [10 ** rng.uniform(math.log10(lo), math.log10(hi)) for _ in range(n)]
    ilo, ihi = math.ceil(lo), math.floor(hi)
    if prior.kind == "int":
        return [rng.randint(ilo, ihi) for _ in range(n)]
    # int-log as Optuna does it: uniform in log(x) over [lo - 0.5, hi + 0.5], then rounded
    a, b = math.log(ilo - 0.5), math.log(ihi + 0.5)
    return [min(ihi, max(ilo, round(math.exp(rng.uniform(a, b))))) for _ in range(n)]


@dataclass(frozen=True)
class Histogram:
    """Bin edges and counts; `log` means the edges are log10 of the values."""

    edges: list[float]
    counts: list[int]
    log: bool

    @property
    def centres(self) -> list[float]:
        return [(a + b) / 2 for a, b in zip(self.edges, self.edges[1:])]


def histogram(values: list[float], bins: int = 20, log: bool = False,
              lo: float | None = None, hi: float | None = None) -> Histogram:
    """Count `values` into `bins` equal bins, of log10(value) when `log` is set."""
    if bins < 1:
        raise ValueError("bins must be at least 1")
    if log and any(v <= 0 for v in values):
        raise ValueError("a log histogram needs positive values")
    xs = [math.log10(v) for v in values] if log else [float(v) for v in values]
    lo = min(xs) if lo is None else (math.log10(lo) if log else lo)
    hi = max(xs) if hi is None else (math.log10(hi) if log else hi)
    if hi <= lo:
        hi = lo + 1.0
    width = (hi - lo) / bins
    counts = [0] * bins
    for x in xs:
        if lo <= x <= hi:
            counts[min(bins - 1, int((x - lo) / width))] += 1
    return Histogram([lo + i * width for i in range(bins + 1)], counts, log)


def category_counts(values: list[str], choices: tuple[str, ...]) -> list[int]:
    return [sum(v == c for v in values) for c in choices]


def power_ticks(lo: float, hi: float) -> tuple[list[float], list[str]]:
    """Tick positions (integer log10 values in [lo, hi]) and labels like '1e-4'."""
    ticks = list(range(math.ceil(lo - 1e-9), math.floor(hi + 1e-9) + 1))
    return [float(t) for t in ticks], [f"1e{t}" for t in ticks]


def run_samples(run_dir: Path, name: str) -> list:
    """The values of hyperparameter `name` in a run's `trials/*/params.json` (unreadable skipped)."""
    values = []
    for path in sorted(Path(run_dir).glob("trials/*/params.json")):
        try:
            params = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue  # a trial being written right now, or a broken file: not a sample
        if isinstance(params, dict) and name in params:
            values.append(params[name])
    return values


# Sensible starting ranges (the priors lesson shows the same table).
STARTING_RANGES: dict[str, Prior] = {
    "lr": Prior("log-uniform", 1e-5, 1e-1),
    "weight_decay": Prior("log-uniform", 1e-6, 1e-1),
    "batch_size": Prior("int-log", 16, 512),
    "dropout": Prior("uniform", 0.0, 0.5),
    "hidden": Prior("int-log", 32, 1024),
    "optimizer": Prior("categorical", choices=("adam", "adamw", "sgd")),
}
