"""Exercise 2 (Optuna with parallel workers and pruning): every check, in the order the steps need them.

The `objective.*` checks run one short trial of the learner's objective in a contained child
process (tui.checks.probe_objective: a few epochs, seconds, no run needed); the `study.*` checks
read the latest run's journal (tui.checks.ex02_study).
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

from tui.checks.context import CheckContext
from tui.checks.ex02_probe import check_reports, check_returns
from tui.checks.ex02_study import study_checks
from tui.checks.result import CheckResult

CHECK_IDS = (
    "objective.log_scale", "objective.reports", "objective.returns",
    "study.exists", "study.storage_journal", "study.complete_trials", "study.pruned_trials",
    "study.workers", "study.no_stuck_trials", "study.best_metric",
)
CODE_FILES = ("objective.py", "job.sh")  # a watch mode re-runs the checks when these change
HINTS = [
    "Ask the trial for every hyperparameter of exercise 1's space: trial.suggest_float, suggest_int, suggest_categorical.",
    "Where exercise 1 drew log-uniform (lr, weight_decay, hidden), pass log=True: otherwise 9 in 10 lr "
    "suggestions land in [1e-2, 1e-1].",
    'e.g. trial.suggest_float("lr", 1e-4, 1e-1, log=True) and trial.suggest_int("hidden", 16, 512, log=True).',
]


def probe_objective(path: Path, timeout_s: float) -> tuple[dict[str, Any] | None, str]:
    """Run tui.checks.probe_objective on objective.py; (its record, its error output) or (None, what went wrong)."""
    from tui.checks.subproc import run_python

    objective = path / "objective.py"
    if not objective.is_file():
        return None, f"{objective.name} is missing from {path}"
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "probe.json"
        proc = run_python(["-m", "tui.checks.probe_objective", str(objective), str(out)], timeout_s, cwd=path)
        if not proc.ok or not out.is_file():
            return None, proc.describe(timeout_s) + ("\n" + proc.error_tail() if proc.stderr else "")
        return json.loads(out.read_text(encoding="utf-8")), proc.error_tail() if proc.stderr else ""


def _expected(prior) -> dict[str, Any]:
    if prior.kind == "choice":
        return {"type": "CategoricalDistribution", "choices": list(prior.choices)}
    kind = "IntDistribution" if prior.kind == "int_log_uniform" else "FloatDistribution"
    return {"type": kind, "low": prior.low, "high": prior.high, "log": prior.log}


def _problem(name: str, want: dict[str, Any], got: dict[str, Any] | None) -> str:
    """What is wrong with one suggested parameter ("" when nothing)."""
    if got is None:
        return f"{name} is not suggested (a fixed value cannot be tuned)"
    if got.get("type") != want["type"]:
        return f"{name} is a {got.get('type')}, expected a {want['type']}"
    if want["type"] == "CategoricalDistribution":
        return "" if list(got.get("choices", [])) == want["choices"] else \
            f"{name} choices {got.get('choices')}, expected {want['choices']}"
    if (float(got["low"]), float(got["high"])) != (float(want["low"]), float(want["high"])):
        return f"{name} on [{got['low']:g}, {got['high']:g}], expected [{want['low']:g}, {want['high']:g}]"
    if bool(got.get("log")) != want["log"]:
        return f"{name} has log={bool(got.get('log'))}, expected log={want['log']}"
    return ""


def check_log_scale(record: dict[str, Any] | None, error: str) -> CheckResult:
    """objective.log_scale: exercise 1's space, with log=True exactly where it was log-uniform."""
    from tui.runtime.space import RANDOM_SEARCH_SPACE

    cid = "objective.log_scale"
    if record is not None and record.get("error") and not record.get("distributions"):
        error, record = f"{record['error']}\n{error}", None  # it failed before suggesting anything
    if record is None:
        return CheckResult(cid, False, f"could not call objective(trial): {error.splitlines()[0] if error else ''}",
                           HINTS, details=error)
    got = record.get("distributions", {})
    problems = [p for p in (_problem(pr.name, _expected(pr), got.get(pr.name)) for pr in RANDOM_SEARCH_SPACE) if p]
    if problems:
        logs = ", ".join(p.name for p in RANDOM_SEARCH_SPACE if p.log)
        return CheckResult(cid, False, f"expected exercise 1's space with log=True for {logs}; found: "
                           + "; ".join(problems), HINTS)
    return CheckResult(cid, True, "all six hyperparameters are suggested, on a log scale where exercise 1 "
                       "drew log-uniform", HINTS)


def code_checks(path: Path, timeout_s: float) -> tuple[list[CheckResult], dict[str, Any] | None]:
    """The objective.* checks, from one probe trial of path/objective.py; and the probe's record."""
    record, error = probe_objective(path, timeout_s)
    return [check_log_scale(record, error), check_reports(record, error), check_returns(record, error)], record


def run(ctx: CheckContext) -> list[CheckResult]:
    """Run all checks of exercise 2 against ctx.path (and its latest run)."""
    results, record = code_checks(ctx.path, ctx.timeout_s)
    return results + study_checks(ctx.find_run(), ctx.reference, record, ctx.path)


def reference_run(folder: Path, n_trials: int = 30, epochs: int = 6, workers: int = 2,
                  timeout_s: float = 600) -> Path:
    """Run folder/objective.py as `workers` parallel processes on one journal, as the array would.

    The course self-test uses it to give the solution a real run; returns the run folder.

    Raises:
        RuntimeError: with the last lines of a worker's output when one fails.
    """
    import shutil
    import subprocess
    import sys

    folder = Path(folder)
    run_dir = folder / "runs" / "selftest"
    argv = [sys.executable, "-m", "tui.runtime.optuna_worker", "--run-dir", str(run_dir), "--objective",
            "objective.py", "--n-trials", str(n_trials), "--pruner", "median", "--epochs", str(epochs),
            "--device", "cpu"]
    procs = [subprocess.Popen(argv + ["--worker-index", str(i)], cwd=folder, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for i in range(workers)]
    failures = []
    for proc in procs:
        try:
            _, err = proc.communicate(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            proc.kill()
            _, err = proc.communicate()
        if proc.returncode != 0:
            failures.append(err[-2000:])
    if failures:
        raise RuntimeError("a reference worker failed:\n" + failures[0])
    shutil.copy2(folder / "job.sh", run_dir / "job.sh")
    return run_dir
