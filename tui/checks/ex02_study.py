"""Exercise 2's run checks: the study in the latest run's journal (study.*)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tui.checks.result import CheckResult

IDS = ("study.exists", "study.storage_journal", "study.complete_trials", "study.pruned_trials",
       "study.workers", "study.no_stuck_trials", "study.best_metric")
HINTS = {
    "study.exists": [
        "Submit job.sh (the worker array) and let at least one worker start, then check again.",
        "Each worker opens <run>/study.journal with load_if_exists=True; the worker's log "
        "(logs/<job>-<array id>_<task>.out) says why it did not.",
    ],
    "study.storage_journal": [
        "Leave --storage out: the workers then share <run>/study.journal through JournalFileBackend.",
        "SQLite is refused for parallel workers: its fcntl() locks break on cluster file systems (NFS, Lustre).",
    ],
    "study.complete_trials": [
        "Let the workers use up the trial budget (--n-trials counts trials of the whole study).",
        "A worker stops at its --timeout: give the job's --time a margin above it.",
        "Failed trials say why in trials/<n>/result.json (reason) and in the worker's log.",
    ],
    "study.pruned_trials": [
        "Choose a pruner (--pruner median) and report every epoch: trial.report(val_acc, step).",
        "on_epoch must return trial.should_prune(): True stops the trial as pruned.",
        "The median pruner waits for 5 finished trials and 2 epochs before it prunes: run enough trials.",
    ],
    "study.workers": [
        "Submit the script as an array (#SBATCH --array=0-3): one worker per array task.",
        "Each trial records its worker in the user attribute 'worker'; one worker alone is not parallel.",
    ],
    "study.no_stuck_trials": [
        "Wait until every worker has ended: a live worker's trial is RUNNING on purpose.",
        "A killed worker (scancel, time limit) leaves its trial RUNNING for ever: the journal has no heartbeat.",
        "Recover stale trials in the study screen: they become FAIL, and their parameters can be queued again.",
    ],
    "study.best_metric": [
        "TPE with pruning should reach about the reference's best at the same budget.",
        "A much lower best often means lr or weight_decay are not on a log scale, or epochs were cut.",
    ],
}


def _fail_all(message: str, note=None) -> list[CheckResult]:
    """Every study check failed with `message`, and the cause from the job logs when `note` has one."""
    if note is not None:
        message, details = f"{message}; {note.message}", note.details
    else:
        details = ""
    return [CheckResult(cid, False, message, HINTS[cid], details) for cid in IDS]


def check_storage(run_dir: Path, view) -> CheckResult:
    cid = "study.storage_journal"
    script = run_dir / "job.sh"
    text = script.read_text(encoding="utf-8", errors="replace") if script.is_file() else ""
    if "sqlite:" in text:
        return CheckResult(cid, False, f"{script.name} names an sqlite:// storage; expected the journal file "
                           "(parallel workers must not share SQLite)", HINTS[cid])
    storage = view.user_attrs.get("storage", "journal")
    return CheckResult(cid, True, f"the workers share {storage} storage ({run_dir.name}/study.journal)", HINTS[cid])


def check_complete(view, reference: dict[str, Any], note=None) -> CheckResult:
    cid = "study.complete_trials"
    counts = view.counts()
    need = int(reference.get("min_complete", 10))
    budget = view.user_attrs.get("n_trials")
    ended = counts["complete"] + counts["pruned"]
    found = ", ".join(f"{n} {s}" for s, n in counts.items() if n) or "no trials"
    if counts["complete"] < need:
        cause = f"; {note.message}" if note is not None and counts["fail"] else ""
        return CheckResult(cid, False, f"expected at least {need} complete trials; found {found}{cause}", HINTS[cid],
                           note.details if cause else "")
    if budget and ended + counts["fail"] < int(budget):
        return CheckResult(cid, False, f"expected the trial budget of {budget} used up; found {found}", HINTS[cid])
    return CheckResult(cid, True, f"{found} (budget {budget})", HINTS[cid])


def check_pruned(view, reference: dict[str, Any], probe: dict[str, Any] | None) -> CheckResult:
    cid = "study.pruned_trials"
    pruned, need = view.counts()["pruned"], int(reference.get("min_pruned", 1))
    if pruned >= need:
        return CheckResult(cid, True, f"{pruned} trials were pruned (pruner {view.user_attrs.get('pruner', '?')})",
                           HINTS[cid])
    why = ""
    if view.user_attrs.get("pruner") == "none":
        why = "; the workers ran with --pruner none"
    elif probe is not None and not probe.get("reported"):
        why = "; your objective never calls trial.report(), so no pruner can compare trials"
    elif not any(t.intermediate for t in view.trials):
        why = "; no trial reported an intermediate value"
    return CheckResult(cid, False, f"expected at least {need} pruned trial(s); found {pruned}{why}", HINTS[cid])


def check_workers(view) -> CheckResult:
    cid = "study.workers"
    workers = view.workers()
    if len(workers) < 2:
        found = f"only {next(iter(workers))}" if workers else "no trial that records its worker"
        return CheckResult(cid, False, f"expected trials from at least 2 workers; found {found}", HINTS[cid])
    return CheckResult(cid, True, f"{len(workers)} workers took part: " + ", ".join(
        f"{w} ({len(ts)} trials)" for w, ts in list(workers.items())[:6]), HINTS[cid])


def check_stuck(view) -> CheckResult:
    cid = "study.no_stuck_trials"
    running = [t for t in view.trials if t.state == "running"]
    if running:
        names = ", ".join(f"{t.number} ({t.worker_label})" for t in running[:5])
        return CheckResult(cid, False, f"expected no RUNNING trial once the workers ended; found "
                           f"{len(running)}: trial {names}", HINTS[cid])
    return CheckResult(cid, True, "no trial is left RUNNING", HINTS[cid])


def check_best(view, reference: dict[str, Any]) -> CheckResult:
    cid = "study.best_metric"
    target, tol = float(reference.get("best_val_acc", 0.0)), float(reference.get("tolerance", 0.03))
    expected = f"a best val_acc of at least {target - tol:.3f} (reference {target:.3f} - {tol:g})"
    best = view.best()
    if best is None:
        return CheckResult(cid, False, f"expected {expected}; found no complete trial", HINTS[cid])
    if best.value < target - tol:
        return CheckResult(cid, False, f"expected {expected}; found {best.value:.3f} (trial {best.number})",
                           HINTS[cid])
    return CheckResult(cid, True, f"best val_acc {best.value:.3f} (trial {best.number}); reference {target:.3f}",
                       HINTS[cid])


def study_checks(run_dir: Path | None, reference: dict[str, Any], probe: dict[str, Any] | None = None,
                 folder: Path | None = None) -> list[CheckResult]:
    """All study checks; without a run (or a journal) every one fails and says what is missing, and
    what the workers' logs say when they tell of a failure (folder: the exercise folder)."""
    from tui.checks.failures import explain_failures
    from tui.results.study import StudyNotFound, StudyReader

    if folder is None and run_dir is not None:
        folder = Path(run_dir).parent.parent if Path(run_dir).parent.name == "runs" else Path(run_dir)
    if run_dir is None or not Path(run_dir).is_dir():
        note = explain_failures(folder, None) if folder is not None else None
        return _fail_all("no run yet: submit job.sh, let the workers finish, then check again", note)
    try:
        view = StudyReader(run_dir).read()
    except StudyNotFound as exc:
        return _fail_all(str(exc), explain_failures(folder, Path(run_dir)))
    except Exception as exc:  # a journal that Optuna cannot replay: say so, do not crash the app
        return _fail_all(f"could not read {Path(run_dir).name}/study.journal: {type(exc).__name__}: {exc}")
    exists = CheckResult("study.exists", True, f"study {view.name!r} with {len(view.trials)} trials in "
                         f"{Path(run_dir).name}/study.journal", HINTS["study.exists"])
    note = explain_failures(folder, Path(run_dir), view.user_attrs.get("n_trials")) if view.counts()["fail"] else None
    return [exists, check_storage(Path(run_dir), view), check_complete(view, reference, note),
            check_pruned(view, reference, probe), check_workers(view), check_stuck(view),
            check_best(view, reference)]
