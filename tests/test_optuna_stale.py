"""Stale-trial recovery: RUNNING trials whose worker's task has ended become FAIL (and may be requeued)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys

import pytest

optuna = pytest.importorskip("optuna")

from tests.test_optuna_worker import ROOT, SLOW, load, start_worker, wait_for_running, write_objective  # noqa: E402
from tui.results import stale  # noqa: E402
from tui.runtime.optuna_worker import make_storage, run_worker, trial_name  # noqa: E402
from tests.waiting import poll as _wait  # noqa: E402

TaskState = optuna.trial.TrialState


def running_trial(study, worker: dict, x: float):
    trial = study.ask()
    study._storage.set_trial_param(trial._trial_id, "x", x, optuna.distributions.FloatDistribution(0.0, 1.0))
    trial.set_user_attr("worker", worker)
    return trial


@pytest.fixture
def study(tmp_path):
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    return optuna.create_study(study_name="hptune", storage=make_storage(tmp_path / "run"), direction="maximize")


def test_task_key_names_the_array_task_the_job_or_the_process():
    assert stale.task_key({"array_job_id": "100", "array_task_id": "3", "job_id": "104"}) == "100_3"
    assert stale.task_key({"job_id": "77", "host": "n1"}) == "77"
    assert stale.task_key({"host": "n1", "pid": 42}) == "pid:n1:42"
    assert stale.task_key({}) is None and stale.task_key(None) is None


def test_trials_of_ended_tasks_fail_with_the_end_state_and_others_are_left_alone(study, tmp_path):
    alive = running_trial(study, {"array_job_id": "100", "array_task_id": "0"}, 0.1)
    cancelled = running_trial(study, {"array_job_id": "100", "array_task_id": "1"}, 0.2)
    timed_out = running_trial(study, {"array_job_id": "100", "array_task_id": "2"}, 0.3)
    unknown = running_trial(study, {"array_job_id": "100", "array_task_id": "3"}, 0.4)
    nobody = study.ask()  # a trial that records no worker cannot be judged
    done = study.ask()
    study.tell(done, 0.5)
    assert stale.running_tasks(study.trials) == ["100_0", "100_1", "100_2", "100_3"]
    states = {"100_0": "RUNNING", "100_1": "CANCELLED by 0", "100_2": "TIMEOUT"}  # 100_3 not reported yet

    marked = stale.recover_stale(study, states)

    assert [(m.number, m.state) for m in marked] == [(cancelled.number, "CANCELLED"), (timed_out.number, "TIMEOUT")]
    by_number = {t.number: t for t in study.trials}
    assert by_number[cancelled.number].state == TaskState.FAIL
    assert "100_1 ended (CANCELLED)" in by_number[cancelled.number].user_attrs["fail_reason"]
    assert by_number[timed_out.number].user_attrs["stale"] is True
    for t in (alive, unknown, nobody):
        assert by_number[t.number].state == TaskState.RUNNING
    assert by_number[done.number].state == TaskState.COMPLETE
    assert stale.recover_stale(study, states) == []  # a second poll changes nothing


def test_requeue_enqueues_the_same_parameters_and_a_worker_runs_them(study, tmp_path):
    trial = running_trial(study, {"array_job_id": "9", "array_task_id": "0"}, 0.25)
    [marked] = stale.recover_stale(study, {"9_0": "NODE_FAIL"}, requeue=True)
    assert marked.requeued
    waiting = [t for t in study.trials if t.state == TaskState.WAITING]
    assert len(waiting) == 1 and waiting[0].system_attrs["fixed_params"] == {"x": 0.25}
    assert waiting[0].user_attrs["requeued_from"] == trial.number
    objective = write_objective(tmp_path, text="def objective(trial):\n    return trial.suggest_float('x', 0.0, 1.0)\n")
    run_worker(tmp_path / "run", objective, 1, pruner="none")
    rerun = load(tmp_path / "run").trials[1]
    assert rerun.state == TaskState.COMPLETE and rerun.params == {"x": 0.25}


def test_recovery_writes_the_missing_result_json_and_keeps_an_existing_one(study, tmp_path):
    run_dir = tmp_path / "run"
    first = running_trial(study, {"job_id": "5"}, 0.5)
    second = running_trial(study, {"job_id": "6"}, 0.6)
    folder = run_dir / "trials" / trial_name(first.number)
    folder.mkdir(parents=True)
    (folder / "params.json").write_text(json.dumps({"x": 0.5}))
    (folder / "metrics.jsonl").write_text('{"step": 1, "val_acc": 0.4}\n{"step": 2, "val_acc": 0.6}\n{"step": 3, "va')
    other = run_dir / "trials" / trial_name(second.number)
    other.mkdir(parents=True)
    (other / "result.json").write_text('{"status": "complete"}')

    stale.recover_stale(study, {"5": "FAILED", "6": "COMPLETED"}, run_dir=run_dir)

    result = json.loads((folder / "result.json").read_text())
    assert result["status"] == "failed" and "ended (FAILED)" in result["reason"]
    assert result["steps"] == 2 and result["best"] == {"val_acc": 0.6, "step": 2}  # half line skipped
    assert result["params"] == {"x": 0.5}
    assert json.loads((other / "result.json").read_text()) == {"status": "complete"}


def test_a_trial_that_finishes_meanwhile_is_not_failed(study, monkeypatch):
    trial = running_trial(study, {"job_id": "8"}, 0.1)
    real = stale.find_stale

    def finish_first(trials, states):  # the worker tells between our read and our write
        found = real(trials, states)
        study.tell(trial, 0.9)
        return found

    monkeypatch.setattr(stale, "find_stale", finish_first)
    assert stale.recover_stale(study, {"8": "COMPLETED"}) == []
    assert study.trials[0].state == TaskState.COMPLETE and study.trials[0].value == 0.9


def test_local_process_states(tmp_path):
    host = "thishost"
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    states = stale.local_process_states([f"pid:{host}:{os.getpid()}", f"pid:{host}:{proc.pid}",
                                         f"pid:otherhost:{os.getpid()}", "123_4"], host=host)
    assert states == {f"pid:{host}:{os.getpid()}": "RUNNING", f"pid:{host}:{proc.pid}": "ENDED"}


def test_a_killed_local_worker_leaves_a_stale_trial_that_recovery_fails_and_the_study_carries_on(tmp_path):
    run_dir = tmp_path / "run"
    proc = start_worker(run_dir, write_objective(tmp_path, text=SLOW), 2, "--pruner", "none")
    try:
        [trial] = wait_for_running(run_dir)
    finally:
        proc.send_signal(signal.SIGKILL)  # no handler can run: the trial stays RUNNING
        proc.communicate(timeout=30)
    study = load(run_dir)
    assert study.trials[0].state == TaskState.RUNNING
    keys = stale.running_tasks(study.trials)
    [marked] = stale.recover_stale(study, stale.local_process_states(keys), requeue=True, run_dir=run_dir)
    assert marked.state == "ENDED"
    assert json.loads((run_dir / "trials" / "0000" / "result.json").read_text())["status"] == "failed"
    quick = write_objective(tmp_path, text="def objective(trial):\n    return trial.suggest_float('x', 0.0, 1.0)\n")
    summary = run_worker(run_dir, quick, 2, pruner="none")
    assert summary["complete"] == 2  # the requeued trial and one more: the budget of 2 is met
    states = [t.state for t in load(run_dir).trials]
    assert states == [TaskState.FAIL, TaskState.COMPLETE, TaskState.COMPLETE]


# ---- the real test cluster ---------------------------------------------------------------------

WORKER_SCRIPT = """\
#!/bin/bash
#SBATCH -J optuna-stale
#SBATCH -a 0-1
#SBATCH -A course
#SBATCH -o {logs}/%x-%A_%a.out
#SBATCH -t 00:05:00
cd {root}
exec {python} -m tui.runtime.optuna_worker --run-dir {run} --objective {objective} --n-trials 4 --pruner none
"""

SLURM_OBJECTIVE = """\
import os
import signal
import time
from pathlib import Path

