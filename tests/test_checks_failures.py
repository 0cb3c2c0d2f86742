"""Failed runs explained: the results checks show the telling line of a failed task's log and its hint."""

from __future__ import annotations

import json
import shutil

import pytest

from tui.checks.ex01_results import results_checks
from tui.checks.failures import explain_failures
from tui.resources import solutions_dir

REFERENCE = json.loads((solutions_dir() / "01_random_search" / "reference.json").read_text())
TORCH_LOG = ("Traceback (most recent call last):\n  File \"<frozen runpy>\", line 198, in _run_module_as_main\n"
             "  File \"/w/tui/runtime/train.py\", line 3, in <module>\n    import torch\n"
             "ModuleNotFoundError: No module named 'torch'\n")


def exercise(tmp_path, job: str = "33", array: str = "0-3"):
    """An exercise folder with a submitted run of `job` (job.sh and run.json as the app records them)."""
    folder = tmp_path / "01_random_search"
    shutil.copytree(solutions_dir() / "01_random_search", folder)
    text = (folder / "job.sh").read_text()
    run = folder / "runs" / job
    run.mkdir(parents=True)
    (run / "job.sh").write_text(text.replace("#SBATCH --array=0-31%8", f"#SBATCH --array={array}"))
    (run / "run.json").write_text(json.dumps({"backend": "local", "job_id": job, "job_ids": [job]}))
    (folder / "logs").mkdir(exist_ok=True)
    return folder, run


def log(folder, name: str, text: str) -> None:
    (folder / "logs" / name).write_text(text)


def trial(run, task: int, status: str, reason: str = "") -> None:
    path = run / "trials" / f"{task:04d}"
    path.mkdir(parents=True)
    (path / "params.json").write_text('{"lr": 0.01}')
    (path / "metrics.jsonl").write_text(json.dumps({"step": 1, "val_acc": 0.9}) + "\n" if status != "failed" else "")
    (path / "result.json").write_text(json.dumps({"status": status, "reason": reason}))


def complete_check(folder, run):
    return next(r for r in results_checks(run, REFERENCE, folder) if r.id == "results.trials_complete")


def test_tasks_that_died_before_training_are_explained_from_their_logs(tmp_path):
    folder, run = exercise(tmp_path)
    assert "#SBATCH --output=logs/%x-%A_%a.out" in (run / "job.sh").read_text()
    for task in range(4):
        log(folder, f"random-search-33_{task}.out", TORCH_LOG)
    log(folder, "random-search-12_0.out", "MemoryError\n")  # another job's log: not this run's
    check = complete_check(folder, run)
    assert not check.passed
    assert "found no trials" in check.message
    assert ("4 of 4 task logs end in an error: ModuleNotFoundError: No module named 'torch' — the job's Python "
            "lacks the training packages") in check.message, check.message
    assert "(logs/random-search-33_0.out)" in check.message and "import torch" in check.details


def test_failed_trials_are_counted_and_the_log_of_a_failed_task_is_shown(tmp_path):
    folder, run = exercise(tmp_path)
    for task in (0, 1):
        trial(run, task, "complete")
        log(folder, f"random-search-33_{task}.out", "trial 000{task}: complete\n")
    for task in (2, 3):
        trial(run, task, "failed", "MemoryError: ")
        log(folder, f"random-search-33_{task}.out", "Traceback (most recent call last):\nMemoryError\n")
    check = complete_check(folder, run)
    assert "2 of 4 trials failed: MemoryError — the task ran out of memory" in check.message, check.message
    assert "(logs/random-search-33_2.out)" in check.message


def test_failed_trials_without_logs_give_their_reason(tmp_path):
    folder, run = exercise(tmp_path)
    trial(run, 0, "complete")
    trial(run, 1, "failed", "RuntimeError: training diverged: train_loss became nan in epoch 2")
    note = explain_failures(folder, run, expected=4)
    assert note.message == "1 of 4 trials failed (trial 0001: RuntimeError: training diverged: train_loss became " \
                           "nan in epoch 2)"


def test_without_a_run_the_newest_log_tells_why(tmp_path):
    folder = tmp_path / "01_random_search"
    (folder / "logs").mkdir(parents=True)
    log(folder, "random-search-7_0.out", "/var/spool/slurmd/job7/slurm_script: line 19: SLURM_ARRAY_TASK_ID: "
                                         "unbound variable\n")
    check = results_checks(None, REFERENCE, folder)[0]
    assert "no run yet" in check.message
    assert "SLURM_ARRAY_TASK_ID: unbound variable — `set -u` stopped" in check.message, check.message


def test_logs_of_tasks_that_went_well_add_nothing(tmp_path):
    folder, run = exercise(tmp_path)
    log(folder, "random-search-33_0.out", "trial 0000: complete  best val_acc=0.97\n")
    assert explain_failures(folder, run) is None
    assert "task logs" not in complete_check(folder, run).message


def test_a_huge_log_is_read_only_at_its_end(tmp_path):
    folder, run = exercise(tmp_path)
    with open(folder / "logs" / "random-search-33_0.out", "w") as handle:
        handle.write(("x" * 1000 + "\n") * 20_000)  # 20 MB of noise, then the cause
        handle.write(TORCH_LOG)
    note = explain_failures(folder, run)
    assert "No module named 'torch'" in note.message


def test_exercise_2_study_checks_explain_a_run_without_a_journal(tmp_path):
    pytest.importorskip("optuna")
    from tui.checks.ex02_study import study_checks

    folder = tmp_path / "02_optuna"
    run = folder / "runs" / "41"
    run.mkdir(parents=True)
    (run / "job.sh").write_text("#!/bin/bash\n#SBATCH --array=0-1\n#SBATCH --output=logs/%x-%A_%a.out\n"
                                "#SBATCH --job-name=optuna\npython -m tui.runtime.optuna_worker\n")
    (run / "run.json").write_text('{"job_ids": ["41"]}')
    (folder / "logs").mkdir()
    (folder / "logs" / "optuna-41_0.out").write_text("bash: line 7: python: command not found\n")
    results = study_checks(run, {}, folder=folder)
    exists = next(r for r in results if r.id == "study.exists")
    assert not exists.passed and "python: command not found — no `python` on the compute node's PATH" in exists.message
