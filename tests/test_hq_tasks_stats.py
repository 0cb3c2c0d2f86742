"""Running tiny tasks (one per process, or a worker loop) and the figures computed from their files."""

from __future__ import annotations

import json

import pytest

from tui.results.tiny_stats import (TaskRecord, gantt_bars, load_tasks, max_concurrency, oversubscribed, summarize,
                                    waits)
from tui.runtime import tiny_tasks

SWEEP = [{"batch_size": b, "threads": 1, "packing": False, "budget_s": 0.001, "warmup": 0} for b in (1, 2, 4)]


def _fake_measure(batch_size, **_):
    if batch_size == 2:
        raise RuntimeError("out of memory, say")
    return {"seq_per_s": 100.0 * batch_size, "peak_mem_gb": 0.1, "timed_s": 0.001}


def test_worker_loop_writes_one_result_per_task_and_survives_a_failure(tmp_path):
    failed = tiny_tasks.run_loop(tmp_path, SWEEP, _fake_measure)
    assert failed == 1
    records, broken = load_tasks(tmp_path)
    assert broken == [] and [r.task for r in records] == [0, 1, 2]
    assert [r.status for r in records] == ["complete", "failed", "complete"]
    assert {r.mode for r in records} == {"worker_loop"}
    stats = summarize(records)
    assert stats["complete"] == 2 and stats["failed"] == 1 and stats["lanes"] == 1
    assert stats["best"]["task"] == 2 and stats["best"]["seq_per_s"] == 400.0
    result = json.loads((tmp_path / "trials" / "00001" / "result.json").read_text())
    assert "out of memory" in result["reason"]


def test_main_runs_the_task_from_the_environment(tmp_path, monkeypatch):
    tiny_tasks.save_sweep(tmp_path, SWEEP)
    monkeypatch.setenv("HQ_TASK_ID", "2")
    assert tiny_tasks.main(["--run-dir", str(tmp_path), "--engine", "toy"]) == 0
    result = json.loads((tmp_path / "trials" / "00002" / "result.json").read_text())
    assert result["status"] == "complete" and result["mode"] == "hyperqueue" and result["seq_per_s"] > 0
    assert result["cpus"] >= 1 and result["runner"] == "hyperqueue"
    assert result["launched"] <= result["ready"] <= result["started"] <= result["ended"]
    assert "submitted" not in result  # only a real SLURM says when it got the job


def test_a_worker_loop_is_ready_after_its_imports_once_and_takes_later_tasks_at_once(tmp_path):
    tiny_tasks.run_loop(tmp_path, SWEEP, lambda **c: {"seq_per_s": 1.0, "timed_s": 0.001}, indices=[0, 2],
                        launched=100.0, ready=101.0)
    records, _ = load_tasks(tmp_path)
    assert (records[0].launched, records[0].ready) == (100.0, 101.0)
    later = records[1]
    assert later.launched == later.ready and records[0].ended <= later.launched <= later.started


def test_main_refuses_a_task_outside_the_sweep_and_a_missing_sweep(tmp_path, capsys):
    assert tiny_tasks.main(["--run-dir", str(tmp_path), "--task", "0"]) == 2
    assert "sweep.json is missing" in capsys.readouterr().err
    tiny_tasks.save_sweep(tmp_path, SWEEP)
    assert tiny_tasks.main(["--run-dir", str(tmp_path), "--task", "7"]) == 2
    assert "not in the sweep (0-2)" in capsys.readouterr().err


@pytest.mark.parametrize("text", ["", "{}", "[]", "[1, 2]", "not json"])
def test_a_bad_sweep_file_is_refused_with_its_path(tmp_path, text):
    (tmp_path / "sweep.json").write_text(text)
    with pytest.raises(ValueError, match="sweep.json"):
        tiny_tasks.load_sweep(tmp_path)


def test_a_given_sweep_is_recorded_once_and_not_overwritten(tmp_path):
    tiny_tasks.save_sweep(tmp_path, SWEEP)
    tiny_tasks.save_sweep(tmp_path, SWEEP[:1])
    assert tiny_tasks.load_sweep(tmp_path) == SWEEP
    with pytest.raises(ValueError):
        tiny_tasks.save_sweep(tmp_path / "x", [])


