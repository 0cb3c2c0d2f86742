"""The study reader: snapshots of a journal study for the study screen."""

from __future__ import annotations

import pytest

optuna = pytest.importorskip("optuna")

from tui.results.study import StudyNotFound, StudyReader, param_importances  # noqa: E402
from tui.runtime.optuna_worker import make_storage  # noqa: E402

TrialState = optuna.trial.TrialState


def worker(task: int) -> dict:
    return {"array_job_id": "42", "array_task_id": str(task), "job_id": str(50 + task), "host": "node1"}


@pytest.fixture
def run_dir(tmp_path):
    """A journal study: 4 complete trials, 1 pruned, 1 failed, 1 running, on two workers."""
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    run = tmp_path / "run"
    study = optuna.create_study(study_name="hptune", storage=make_storage(run), direction="maximize",
                                sampler=optuna.samplers.RandomSampler(seed=1))
    study.set_user_attr("pruner", "median")
    for i, value in enumerate([0.5, 0.8, 0.7, 0.9]):
        trial = study.ask()
        trial.suggest_float("lr", 1e-4, 1e-1, log=True)
        trial.suggest_float("dropout", 0.0, 0.5)
        trial.set_user_attr("worker", worker(i % 2))
        for step in (1, 2, 3):
            trial.report(value * step / 3, step)
        study.tell(trial, value)
    pruned = study.ask()
    pruned.suggest_float("lr", 1e-4, 1e-1, log=True)
    pruned.set_user_attr("worker", worker(1))
    pruned.report(0.1, 1)
    study.tell(pruned, state=TrialState.PRUNED)
    failed = study.ask()
    failed.set_user_attr("worker", worker(0))
    study.tell(failed, state=TrialState.FAIL)
    running = study.ask()
    running.set_user_attr("worker", worker(1))
    return run


def test_snapshot_counts_best_and_history(run_dir):
    view = StudyReader(run_dir).read()
    assert view.name == "hptune" and view.maximize and view.user_attrs["pruner"] == "median"
    assert view.counts() == {"complete": 4, "pruned": 1, "fail": 1, "running": 1, "waiting": 0}
    assert view.best().number == 3 and view.best().value == 0.9
    assert view.best_so_far() == [(0, 0.5, 0.5), (1, 0.8, 0.8), (2, 0.7, 0.8), (3, 0.9, 0.9)]
    assert view.steps_run() == 13  # 4 x 3 epochs + 1 epoch of the pruned trial


def test_curves_can_hide_pruned_trials(run_dir):
    view = StudyReader(run_dir).read()
    assert sorted(view.curves()) == [0, 1, 2, 3, 4]
    assert sorted(view.curves(hide_pruned=True)) == [0, 1, 2, 3]
    assert [s for s, _ in view.curves()[1]] == [1, 2, 3]
    assert [v for _, v in view.curves()[1]] == pytest.approx([0.8 / 3, 1.6 / 3, 0.8])


def test_workers_and_timeline(run_dir):
    view = StudyReader(run_dir).read()
    workers = view.workers()
    assert sorted(workers) == ["42_0", "42_1"]
    assert [t.number for t in workers["42_0"]] == [0, 2, 5]
    bars = view.timeline(now=None)
    assert len(bars) == 7 and min(b[2] for b in bars) == 0.0
    assert all(end >= start for _, _, start, end, _ in bars)
    assert {b[4] for b in bars} == {"complete", "pruned", "fail", "running"}


def test_slices_contour_and_log_scale(run_dir):
    view = StudyReader(run_dir).read()
    assert view.param_names() == ["lr", "dropout"]
    assert len(view.slice("lr")) == 4 and len(view.contour("lr", "dropout")) == 4
    assert view.is_log("lr") and not view.is_log("dropout")


def test_refresh_sees_new_trials_of_a_live_study(run_dir):
    reader = StudyReader(run_dir)
    assert len(reader.read().trials) == 7
    writer = optuna.load_study(study_name="hptune", storage=make_storage(run_dir))
    writer.enqueue_trial({"lr": 0.01})
    assert reader.read().counts()["waiting"] == 1


def test_pareto_front_of_two_objectives(tmp_path):
    study = optuna.create_study(study_name="two", storage=make_storage(tmp_path),
                                directions=["maximize", "minimize"])
    for acc, cost in [(0.9, 5.0), (0.8, 1.0), (0.85, 6.0), (0.95, 9.0), (0.7, 1.0)]:
        trial = study.ask()
        study.tell(trial, [acc, cost])
    view = StudyReader(tmp_path).read()
    assert view.directions == ["maximize", "minimize"]
    assert sorted((t.values[0], t.values[1]) for t in view.pareto_front()) == [(0.8, 1.0), (0.9, 5.0), (0.95, 9.0)]


def test_no_journal_is_a_clear_error_and_creates_nothing(tmp_path):
    with pytest.raises(StudyNotFound, match="does not exist"):
        StudyReader(tmp_path).read()
    assert not (tmp_path / "study.journal").exists()
    with pytest.raises(ValueError):
        StudyReader()


def test_an_unknown_study_name_is_a_clear_error(run_dir):
    with pytest.raises(StudyNotFound, match="no study named 'other'"):
        StudyReader(run_dir, study_name="other").read()


def test_importances_need_enough_trials(run_dir, tmp_path):
    reader = StudyReader(run_dir)
    importances = param_importances(reader.study())
    assert set(importances) == {"lr", "dropout"}
    empty = optuna.create_study(storage=make_storage(tmp_path / "empty"))
    assert param_importances(empty) == {}


def test_compare_with_random_search_at_equal_trials(run_dir):
    from tui.results.study import best_so_far, compare

    assert best_so_far([0.3, 0.2, 0.5]) == [0.3, 0.3, 0.5]
    assert best_so_far([3, 4, 1], maximize=False) == [3, 3, 1]
    view = StudyReader(run_dir).read()
    out = compare(view, [0.6, 0.65, 0.7, 0.72, 0.74, 0.9, 0.95], epochs_per_trial=3)
    assert out["n"] == 5  # 4 complete + 1 pruned trial; failed and running ones are not compared
    assert out["study"] == [0.5, 0.8, 0.8, 0.9, 0.9]
    assert out["other"] == [0.6, 0.65, 0.7, 0.72, 0.74]
    assert (out["epochs_run"], out["epochs_full"]) == (13, 15)
    assert out["epochs_saved"] == pytest.approx(2 / 15, abs=1e-4)
    assert compare(view, [], 3)["n"] == 0 and compare(view, [], 3)["epochs_saved"] == 0.0
