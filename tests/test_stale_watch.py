"""Stale trials in the app: the study screen's refresh asks the scheduler (one call for all the
run's jobs, at most once per poll interval) and fails the trials whose task has ended."""

from __future__ import annotations

import json
import os
import shutil
import signal
import sys
import time
from pathlib import Path

import pytest

optuna = pytest.importorskip("optuna")

from tests.apphelpers import app_for  # noqa: E402
from tui.cluster.backend import TaskState  # noqa: E402
from tui.results import stale  # noqa: E402
from tui.results.stale_watch import StaleWatch, run_job_ids, task_states  # noqa: E402
from tui.runtime.optuna_worker import make_storage  # noqa: E402
from tui.screens.study_data import StudyWatcher  # noqa: E402
from tui.settings import load_settings  # noqa: E402
from tests.waiting import poll as _wait

TS = optuna.trial.TrialState
ROOT = Path(__file__).resolve().parents[1]


class FakeStatus:
    """A scheduler that answers fixed states and counts the calls."""

    def __init__(self, states: dict[str, str], fail: bool = False):
        self.states, self.fail, self.calls = states, fail, []

    def __call__(self, job_ids):
        self.calls.append(list(job_ids))
        if self.fail:
            raise RuntimeError("slurm_load_jobs error: Unable to contact slurm controller")
        return dict(self.states)


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def running(study, task: str, x: float, job: str = "100"):
    trial = study.ask()
    study._storage.set_trial_param(trial._trial_id, "x", x, optuna.distributions.FloatDistribution(0.0, 1.0))
    trial.set_user_attr("worker", {"array_job_id": job, "array_task_id": task, "host": "n1", "pid": 1})
    return trial


@pytest.fixture
def run(tmp_path):
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    run_dir = tmp_path / "run"
    study = optuna.create_study(study_name="hptune", storage=make_storage(run_dir), direction="maximize")
    for task, x in (("0", 0.1), ("1", 0.2), ("2", 0.3)):
        running(study, task, x)
    (run_dir / "run.json").write_text(json.dumps({"backend": "slurm", "job_id": "100", "job_ids": ["100"]}))
    return run_dir, study


ENDED = {"100_0": "RUNNING", "100_1": "CANCELLED by 0", "100_2": "TIMEOUT"}


def by_state(study, state):
    return [t for t in study.get_trials(deepcopy=False) if t.state == state]


def test_ended_tasks_fail_with_one_status_call_and_no_requeue_by_default(run):
    run_dir, study = run
    status = FakeStatus(ENDED)
    watch = StaleWatch(status, clock=Clock())
    found = watch.check(run_dir, study)
    assert status.calls == [["100"]]  # one call for the run's job, not one per trial
    assert sorted((t.number, t.state) for t in found) == [(1, "CANCELLED"), (2, "TIMEOUT")]
    failed = {t.number: t for t in by_state(study, TS.FAIL)}
    assert sorted(failed) == [1, 2]
    assert "ended (CANCELLED)" in failed[1].user_attrs["fail_reason"]
    assert [t.number for t in by_state(study, TS.RUNNING)] == [0]
    assert by_state(study, TS.WAITING) == []  # requeue_stale is off
    assert json.loads((run_dir / "trials" / "0001" / "result.json").read_text())["status"] == "failed"
    assert watch.note() == "2 stale trials failed"


def test_requeue_enqueues_the_stale_trials_parameters_again(run):
    run_dir, study = run
    watch = StaleWatch(FakeStatus(ENDED), requeue=True, clock=Clock())
    found = watch.check(run_dir, study)
    assert all(t.requeued for t in found) and len(found) == 2
    waiting = by_state(study, TS.WAITING)
    assert sorted(t.system_attrs["fixed_params"]["x"] for t in waiting) == [0.2, 0.3]
    assert sorted(t.user_attrs["requeued_from"] for t in waiting) == [1, 2]
    assert watch.note() == "2 stale trials failed, 2 requeued"


def test_checks_at_most_once_per_interval_and_only_with_running_trials(run, tmp_path):
    run_dir, study = run
    status, clock = FakeStatus({"100_0": "RUNNING"}), Clock()
    interval = [10.0]
    watch = StaleWatch(status, clock=clock, interval=lambda: interval[0])  # the poller's interval
    assert watch.check(run_dir, study) == [] and len(status.calls) == 1
    clock.now += 9.0
    watch.check(run_dir, study)
    assert len(status.calls) == 1  # not due yet
    clock.now += 1.0
    status.states = ENDED
    assert len(watch.check(run_dir, study)) == 2 and len(status.calls) == 2
    interval[0] = 40.0  # the poller backed off
    clock.now += 20.0
    watch.check(run_dir, study)
    assert len(status.calls) == 2
    other = optuna.create_study(storage=make_storage(tmp_path / "done"))
    other.tell(other.ask(), 1.0)
    clock.now += 100.0
    assert watch.check(tmp_path / "done", other) == [] and len(status.calls) == 2  # nothing running: no call


