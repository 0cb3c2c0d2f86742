"""Exercise 2's checks: the starter fails them, the solution passes them, bad input fails cleanly."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

optuna = pytest.importorskip("optuna")

from tui.checks import ex02  # noqa: E402
from tui.checks.context import CheckContext, load_reference  # noqa: E402
from tui.runtime.optuna_worker import make_storage  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SOLUTION, STARTER = ROOT / "solutions" / "02_optuna", ROOT / "exercises" / "02_optuna"
REFERENCE = load_reference(SOLUTION)


def copy_exercise(src: Path, dest: Path) -> Path:
    dest.mkdir(parents=True)
    for name in ("objective.py", "job.sh"):
        shutil.copy2(src / name, dest / name)
    return dest


def run_workers(folder: Path, n_trials: int = 30, epochs: int = 6, workers: int = 2) -> Path:
    """Run the folder's objective as `workers` processes on one journal, as the array would."""
    return ex02.reference_run(folder, n_trials=n_trials, epochs=epochs, workers=workers)


def check(folder: Path, run_dir: Path | None = None) -> dict[str, tuple[bool, str]]:
    results = ex02.run(CheckContext("02", folder, run_dir, REFERENCE, timeout_s=60))
    assert [r.id for r in results] == list(ex02.CHECK_IDS)
    for r in results:
        assert r.message and r.hints, r.id
    return {r.id: (r.passed, r.message) for r in results}


@pytest.fixture(scope="module")
def solved(tmp_path_factory):
    pytest.importorskip("torch")
    folder = copy_exercise(SOLUTION, tmp_path_factory.mktemp("solution") / "02_optuna")
    run_workers(folder)
    return folder


@pytest.fixture(scope="module")
def started(tmp_path_factory):
    pytest.importorskip("torch")
    folder = copy_exercise(STARTER, tmp_path_factory.mktemp("starter") / "02_optuna")
    run_workers(folder, n_trials=10, epochs=3)
    return folder


def test_the_solution_passes_every_check(solved):
    results = check(solved)
    assert all(passed for passed, _ in results.values()), results


def test_the_starter_fails_before_and_after_a_run(started, tmp_path):
    before = check(copy_exercise(STARTER, tmp_path / "fresh"))
    assert not any(passed for cid, (passed, _) in before.items() if cid != "objective.returns")
    assert before["objective.returns"][0]  # the starter returns the accuracy: its TODOs are elsewhere
    assert "lr is not suggested" in before["objective.log_scale"][1]
    after = check(started)
    failed = {cid for cid, (passed, _) in after.items() if not passed}
    assert {"objective.log_scale", "objective.reports", "study.pruned_trials"} <= failed, after
    for cid in ("study.exists", "study.storage_journal", "study.workers", "study.no_stuck_trials"):
        assert cid not in failed, after[cid]  # the run itself was fine
    assert "never calls trial.report()" in after["study.pruned_trials"][1]


@pytest.mark.parametrize("change, message", [
    (('log=True)', 'log=False)'), "lr has log=False, expected log=True"),
    (('"hidden", 16, 512, log=True', '"hidden", 16, 512'), "hidden has log=False, expected log=True"),
    (('1e-6, 1e-2, log=True', '1e-6, 1e-1, log=True'), "weight_decay on [1e-06, 0.1], expected [1e-06, 0.01]"),
    (('"dropout", 0.0, 0.5', '"dropout", 0.01, 0.5, log=True'), "dropout on [0.01, 0.5]"),
    (('import optuna', 'import optuna\nraise RuntimeError("oops")'), "RuntimeError: oops"),
    (('def objective', 'def objective(:\ndef other'), "SyntaxError"),
])
def test_mistakes_in_the_objective_fail_log_scale_with_what_was_found(tmp_path, change, message):
    folder = copy_exercise(SOLUTION, tmp_path / "ex")
    path = folder / "objective.py"
    text = path.read_text()
    assert change[0] in text
    path.write_text(text.replace(change[0], change[1], 1))
    result = ex02.check_log_scale(*ex02.probe_objective(folder, 60))
    assert not result.passed and message in result.message + result.details, result


REPORT = 'trial.report(metrics["val_acc"], metrics["step"])'
RETURN = 'return result["best"]["val_acc"]'


@pytest.mark.parametrize("change, check_id, message", [
    ((REPORT, "pass"), "objective.reports",
     "the objective never reports intermediate values: the pruner cannot stop a trial"),
    ((REPORT, REPORT.replace("val_acc", "val_loss")), "objective.reports",
     "reports values that fall as training improves: that looks like val_loss in a study that maximises val_acc"),
    ((REPORT, REPORT.replace('metrics["val_acc"]', '-metrics["val_acc"]')), "objective.reports",
     "reports negative values"),
    ((REPORT, 'trial.report(metrics["val_acc"], 0)'), "objective.reports", "reports 1 value for 3 epochs"),
    ((RETURN, "return -result['best']['val_acc']"), "objective.returns", "returns a negative accuracy"),
    ((RETURN, "return result['final']['val_loss']"), "objective.returns", "returns val_loss"),
    ((RETURN, "return 100 * result['best']['val_acc']"), "objective.returns", "not an accuracy in [0, 1]"),
])
def test_a_short_probe_trial_says_what_the_objective_gets_wrong(tmp_path, change, check_id, message):
    """Each mistake fails exactly its check, before any run, with what was found."""
    pytest.importorskip("torch")
    folder = copy_exercise(SOLUTION, tmp_path / "ex")
    path = folder / "objective.py"
    assert change[0] in path.read_text()
    path.write_text(path.read_text().replace(change[0], change[1], 1))
    results = {r.id: r for r in ex02.code_checks(folder, 60)[0]}
    failed = {cid for cid, r in results.items() if not r.passed}
    assert failed == {check_id}, {cid: r.message for cid, r in results.items()}
    assert message in results[check_id].message, results[check_id].message


