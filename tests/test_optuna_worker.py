"""The Optuna worker of exercise 2: shared journal, study-wide budget, trial files, pruning, bad input."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

optuna = pytest.importorskip("optuna")

from tui.runtime import optuna_worker as ow  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]

# A cheap objective: a quadratic reported over 5 steps (no torch), slow enough that two
# workers overlap. Trials with x far from 1 are worse at every step, so the median prunes them.
QUADRATIC = """\
import time
import optuna

SLEEP = {sleep}

def objective(trial):
    x = trial.suggest_float("x", -5.0, 5.0)
    for step in range(1, 6):
        time.sleep(SLEEP)
        trial.report(-(x - 1.0) ** 2 - 1.0 / step, step)
        if trial.should_prune():
            raise optuna.TrialPruned()
    return -(x - 1.0) ** 2
"""


def write_objective(folder: Path, sleep: float = 0.0, text: str = QUADRATIC) -> Path:
    path = folder / "objective.py"
    path.write_text(text.format(sleep=sleep) if "{sleep}" in text else text)
    return path


def worker_cmd(run_dir: Path, objective: Path, n_trials: int, *extra: str) -> list[str]:
    return [sys.executable, "-m", "tui.runtime.optuna_worker", "--run-dir", str(run_dir),
            "--objective", str(objective), "--n-trials", str(n_trials), *extra]


def start_worker(run_dir: Path, objective: Path, n_trials: int, *extra: str) -> subprocess.Popen:
    return subprocess.Popen(worker_cmd(run_dir, objective, n_trials, *extra), cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def load(run_dir: Path):
    storage = optuna.storages.JournalStorage(
        optuna.storages.journal.JournalFileBackend(str(run_dir / "study.journal")))
    return optuna.load_study(study_name=ow.DEFAULT_STUDY, storage=storage)


def read_result(run_dir: Path, number: int) -> dict:
    return json.loads((run_dir / "trials" / ow.trial_name(number) / "result.json").read_text())


def test_two_workers_share_the_budget_with_no_trial_lost_or_duplicated(tmp_path):
    objective = write_objective(tmp_path, sleep=0.02)
    run_dir = tmp_path / "run"
    procs = [start_worker(run_dir, objective, 24, "--pruner", "median", "--worker-index", str(i))
             for i in range(2)]
    outs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    summaries = [json.loads(out.strip().splitlines()[-1]) for out, _ in outs]
    trials = load(run_dir).trials
    assert sorted(t.number for t in trials) == list(range(24))  # exactly the budget, none twice
    states = {t.state.name for t in trials}
    assert states <= {"COMPLETE", "PRUNED"}
    assert sum(s["complete"] + s["pruned"] for s in summaries) == 24  # every trial ran on one worker
    assert "PRUNED" in states  # the median pruner stopped the far-off quadratics
    folders = sorted(p.name for p in (run_dir / "trials").iterdir())
    assert folders == [ow.trial_name(n) for n in range(24)]
    for t in trials:
        result = read_result(run_dir, t.number)
        assert result["status"] == {"COMPLETE": "complete", "PRUNED": "pruned"}[t.state.name]
        assert json.loads((run_dir / "trials" / ow.trial_name(t.number) / "params.json").read_text()) == t.params
        assert t.user_attrs["worker"]["pid"] == result["worker"]["pid"]
    pids = {t.user_attrs["worker"]["pid"] for t in trials}
    assert pids == {p.pid for p in procs}  # both workers took trials
    assert {s["sampler_seed"] for s in summaries} == {0, 1}  # TPE seeded per worker
    assert load(run_dir).user_attrs["storage"] == "journal"


def test_a_late_worker_joins_and_stops_at_once_when_the_budget_is_used(tmp_path):
    objective = write_objective(tmp_path)
    run_dir = tmp_path / "run"
    assert ow.run_worker(run_dir, objective, 6, pruner="none", direction="maximize")["complete"] == 6
    late = ow.run_worker(run_dir, objective, 6, pruner="none", index=1)
    assert late["complete"] == 0 and late["stopped"] == "trial budget used up"
    more = ow.run_worker(run_dir, objective, 8, pruner="none", index=2)  # a larger budget goes on
    assert more["complete"] == 2 and len(load(run_dir).trials) == 8


def _fail_as_stale(study):
    trial = study.ask()
    study._storage.set_trial_user_attr(trial._trial_id, "stale", True)
    study.tell(trial, state=optuna.trial.TrialState.FAIL)


def test_queued_trials_run_first_and_stale_failures_do_not_count(tmp_path):
    objective = write_objective(tmp_path)
    run_dir = tmp_path / "run"
    ow.run_worker(run_dir, objective, 3, pruner="none")
    study = load(run_dir)
    _fail_as_stale(study)  # trial 3: its worker died; recovery requeued its parameters
    study.enqueue_trial({"x": 1.0})
    assert ow.run_worker(run_dir, objective, 4, pruner="none")["complete"] == 1
    trials = load(run_dir).trials
    assert trials[4].params == {"x": 1.0} and trials[4].value == 0.0  # the queued trial took the slot
    _fail_as_stale(study)  # trial 5: stale, not requeued: its slot is owed to the study
    assert ow.run_worker(run_dir, objective, 5, pruner="none")["complete"] == 1
    assert [t.state.name for t in load(run_dir).trials].count("COMPLETE") == 5


def test_time_budget_stops_the_worker(tmp_path):
    objective = write_objective(tmp_path, sleep=0.05)
    summary = ow.run_worker(tmp_path / "run", objective, 1000, timeout=0.6, pruner="none")
    assert summary["stopped"] == "time budget used up"
    assert 1 <= summary["complete"] < 20


FAILING = """\
def objective(trial):
    x = trial.suggest_float("x", 0.0, 1.0)
    raise ValueError(f"broken objective at x={x:.2f}")