def test_an_unreachable_scheduler_leaves_the_trials_alone_and_says_so(run):
    run_dir, study = run
    watch = StaleWatch(FakeStatus(ENDED, fail=True), clock=Clock())
    assert watch.check(run_dir, study) == []
    assert len(by_state(study, TS.RUNNING)) == 3
    assert watch.note() == "scheduler: RuntimeError: slurm_load_jobs error: Unable to contact slurm controller"


def test_job_ids_come_from_run_json_else_from_the_trials(tmp_path):
    assert run_job_ids(tmp_path) == []
    (tmp_path / "run.json").write_text("{not json")
    assert run_job_ids(tmp_path) == []
    (tmp_path / "run.json").write_text(json.dumps({"job_id": "7"}))
    assert run_job_ids(tmp_path) == ["7"]
    status = FakeStatus({"55_1": "FAILED"})
    assert task_states(["55_1", "55_0", "56"], [], status) == {"55_1": "FAILED"}
    assert status.calls == [["55", "56"]]
    assert task_states([f"pid:{os.uname().nodename}:{os.getpid()}"], [], status) == \
        {f"pid:{os.uname().nodename}:{os.getpid()}": "RUNNING"}
    assert len(status.calls) == 1  # a local worker needs no scheduler call


def test_study_watcher_shows_the_failed_trials_in_the_same_refresh(run):
    run_dir, study = run
    watcher = StudyWatcher(run_dir=run_dir, stale=StaleWatch(FakeStatus(ENDED), clock=Clock()))
    snap = watcher.refresh()
    assert snap.view.counts()["fail"] == 2 and snap.view.counts()["running"] == 1
    assert snap.recovered_now == 2 and snap.stale_note == "2 stale trials failed"


@pytest.mark.parametrize("word,value", [("true", True), ("Yes", True), ("1", True), ("on", True),
                                        ("false", False), ("no", False), ("0", False), ("OFF", False)])
def test_requeue_stale_setting_from_the_environment(word, value, tmp_path):
    settings = load_settings(env={"HPTUNE_REQUEUE_STALE": word}, workspace=tmp_path)
    assert settings.requeue_stale is value and settings.problems == []


def test_requeue_stale_bad_values_are_reported_and_the_default_kept(tmp_path):
    config = tmp_path / "config.toml"
    config.write_text("requeue_stale = true\n")
    assert load_settings(env={}, workspace=tmp_path, user_config=config).requeue_stale is True
    settings = load_settings(env={"HPTUNE_REQUEUE_STALE": "maybe"}, workspace=tmp_path, user_config=tmp_path / "x")
    assert settings.requeue_stale is False
    assert settings.problems == ["environment: requeue_stale: expected true/false (or yes/no, 1/0), got 'maybe'"]
    assert load_settings(env={}, workspace=tmp_path, user_config=tmp_path / "x").requeue_stale is False


# ---- the screen: the app's poller, a fake backend ----------------------------------------------


class FakeBackend:
    name = "slurm"

    def __init__(self, tasks):
        self.tasks, self.calls = tasks, []

    def status(self, job_ids):
        self.calls.append(list(job_ids))
        return list(self.tasks)


async def test_study_screen_fails_stale_trials_and_says_how_many(run, tmp_path, monkeypatch):
    from tui.screens.study import StudyScreen

    run_dir, study = run
    backend = FakeBackend([TaskState("100_0", "100", "0", state="RUNNING"),
                           TaskState("100_1", "100", "1", state="CANCELLED"),
                           TaskState("100_2", "100", "2", state="RUNNING")])
    monkeypatch.setattr("tui.cluster.factory.make_backend", lambda settings, name=None, **kw: backend)
    app = app_for(tmp_path / "ws")
    app.settings = app.settings.with_changes(requeue_stale=True)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = StudyScreen(str(run_dir))
        await app.push_screen(screen)
        for _ in range(50):
            await pilot.pause(0.05)
            await app.workers.wait_for_complete()
            if screen.updates:
                break
        summary = str(screen.query_one("#study-summary").content)
        assert "1 failed" in summary and "1 stale trial failed, 1 requeued" in summary
        assert backend.calls == [["100"]]
        assert [n.message for n in app._notifications] == ["1 stale trial failed, 1 requeued"]
        assert app.job_service.poller.watched() == ["100"]  # the app's one poller
        await pilot.press("escape")
        await pilot.pause()
        assert app.job_service.poller.watched() == []  # a closed screen stops the polling
    failed = by_state(study, TS.FAIL)
    assert [t.number for t in failed] == [1]
    assert [t.user_attrs["requeued_from"] for t in by_state(study, TS.WAITING)] == [1]


# ---- the real test cluster ---------------------------------------------------------------------

WORKERS = """\
#!/bin/bash
#SBATCH -J optuna-solution
#SBATCH -a 0-1
#SBATCH -A course
#SBATCH -o {logs}/%x-%A_%a.out
#SBATCH -t 00:20:00
cd {solution}
exec {python} -m tui.runtime.optuna_worker --run-dir {run} --objective objective.py --n-trials 10 \\
    --epochs 10 --pruner none --seed 0
"""


