"""Exercise 1's run checks: results.trials_complete and results.best_metric (against reference.json)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tui.checks.result import CheckResult

IDS = ("results.trials_complete", "results.best_metric")
HINTS = {
    "results.trials_complete": [
        "Submit job.sh, wait until every array task has ended, then check again.",
        "A failed trial's result.json says why (reason); its log is logs/<job>-<array id>_<task>.out.",
        "Diverged trials (NaN loss) fail on purpose: they count against the run; rerun the task or lower its lr.",
    ],
    "results.best_metric": [
        "With 32 random trials the best validation accuracy on digits should be close to the reference's.",
        "A much lower best often means the priors are off (lr uniform instead of log-uniform) or epochs were cut.",
        "Compare your best trial's hyperparameters with the reference's in the results table (hptune-tui results).",
    ],
}


def _expected_trials(run_dir: Path, reference: dict[str, Any]) -> tuple[int, str]:
    """How many trials the run should have: its submitted job.sh's array size, else the reference minimum."""
    from tui.checks.directives import read_directives

    minimum = int(reference.get("min_trials", 8))
    script = run_dir / "job.sh"
    if script.is_file():
        value = read_directives(script.read_text(encoding="utf-8", errors="replace")).get("array")
        if value:
            try:
                from tui.jobscript.arrays import parse_array

                return parse_array(value).count, f"the --array={value} of {script.name}"
            except ValueError:
                pass
    return minimum, "the reference's minimum"


def check_complete(tailer, run_dir: Path, reference: dict[str, Any], folder: Path | None = None) -> CheckResult:
    from tui.checks.failures import explain_failures

    cid = "results.trials_complete"
    expected, source = _expected_trials(run_dir, reference)
    counts = tailer.counts()
    complete = counts.get("complete", 0)
    failed = [r for r in tailer.records() if r.status == "failed"]
    others = {s: n for s, n in counts.items() if s != "complete"}
    found = ", ".join(f"{n} {s}" for s, n in sorted(counts.items())) or "no trials"
    if complete < expected or others:
        msg = f"expected {expected} complete trials ({source}) in {run_dir.name}; found {found}"
        note = explain_failures(folder or _exercise_folder(run_dir), run_dir, expected)
        if note is not None:  # the cause, from the failed tasks' logs and result.json
            return CheckResult(cid, False, f"{msg}; {note.message}", HINTS[cid], note.details)
        if failed:
            msg += f"; e.g. trial {failed[0].id} failed: {(failed[0].result or {}).get('reason', '')}"
        return CheckResult(cid, False, msg, HINTS[cid])
    return CheckResult(cid, True, f"{complete} trials complete in {run_dir.name}", HINTS[cid])


def check_best(tailer, reference: dict[str, Any]) -> CheckResult:
    from tui.results.table import TrialTable

    cid = "results.best_metric"
    metric = reference.get("metric", "val_acc")
    target, tol = float(reference.get("best_val_acc", 0.0)), float(reference.get("tolerance", 0.03))
    best = TrialTable(tailer, metric).best()
    expected = f"a best {metric} of at least {target - tol:.3f} (reference {target:.3f} - {tol:g})"
    if best is None:
        return CheckResult(cid, False, f"expected {expected}; found no trial that reported {metric}", HINTS[cid])
    if best[metric] < target - tol:
        return CheckResult(cid, False, f"expected {expected}; found {best[metric]:.3f} (trial {best['trial']})",
                           HINTS[cid])
    return CheckResult(cid, True, f"best {metric} {best[metric]:.3f} (trial {best['trial']}); "
                       f"reference {target:.3f}", HINTS[cid])


def _exercise_folder(run_dir: Path) -> Path:
    """The folder a run was submitted from: <exercise>/runs/<id> -> <exercise>."""
    return run_dir.parent.parent if run_dir.parent.name == "runs" else run_dir


def no_run_message(folder: Path | None, what: str = "let it finish") -> tuple[str, str]:
    """"no run yet: ..." and, when the folder's newest job logs tell of a failure, what they say."""
    from tui.checks.failures import explain_failures

    message = f"no run yet: submit job.sh, {what}, then check again"
    note = explain_failures(folder, None) if folder is not None else None
    return (f"{message}; {note.message}", note.details) if note else (message, "")


def results_checks(run_dir: Path | None, reference: dict[str, Any], folder: Path | None = None) -> list[CheckResult]:
    """Both run checks; without a run they fail with "no run yet" (and what the job logs say)."""
    from tui.results.tailer import RunTailer

    if run_dir is None or not run_dir.is_dir():
        message, details = no_run_message(folder)
        return [CheckResult(cid, False, message, HINTS[cid], details) for cid in IDS]
    tailer = RunTailer(run_dir)
    tailer.refresh()
    return [check_complete(tailer, run_dir, reference, folder), check_best(tailer, reference)]