GO = Path(__file__).with_name("go")

def objective(trial):
    x = trial.suggest_float("x", 0.0, 1.0)
    if os.environ.get("SLURM_ARRAY_TASK_ID") == "0":
        # Task 0 hangs mid-trial and dies at once when cancelled, as on a node failure: the
        # worker's own SIGTERM handler (which fails the trial itself) is switched off.
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        time.sleep(300)
    for _ in range(600):  # task 1 waits until the test has recovered the stale trial
        if GO.exists():
            break
        time.sleep(0.2)
    return x
"""


@pytest.mark.slurm
def test_scancel_of_a_worker_mid_trial_fails_its_trial_within_one_poll(slurm_cluster, tmp_path):
    from tui.cluster.slurm import SlurmBackend, subprocess_runner

    os.chmod(tmp_path, 0o777)
    run_dir, logs = tmp_path / "run", tmp_path / "logs"
    logs.mkdir()
    objective = write_objective(tmp_path, text=SLURM_OBJECTIVE)
    script = tmp_path / "workers.sh"
    script.write_text(WORKER_SCRIPT.format(logs=logs, root=ROOT, python=sys.executable, run=run_dir,
                                           objective=objective))
    backend = SlurmBackend(runner=subprocess_runner(slurm_cluster.env))
    job = backend.submit(script, tmp_path).job_id

    def hung_trial():
        if not (run_dir / "study.journal").exists():
            return None
        try:
            trials = load(run_dir).trials
        except KeyError:  # the journal exists but the study is not created yet
            return None
        return next((t for t in trials if t.state == TaskState.RUNNING
                     and t.user_attrs.get("worker", {}).get("array_task_id") == "0"), None)

    trial = _wait(hung_trial, 120)
    assert trial, f"task 0 never ran a trial\n{slurm_cluster.logs()}"
    assert stale.task_key(trial.user_attrs["worker"]) == f"{job}_0"
    done = slurm_cluster.run("scancel", f"{job}_0")
    assert done.returncode == 0, done.stderr

    def task0_ended():
        states = {t.job_id: t.state for t in backend.status([job])}
        return states if states.get(f"{job}_0") in stale.FINISHED else None

    states = _wait(task0_ended, 60)
    assert states, {t.job_id: t.state for t in backend.status([job])}
    study = load(run_dir)
    assert study.trials[trial.number].state == TaskState.RUNNING  # the journal alone never notices
    marked = stale.recover_stale(study, states, requeue=True, run_dir=run_dir)  # one poll
    assert [m.number for m in marked] == [trial.number]
    failed = load(run_dir).trials[trial.number]
    assert failed.state == TaskState.FAIL and states[f"{job}_0"] in failed.user_attrs["fail_reason"]
    (tmp_path / "go").touch()

    def study_done():  # task 1 carries on and runs the requeued trial within the budget of 4
        trials = load(run_dir).trials
        return trials if sum(t.state == TaskState.COMPLETE for t in trials) == 4 else None

    trials = _wait(study_done, 120)
    assert trials, [(t.number, t.state.name) for t in load(run_dir).trials]
    assert any(t.user_attrs.get("requeued_from") == trial.number for t in trials)