"""


def test_failing_objective_fails_its_trials_with_the_reason_and_the_worker_gives_up(tmp_path):
    objective = write_objective(tmp_path, text=FAILING)
    run_dir = tmp_path / "run"
    proc = subprocess.run(worker_cmd(run_dir, objective, 50), cwd=ROOT, capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 1
    summary = json.loads(proc.stdout)
    assert summary["failed"] == ow.MAX_CONSECUTIVE_FAILURES and "fix the objective" in summary["stopped"]
    trial = load(run_dir).trials[0]
    assert trial.state.name == "FAIL" and "broken objective" in trial.user_attrs["fail_reason"]
    result = read_result(run_dir, 0)
    assert result["status"] == "failed" and "ValueError: broken objective" in result["reason"]
    assert "traceback" in result


@pytest.mark.parametrize("value", ["float('nan')", "'0.9'", "None"])
def test_a_non_number_or_nan_value_fails_the_trial(tmp_path, value):
    objective = write_objective(tmp_path, text=f"def objective(trial):\n    return {value}\n")
    summary = ow.run_worker(tmp_path / "run", objective, 1, pruner="none")
    assert summary["failed"] == 1
    assert read_result(tmp_path / "run", 0)["status"] == "failed"


@pytest.mark.parametrize("url", ["sqlite:///study.db", "sqlite+pysqlite:///x.db"])
def test_sqlite_is_refused_with_the_reason_and_nothing_is_created(tmp_path, url):
    objective = write_objective(tmp_path)
    proc = subprocess.run(worker_cmd(tmp_path / "run", objective, 3, "--storage", url), cwd=tmp_path,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert "SQLite is refused" in proc.stderr and "NFS" in proc.stderr
    assert not list(tmp_path.glob("*.db")) and not (tmp_path / "run" / "study.journal").exists()


def test_unknown_storage_and_missing_objective_exit_2(tmp_path):
    objective = write_objective(tmp_path)
    with pytest.raises(ow.StorageRefused, match="postgresql"):
        ow.make_storage(tmp_path, "redis://localhost")
    proc = subprocess.run(worker_cmd(tmp_path / "run", tmp_path / "nope.py", 3), cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and "nope.py does not exist" in proc.stderr
    proc = subprocess.run(worker_cmd(tmp_path / "run", objective, 0), cwd=ROOT, capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 2 and "--n-trials" in proc.stderr
    (tmp_path / "empty.py").write_text("x = 1\n")
    with pytest.raises(AttributeError, match="defines no function objective"):
        ow.load_objective(tmp_path / "empty.py")


def test_pruner_and_sampler_choices():
    assert isinstance(ow.make_pruner("median"), optuna.pruners.MedianPruner)
    assert isinstance(ow.make_pruner("sha"), optuna.pruners.SuccessiveHalvingPruner)
    assert isinstance(ow.make_pruner("hyperband"), optuna.pruners.HyperbandPruner)
    assert isinstance(ow.make_pruner("none"), optuna.pruners.NopPruner)
    with pytest.raises(ValueError, match="median"):
        ow.make_pruner("asha")
    with pytest.raises(ValueError, match="tpe"):
        ow.make_sampler("grid", 0)


def test_worker_records_the_array_task_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("SLURM_ARRAY_JOB_ID", "500")
    monkeypatch.setenv("SLURM_ARRAY_TASK_ID", "3")
    monkeypatch.setenv("SLURM_JOB_ID", "503")
    summary = ow.run_worker(tmp_path / "run", write_objective(tmp_path), 2, pruner="none", seed=10)
    assert summary["sampler_seed"] == 13
    worker = load(tmp_path / "run").trials[0].user_attrs["worker"]
    assert (worker["array_job_id"], worker["array_task_id"], worker["job_id"]) == ("500", "3", "503")
    assert worker["host"]


SLOW = """\
import time