def test_the_solution_passes_the_probe_and_the_starter_does_not(tmp_path):
    pytest.importorskip("torch")
    solution = {r.id: r for r in ex02.code_checks(copy_exercise(SOLUTION, tmp_path / "sol"), 60)[0]}
    assert all(r.passed for r in solution.values()), {cid: r.message for cid, r in solution.items()}
    assert "reports val_acc every epoch" in solution["objective.reports"].message
    starter = {r.id: r for r in ex02.code_checks(copy_exercise(STARTER, tmp_path / "starter"), 60)[0]}
    assert not starter["objective.reports"].passed and "never reports" in starter["objective.reports"].message
    assert not starter["objective.log_scale"].passed


def test_an_objective_that_fails_in_training_still_gets_its_space_judged(tmp_path):
    folder = copy_exercise(SOLUTION, tmp_path / "ex")
    path = folder / "objective.py"
    path.write_text(path.read_text().replace("result = fit(", "raise ValueError('no training today')\n    result = fit(", 1))
    results = {r.id: r for r in ex02.code_checks(folder, 60)[0]}
    assert results["objective.log_scale"].passed
    for cid in ("objective.reports", "objective.returns"):
        assert not results[cid].passed and "ValueError: no training today" in results[cid].message


def test_a_hanging_objective_times_out(tmp_path):
    folder = tmp_path / "ex"
    folder.mkdir()
    (folder / "objective.py").write_text("while True:\n    pass\n")
    record, error = ex02.probe_objective(folder, 2)
    assert record is None and "did not finish within 2 s" in error


def test_missing_objective(tmp_path):
    result = ex02.check_log_scale(*ex02.probe_objective(tmp_path, 5))
    assert not result.passed and "objective.py is missing" in result.message


def _study(run_dir: Path, workers: int = 2, running: bool = False):
    study = optuna.create_study(study_name="hptune", storage=make_storage(run_dir), direction="maximize")
    study.set_user_attr("n_trials", 12)
    study.set_user_attr("pruner", "median")
    for i in range(12):
        trial = study.ask()
        trial.set_user_attr("worker", {"array_job_id": "7", "array_task_id": str(i % workers)})
        trial.report(0.5, 1)
        if i % 6:
            study.tell(trial, 0.99)
        else:  # 2 of 12 pruned, 10 complete: the reference's minimum
            study.tell(trial, state=optuna.trial.TrialState.PRUNED)
    if running:
        study.ask().set_user_attr("worker", {"array_job_id": "7", "array_task_id": "0"})
    return study


def test_study_checks_name_what_is_wrong(tmp_path):
    from tui.checks.ex02_study import study_checks

    good = tmp_path / "good"
    _study(good)
    results = study_checks(good, REFERENCE)
    assert all(r.passed for r in results), [r.message for r in results if not r.passed]
    lone = tmp_path / "lone"
    _study(lone, workers=1)
    by_id = {r.id: r for r in study_checks(lone, REFERENCE)}
    assert not by_id["study.workers"].passed and "only 7_0" in by_id["study.workers"].message
    stuck = tmp_path / "stuck"
    _study(stuck, running=True)
    by_id = {r.id: r for r in study_checks(stuck, REFERENCE)}
    assert not by_id["study.no_stuck_trials"].passed and "trial 12 (7_0)" in by_id["study.no_stuck_trials"].message
    (good / "job.sh").write_text("#!/bin/bash\npython -m tui.runtime.optuna_worker --storage sqlite:///s.db\n")
    by_id = {r.id: r for r in study_checks(good, REFERENCE)}
    assert not by_id["study.storage_journal"].passed and "sqlite" in by_id["study.storage_journal"].message


def test_no_run_an_empty_run_and_a_broken_journal_fail_every_study_check(tmp_path):
    from tui.checks.ex02_study import IDS, study_checks

    for run_dir, words in ((None, "no run yet"), (tmp_path / "empty", "does not exist"),
                           (tmp_path / "broken", "could not read")):
        if run_dir is not None:
            run_dir.mkdir()
        if words == "could not read":
            (run_dir / "study.journal").write_text('{"op_code": 0, "worker_id": "x"}\nnot json at all\n')
        results = study_checks(run_dir, REFERENCE)
        assert [r.id for r in results] == list(IDS)
        assert all(not r.passed and words in r.message for r in results), [r.message for r in results]


def test_reference_json_is_whole():
    ref = json.loads((SOLUTION / "reference.json").read_text())
    assert ref["exercise"] == "02" and 0.9 < ref["best_val_acc"] <= 1.0
    assert ref["complete"] + ref["pruned"] == ref["n_trials"] and ref["epochs_run"] < ref["epochs_without_pruning"]
