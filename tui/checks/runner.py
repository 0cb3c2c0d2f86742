"""Run an exercise's checks: find its check module, its reference and the learner's folder."""

from __future__ import annotations

from pathlib import Path

from tui.checks.context import CheckContext, load_reference
from tui.checks.contract import load_checks
from tui.checks.result import CheckReport
from tui.checks.subproc import DEFAULT_TIMEOUT_S


def _check_modules() -> dict[str, str]:
    """Exercise id -> its checks module, as the catalog names them (tui.checks.contract)."""
    from tui.course.catalog import bundled_catalog

    return {item.id: item.checks for item in bundled_catalog().exercises}


CHECK_MODULES: dict[str, str] = _check_modules()


class NoChecks(KeyError):
    """The exercise exists but has no checks (yet)."""


def check_module(exercise_id: str):
    """The check module of a catalog exercise id; NoChecks when it has none."""
    if exercise_id not in CHECK_MODULES:
        raise NoChecks(f"exercise {exercise_id} has no checks yet; exercises with checks: {', '.join(CHECK_MODULES)}")
    return load_checks(CHECK_MODULES[exercise_id])


def run_checks(exercise: str, path: Path | None = None, workspace: Path | None = None,
               run_dir: Path | None = None, timeout_s: float = DEFAULT_TIMEOUT_S) -> CheckReport:
    """Run every check of `exercise`.

    Args:
        exercise: an exercise id ("01"), number ("1") or folder name.
        path: the folder to check (default: workspace/<exercise dir>).
        workspace: the learner's workspace (needed when path is None).
        run_dir: the run to check (default: the latest under path/runs).
        timeout_s: how long learner code may run.

    Raises:
        KeyError: for an unknown exercise (the message names the valid ones); NoChecks when it has none.
    """
    from tui.course.catalog import bundled_catalog

    item = bundled_catalog().exercise(exercise)
    module = check_module(item.id)
    if path is None:
        if workspace is None:
            raise ValueError("give the folder to check or the workspace")
        path = Path(workspace) / item.dir
    ctx = CheckContext(item.id, Path(path).resolve(), Path(run_dir).resolve() if run_dir else None,
                       load_reference(item.solution_dir), timeout_s)
    return CheckReport(item.id, module.run(ctx))