def test_process_start_time_is_when_a_new_process_started():
    """A fresh process reports a start between the moments before and after it was spawned,
    however long this test session has been running."""
    import subprocess
    import sys
    import time

    before = time.time()
    done = subprocess.run([sys.executable, "-c", "from tui.runtime.task_env import process_start_time as p; "
                           "print(repr(p()))"], capture_output=True, text=True, timeout=120, check=True)
    after = time.time()
    # /proc counts in 10 ms clock ticks, and uptime is read to 10 ms: allow two ticks either side
    assert before - 0.02 <= float(done.stdout) <= after + 0.02


def test_the_runner_and_the_submit_time_come_from_the_environment(monkeypatch):
    from tui.runtime import task_env

    for key in ("HQ_TASK_ID", "SLURM_JOB_ID", "SLURM_CLUSTER_NAME"):
        monkeypatch.delenv(key, raising=False)
    assert task_env.runner() == "hand" and task_env.slurm_submit_time() is None
    monkeypatch.setenv("SLURM_JOB_ID", "7")
    assert task_env.runner() == "local" and task_env.slurm_submit_time() is None  # no scontrol to ask
    monkeypatch.setenv("SLURM_CLUSTER_NAME", "course")
    assert task_env.runner() == "slurm"
    monkeypatch.setenv("HQ_TASK_ID", "3")
    assert task_env.runner() == "hyperqueue"


def test_scontrols_submit_time_is_read_as_local_time():
    import datetime

    from tui.runtime.task_env import parse_submit_time

    line = "JobId=7 JobName=x UserId=root(0) SubmitTime=2025-01-31T12:00:05 EligibleTime=2025-01-31T12:00:05"
    assert parse_submit_time(line) == datetime.datetime(2025, 1, 31, 12, 0, 5).timestamp()
    assert parse_submit_time("JobId=7 SubmitTime=Unknown") is None and parse_submit_time("") is None


def _rec(task, launched, ended, timed=0.5, status="complete", speed=1.0, ready=None, submitted=None):
    return TaskRecord(task, status, launched, ended - timed, ended, timed, speed, 0.1, {"i": task},
                      ready=ready, submitted=submitted)


def test_figures_of_two_lanes():
    records = [_rec(0, 0, 1), _rec(1, 0, 1), _rec(2, 1, 2), _rec(3, 1, 2, speed=9.0)]
    assert max_concurrency(records) == 2
    stats = summarize(records)
    assert stats["tasks_per_s"] == pytest.approx(2.0) and stats["wall_s"] == pytest.approx(2.0)
    # start-up: launch to ready (here: to the timed work) 0.5 s each; tasks 2, 3 launched when 0, 1 ended
    assert stats["startup_per_task_s"] == pytest.approx(0.5) and stats["wait_per_task_s"] == pytest.approx(0.0)
    assert stats["overhead_per_task_s"] == pytest.approx(0.5) and stats["work_per_task_s"] == pytest.approx(0.5)
    assert stats["best"]["task"] == 3
    assert summarize(records, submitted=-2.0)["tasks_per_s"] == pytest.approx(1.0)


def test_the_wait_runs_from_a_free_slot_or_the_submission_to_the_process_start():
    # one slot: task 0 submitted at 0 starts at 2; task 1 starts 1.5 s after task 0 ended;
    # task 2 (a 2-CPU task, say) starts 0.25 s after the later of the two ends before it
    records = [_rec(0, 2.0, 4.0, ready=3.0, submitted=0.0), _rec(1, 5.5, 7.0, ready=6.0, submitted=0.0),
               _rec(2, 7.25, 8.0, ready=7.5, submitted=0.0)]
    assert waits(records) == {0: 2.0, 1: 1.5, 2: 0.25}
    stats = summarize(records)
    assert stats["wait_per_task_s"] == pytest.approx(3.75 / 3)
    assert stats["startup_per_task_s"] == pytest.approx((1.0 + 0.5 + 0.25) / 3)
    assert stats["wall_s"] == pytest.approx(8.0)  # from the submission
    # without a submit time, a task that started before any other ended has no known wait
    assert waits([_rec(0, 2.0, 4.0), _rec(1, 4.5, 5.0)]) == {0: None, 1: 0.5}


def test_gantt_bars_split_overhead_from_work_and_reuse_free_lanes():
    bars = gantt_bars([_rec(0, 10, 11), _rec(1, 10, 11), _rec(2, 11, 12)])
    assert {(b.lane, b.kind, b.start, b.end) for b in bars} == {
        (0, "import", 0, 0.5), (0, "trial", 0.5, 1), (1, "import", 0, 0.5), (1, "trial", 0.5, 1),
        (0, "import", 1, 1.5), (0, "trial", 1.5, 2)}
    assert gantt_bars([]) == []