def objective(trial):
    trial.suggest_float("x", 0.0, 1.0)
    time.sleep(60)
    return 1.0
"""


def wait_for_running(run_dir: Path, timeout: float = 30.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        running = []
        if (run_dir / "study.journal").exists():
            try:
                running = [t for t in load(run_dir).trials if t.state.name == "RUNNING"]
            except KeyError:  # the journal exists but the study is not created yet
                pass
        if running:
            return running
        time.sleep(0.1)
    raise AssertionError("no trial started running")


def test_sigterm_fails_the_running_trial_and_stops_the_worker(tmp_path):
    run_dir = tmp_path / "run"
    proc = start_worker(run_dir, write_objective(tmp_path, text=SLOW), 5, "--pruner", "none")
    try:
        [trial] = wait_for_running(run_dir)
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=30)
    finally:
        proc.kill()
    assert proc.returncode == 143
    [trial] = load(run_dir).trials
    assert trial.state.name == "FAIL" and "SIGTERM" in trial.user_attrs["fail_reason"]
    assert read_result(run_dir, 0)["status"] == "failed"


def test_fit_trains_the_solution_objective_and_writes_exercise_1_files(tmp_path):
    pytest.importorskip("torch")
    objective = ROOT / "solutions" / "02_optuna" / "objective.py"
    run_dir = tmp_path / "run"
    summary = ow.run_worker(run_dir, objective, 3, pruner="none", epochs=3, device="cpu")
    assert summary["complete"] == 3
    study = load(run_dir)
    for trial in study.trials:
        folder = run_dir / "trials" / ow.trial_name(trial.number)
        rows = [json.loads(line) for line in (folder / "metrics.jsonl").read_text().splitlines()]
        assert [r["step"] for r in rows] == [1, 2, 3]
        assert trial.intermediate_values == {r["step"]: r["val_acc"] for r in rows}
        assert trial.value == max(r["val_acc"] for r in rows)
        params = json.loads((folder / "params.json").read_text())
        assert params["lr"] == trial.params["lr"] and params["epochs"] == 3
        assert read_result(run_dir, trial.number)["status"] == "complete"
    from tui.results.tailer import RunTailer

    tailer = RunTailer(run_dir)  # exercise 1's reader sees the same trials
    tailer.refresh()
    assert tailer.counts() == {"complete": 3}


def test_fit_outside_a_worker_just_trains(tmp_path):
    pytest.importorskip("torch")
    study = optuna.create_study(direction="maximize")
    trial = study.ask()
    out = ow.fit(trial, {"lr": 1e-2, "epochs": 2})
    assert out["best"]["step"] in (1, 2) and len(out["history"]) == 2
    assert not list(tmp_path.iterdir()) and not os.path.exists("trials")
