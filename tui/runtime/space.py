"""Search spaces as data: each hyperparameter's prior, its bounds, and how to test draws.

The checks test a learner's sampler against these priors and the trials screen uses them to
choose log axes and to show where the samples fell in the prior. Pure Python: no numpy.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

KINDS = ("uniform", "log_uniform", "int_log_uniform", "choice")


@dataclass(frozen=True)
class Prior:
    """One hyperparameter's prior: uniform, log-uniform, integer log-uniform, or a choice."""

    name: str
    kind: str
    low: float = 0.0
    high: float = 0.0
    choices: tuple[Any, ...] = ()

    @property
    def log(self) -> bool:
        return self.kind in ("log_uniform", "int_log_uniform")

    @property
    def integer(self) -> bool:
        return self.kind == "int_log_uniform" or (self.kind == "choice" and all(
            isinstance(c, int) for c in self.choices))

    def describe(self) -> str:
        """The prior in words, e.g. "log-uniform on [0.0001, 0.1]"."""
        if self.kind == "choice":
            return "one of " + ", ".join(repr(c) for c in self.choices)
        words = {"uniform": "uniform", "log_uniform": "log-uniform",
                 "int_log_uniform": "integer log-uniform"}[self.kind]
        return f"{words} on [{self.low:g}, {self.high:g}]"

    def problem(self, value: Any) -> str:
        """Why `value` is not a valid draw of this prior ("" when it is)."""
        if self.kind == "choice":
            return "" if value in self.choices and type(value) is not bool else \
                f"{value!r} is not {self.describe()}"
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return f"{value!r} is not a number"
        if self.kind == "int_log_uniform" and not isinstance(value, int):
            return f"{value!r} is not an integer (use int(round(...)))"
        if not (self.low <= value <= self.high) or (isinstance(value, float) and math.isnan(value)):
            return f"{value!r} is outside [{self.low:g}, {self.high:g}]"
        return ""

    def to_unit(self, value: float) -> float:
        """Map a value to [0, 1] so that a correct draw is uniform there (log scale for log priors)."""
        if self.log:
            return (math.log(value) - math.log(self.low)) / (math.log(self.high) - math.log(self.low))
        return (value - self.low) / (self.high - self.low)


RANDOM_SEARCH_SPACE: tuple[Prior, ...] = (
    Prior("lr", "log_uniform", 1e-4, 1e-1),
    Prior("batch_size", "choice", choices=(16, 32, 64, 128, 256)),
    Prior("hidden", "int_log_uniform", 16, 512),
    Prior("weight_decay", "log_uniform", 1e-6, 1e-2),
    Prior("dropout", "uniform", 0.0, 0.5),
    Prior("optimizer", "choice", choices=("sgd", "adam", "adamw")),
)


def space_by_name(space: tuple[Prior, ...] = RANDOM_SEARCH_SPACE) -> dict[str, Prior]:
    return {p.name: p for p in space}
