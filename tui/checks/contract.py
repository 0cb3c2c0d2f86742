"""The exercise contract: what an exercise's checks module (named by `checks` in the catalog) provides.

The catalog loader checks that the module exists; `load_checks` imports it and checks the rest,
so an exercise without checks, or with half of them, is an error that names what is missing,
never an exercise that passes silently.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Protocol, runtime_checkable

from tui.checks.context import CheckContext
from tui.checks.result import CheckResult

# Where a solution's reference run can go: None = on this machine, "slurm" = the test cluster.
REFERENCE_NEEDS = (None, "slurm")


class ChecksContractError(ValueError):
    """A checks module lacks part of the contract; the message names the module and what is missing."""


@runtime_checkable
class ExerciseChecks(Protocol):
    """An exercise's checks module.

    Attributes:
        CHECK_IDS: every check's stable id, in the order `run` reports them.
        CODE_FILES: the learner's files (a watch mode re-runs the checks when they change).
        REFERENCE_NEEDS: optional; "slurm" when `reference_run` needs the test cluster (takes `env=`).
    """

    CHECK_IDS: tuple[str, ...]
    CODE_FILES: tuple[str, ...]

    def run(self, ctx: CheckContext) -> list[CheckResult]:
        """Every check of the folder `ctx` names, one result per id of CHECK_IDS."""

    def reference_run(self, folder: Path) -> Path:
        """A real, small run of the solution in `folder` (the course self-test); its run folder."""


def _strings(value) -> bool:
    return isinstance(value, tuple) and bool(value) and all(isinstance(v, str) and v for v in value)


def contract_problems(module) -> list[str]:
    """What `module` lacks of ExerciseChecks, one phrase each ([] when it keeps the contract)."""
    problems = [f"{name} must be a non-empty tuple of names" for name in ("CHECK_IDS", "CODE_FILES")
                if not _strings(getattr(module, name, None))]
    problems += [f"no function {name}()" for name in ("run", "reference_run")
                 if not callable(getattr(module, name, None))]
    if getattr(module, "REFERENCE_NEEDS", None) not in REFERENCE_NEEDS:
        problems.append(f"REFERENCE_NEEDS must be one of {REFERENCE_NEEDS}")
    return problems


def load_checks(module_name: str) -> ExerciseChecks:
    """Import a checks module and check it against the contract.

    Raises:
        ChecksContractError: the module cannot be imported or lacks part of the contract.
    """
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise ChecksContractError(f"checks module {module_name}: {exc}") from exc
    problems = contract_problems(module)
    if problems:
        raise ChecksContractError(f"checks module {module_name}: {'; '.join(problems)}")
    return module