def _trials(run_dir: Path):
    from tui.results.study import StudyNotFound, StudyReader

    try:
        return StudyReader(run_dir).read().trials
    except (StudyNotFound, KeyError, ValueError):
        return []


@pytest.mark.slurm
@pytest.mark.timeout(1500)  # a hang guard only: the waits below end with the job's tasks
def test_scancel_of_a_solution_worker_fails_its_trial_within_one_refresh(slurm_cluster, tmp_path, monkeypatch):
    from tui.cluster.slurm import SlurmBackend, subprocess_runner
    from tui.cluster.tracking import record_submission
    from tui.services.jobs import JobService
    from tui.settings import Settings

    os.chmod(tmp_path, 0o777)
    solution, run_dir, logs = tmp_path / "solution", tmp_path / "run", tmp_path / "logs"
    shutil.copytree(ROOT / "solutions" / "02_optuna", solution)
    logs.mkdir()
    run_dir.mkdir()
    script = run_dir / "job.sh"
    script.write_text(WORKERS.format(logs=logs, solution=solution, python=sys.executable, run=run_dir))
    backend = SlurmBackend(runner=subprocess_runner(slurm_cluster.env))
    job = backend.submit(script, run_dir).job_id
    record_submission(run_dir, "slurm", job)
    monkeypatch.setenv("SLURM_CONF", slurm_cluster.env["SLURM_CONF"])
    service = JobService(Settings(workspace=tmp_path / "ws", backend="slurm", poll_interval=2.0))
    status, poller = service.status_for("study"), service.poller  # as the study screen asks the scheduler
    watcher = StudyWatcher(run_dir=run_dir, stale=StaleWatch(status, interval=status.interval))
    try:
        victim = _freeze_a_trial_of_task_0(run_dir)
        assert victim, f"task 0 never ran a trial\n{slurm_cluster.logs()}"
        number, pid = victim
        # A signal the worker has no handler for kills it at once, as a node failure or the OOM
        # killer would (scancel's plain SIGTERM lets the worker fail its own trial: not stale).
        done = slurm_cluster.run("scancel", "--full", "--signal=USR1", f"{job}_0")
        assert done.returncode == 0, done.stderr
        os.kill(pid, signal.SIGCONT)  # the pending USR1 is delivered now
        assert _wait(lambda: {t.job_id: t.state for t in backend.status([job])}.get(f"{job}_0") in stale.FINISHED,
                     60, 0.5), {t.job_id: t.state for t in backend.status([job])}
        still = next(t for t in _trials(run_dir) if t.number == number)
        assert still.state == "running", still.user_attrs  # the journal alone never notices
        snap = watcher.refresh()  # one refresh: one poll, then the recovery
        failed = next(t for t in snap.view.trials if t.number == number)
        assert failed.state == "fail" and f"{job}_0 ended" in failed.user_attrs["fail_reason"]
        assert snap.recovered_now == 1 and poller.snapshot.calls == 1

        # Task 1 goes on alone and ends with the study's budget used; waited for by its end, not by a
        # clock. The killed trial counted toward the budget while it was RUNNING: if task 1 asked for
        # its last trial before the refresh above failed it, the study ends with 9 complete, else 10.
        def task_1_state():
            return {t.job_id: t.state for t in backend.status([job])}.get(f"{job}_1")

        assert _wait(lambda: task_1_state() in stale.FINISHED, 1200, 1.0), task_1_state()
        assert task_1_state() == "COMPLETED"
        trials = _trials(run_dir)
        assert not [t for t in trials if t.state == "running"], [(t.number, t.state) for t in trials]
        assert sum(t.state == "complete" for t in trials) >= 9, [(t.number, t.state) for t in trials]
        assert {t.worker_label for t in trials if t.state == "complete"} >= {f"{job}_1"}
    finally:
        slurm_cluster.run("scancel", job)
        service.close()


def _freeze_a_trial_of_task_0(run_dir: Path):
    """Stop task 0's worker (SIGSTOP) while it has a RUNNING trial, so that it is surely mid-trial."""
    for _ in range(600):
        mine = [t for t in _trials(run_dir) if t.state == "running" and t.worker.get("array_task_id") == "0"]
        if mine:
            pid = int(mine[0].worker["pid"])
            os.kill(pid, signal.SIGSTOP)
            frozen = [t for t in _trials(run_dir) if t.state == "running" and t.worker.get("array_task_id") == "0"]
            # Stopped while holding the journal's lock file, it would make every writer wait for
            # Optuna's 30 s grace period (real, but slow for a test): only a lock task 1 lets go of.
            lock_free = _wait(lambda: not (run_dir / "study.journal.lock").exists(), 1.0, 0.02)
            if frozen and lock_free:
                return frozen[0].number, pid
            os.kill(pid, signal.SIGCONT)  # it had just finished that trial, or holds the lock: again
        time.sleep(0.05)
    return None
