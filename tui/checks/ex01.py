"""Exercise 1 (random search with a job array): every check, in the order the steps need them."""

from __future__ import annotations

from pathlib import Path

from tui.checks.context import CheckContext
from tui.checks.ex01_results import results_checks
from tui.checks.ex01_sample import sample_checks
from tui.checks.ex01_script import script_checks
from tui.checks.result import CheckResult

CHECK_IDS = (
    "sample.bounds", "sample.distribution", "sample.reproducible", "sample.varies_with_task",
    "sample.varies_with_seed", "sample.seeds_disjoint",
    "script.array", "script.concurrency_limit", "script.output_pattern", "script.time_limit",
    "results.trials_complete", "results.best_metric",
)
CODE_FILES = ("sample.py", "job.sh")  # a watch mode re-runs the checks when these change


def run(ctx: CheckContext) -> list[CheckResult]:
    """Run all checks of exercise 1 against ctx.path (and its latest run)."""
    results = sample_checks(ctx.path, ctx.timeout_s) + script_checks(ctx.path)
    results += results_checks(ctx.find_run(), ctx.reference, ctx.path)
    return results


def reference_run(folder: Path, trials: int = 8, epochs: int = 20, timeout_s: float = 600) -> Path:
    """Run tasks 0..trials-1 of folder/sample.py locally, one after the other, as the array would.

    The course self-test uses it to give the solution a real run; returns the run folder.

    Raises:
        RuntimeError: with the last lines of the output when the run fails.
    """
    from tui.checks.subproc import run_python

    run_dir = Path(folder) / "runs" / "selftest"
    proc = run_python(["-m", "tui.runtime.random_search", "--run-dir", str(run_dir), "--sampler", "sample.py",
                       "--task-id", f"0-{trials - 1}", "--seed", "0", "--epochs", str(epochs), "--device", "cpu"],
                      timeout_s=timeout_s, cwd=Path(folder))
    if not proc.ok:
        raise RuntimeError(f"the reference run failed: {proc.describe(timeout_s)}\n{proc.error_tail()}")
    return run_dir
