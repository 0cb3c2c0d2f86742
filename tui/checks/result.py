"""What a check returns: a stable id, pass/fail, a message (expected vs found) and hints."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class CheckResult:
    """The outcome of one check.

    Attributes:
        id: stable id such as "sample.bounds" (tests, the UI and the docs refer to it).
        passed: whether the check passed.
        message: what was expected and what was found.
        hints: progressive hints, gentlest first (the UI reveals one more per `h`).
        details: extra text, e.g. the last lines of the learner's traceback.
    """

    id: str
    passed: bool
    message: str
    hints: list[str] = field(default_factory=list)
    details: str = ""

    def to_dict(self) -> dict[str, Any]:
        out = {"id": self.id, "passed": self.passed, "message": self.message, "hints": list(self.hints)}
        if self.details:
            out["details"] = self.details
        return out


@dataclass
class CheckReport:
    """All checks of one exercise."""

    exercise: str
    checks: list[CheckResult]

    @property
    def passed(self) -> bool:
        return bool(self.checks) and all(c.passed for c in self.checks)

    def get(self, check_id: str) -> CheckResult:
        for check in self.checks:
            if check.id == check_id:
                return check
        raise KeyError(f"no check {check_id!r}; checks: {', '.join(c.id for c in self.checks)}")

    def failed_ids(self) -> list[str]:
        return [c.id for c in self.checks if not c.passed]

    def to_dict(self) -> dict[str, Any]:
        return {"exercise": self.exercise, "passed": self.passed, "checks": [c.to_dict() for c in self.checks]}