def test_gantt_bars_show_the_wait_before_a_process_started():
    bars = gantt_bars([_rec(0, 2.0, 4.0, ready=3.0, submitted=0.0), _rec(1, 5.5, 7.0, ready=6.0)])
    assert [(b.lane, b.kind, b.start, b.end) for b in bars] == [
        (0, "queue", 0.0, 2.0), (0, "import", 2.0, 3.0), (0, "trial", 3.0, 4.0),
        (0, "queue", 4.0, 5.5), (0, "import", 5.5, 6.0), (0, "trial", 6.0, 7.0)]


def test_no_finished_tasks_and_broken_files(tmp_path):
    assert summarize([])["tasks_per_s"] == 0.0 and summarize([])["best"] is None
    (tmp_path / "trials" / "00000").mkdir(parents=True)
    (tmp_path / "trials" / "00000" / "result.json").write_text("{half")
    records, broken = load_tasks(tmp_path)
    assert records == [] and broken[0].endswith("result.json")


def test_gantt_schedule_counts_lanes_for_the_widget():
    from tui.results.tiny_stats import gantt_schedule

    schedule = gantt_schedule([_rec(0, 0, 1), _rec(1, 0, 2), _rec(2, 1, 2)])
    assert schedule.lanes == 2 and schedule.makespan == 2 and schedule.jobs == 3
    assert schedule.utilisation == pytest.approx(1.5 / 4)


@pytest.mark.parametrize("env, cpus", [({"HQ_CPUS": "3,1"}, 2), ({"SLURM_CPUS_PER_TASK": "4"}, 4),
                                       ({"HQ_CPUS": "0", "SLURM_CPUS_PER_TASK": "4"}, 1), ({"SLURM_CPUS_PER_TASK": "x"}, None)])
def test_the_cpus_a_task_was_given_come_from_hyperqueue_slurm_or_its_affinity(monkeypatch, env, cpus):
    import os

    for key in ("HQ_CPUS", "SLURM_CPUS_PER_TASK"):
        monkeypatch.delenv(key, raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    assert tiny_tasks.cpus_given() == (cpus if cpus is not None else len(os.sched_getaffinity(0)))


def test_tasks_with_more_threads_than_cpus_are_found(tmp_path):
    for i, (threads, cpus) in enumerate([(1, 1), (2, 1), (2, 2), (2, 0)]):
        trial = tmp_path / "trials" / f"{i:05d}"
        trial.mkdir(parents=True)
        (trial / "result.json").write_text(json.dumps({"task": i, "status": "complete", "started": 1.0, "ended": 2.0,
                                                       "params": {"threads": threads}, "cpus": cpus}))
    records, _ = load_tasks(tmp_path)
    assert [r.task for r in oversubscribed(records)] == [1]  # 0 CPUs: an older result that does not say


def test_a_loop_can_run_the_first_tasks_only_and_first_needs_loop(tmp_path, capsys):
    tiny_tasks.save_sweep(tmp_path, SWEEP)
    assert tiny_tasks.main(["--run-dir", str(tmp_path), "--loop", "--first", "2", "--engine", "toy"]) == 0
    records, _ = load_tasks(tmp_path)
    assert [r.task for r in records] == [0, 1] and {r.mode for r in records} == {"worker_loop"}
    with pytest.raises(SystemExit):
        tiny_tasks.main(["--run-dir", str(tmp_path), "--task", "0", "--first", "2"])
    assert "--first N goes with --loop" in capsys.readouterr().err


def test_a_task_process_writes_its_result_and_exits_with_its_code(tmp_path):
    import subprocess
    import sys

    tiny_tasks.save_sweep(tmp_path, SWEEP)
    done = subprocess.run([sys.executable, "-m", "tui.runtime.tiny_tasks", "--run-dir", str(tmp_path), "--task", "2",
                           "--engine", "toy"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    result = json.loads((tmp_path / "trials" / "00002" / "result.json").read_text())
    assert result["status"] == "complete" and result["runner"] == "hand" and result["mode"] == "process_per_task"
    bad = subprocess.run([sys.executable, "-m", "tui.runtime.tiny_tasks", "--run-dir", str(tmp_path), "--task", "9",
                          "--engine", "toy"], capture_output=True, text=True, timeout=120)
    assert bad.returncode == 2 and "not in the sweep" in bad.stderr
