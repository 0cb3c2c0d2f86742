"""Exercise 3's checks against run folders written the way the tasks write them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tui.checks import ex03
from tui.checks.context import CheckContext

REFERENCE = {"min_hq_tasks": 100, "min_speedup": 5.0}


def write_run(folder: Path, mode: str, n: int, seconds_per_task: float, lanes: int = 2) -> None:
    """n finished tasks, `lanes` at a time, each `seconds_per_task` long; task i is i x 10 seq/s."""
    for i in range(n):
        launched = 1000.0 + (i // lanes) * seconds_per_task
        ended = launched + seconds_per_task
        result = {"task": i, "status": "complete", "mode": mode, "launched": launched, "started": ended - 0.01,
                  "ended": ended, "timed_s": 0.01, "seq_per_s": 10.0 * i, "peak_mem_gb": 0.2,
                  "params": {"batch_size": i}}
        trial = folder / "trials" / f"{i:05d}"
        trial.mkdir(parents=True)
        (trial / "result.json").write_text(json.dumps(result))


def ctx(path: Path) -> CheckContext:
    return CheckContext("03", path, reference=REFERENCE)


def by_id(results):
    return {r.id: r for r in results}


def test_no_runs_fail_every_check_with_hints(tmp_path):
    results = by_id(ex03.run(ctx(tmp_path)))
    assert list(results) == list(ex03.CHECK_IDS)
    assert not any(r.passed for r in results.values())
    assert all(len(r.hints) == 3 for r in results.values())
    assert "no run" in results["hq.tasks"].message and "missing" in results["results.best_config"].message


def test_complete_work_passes(tmp_path):
    write_run(tmp_path / "runs" / "hq", "hyperqueue", 120, 0.2)
    write_run(tmp_path / "runs" / "per-task", "job_per_task", 10, 3.0)
    (tmp_path / "best.json").write_text(json.dumps({"run": "runs/hq", "params": {"batch_size": 119},
                                                    "seq_per_s": 1190.0}))
    results = by_id(ex03.run(ctx(tmp_path)))
    assert all(r.passed for r in results.values()), [r.message for r in results.values()]
    assert "15.0x" in results["hq.throughput"].message


def test_too_few_tasks_and_too_little_speedup_say_what_was_found(tmp_path):
    write_run(tmp_path / "runs" / "hq", "hyperqueue", 40, 1.0)
    write_run(tmp_path / "runs" / "per-task", "job_per_task", 10, 3.0)
    results = by_id(ex03.run(ctx(tmp_path)))
    assert "at least 100" in results["hq.tasks"].message and "40 complete" in results["hq.tasks"].message
    assert not results["hq.throughput"].passed and "3.0x" in results["hq.throughput"].message


def test_throughput_needs_both_ways(tmp_path):
    write_run(tmp_path / "runs" / "hq", "hyperqueue", 120, 0.2)
    message = by_id(ex03.run(ctx(tmp_path)))["hq.throughput"].message
    assert "one-job-per-task run" in message and "HyperQueue run" not in message


@pytest.mark.parametrize("best, words", [
    ({"run": "runs/hq", "params": {"batch_size": 3}, "seq_per_s": 30.0}, "expected the fastest"),
    ({"run": "runs/other", "params": {"batch_size": 119}, "seq_per_s": 1190.0}, "not a HyperQueue run"),
    ({"run": "runs/hq"}, "must hold params and seq_per_s"),
    ("{not json", "must hold params"),
])
def test_a_wrong_best_json_fails_with_the_reason(tmp_path, best, words):
    write_run(tmp_path / "runs" / "hq", "hyperqueue", 120, 0.2)
    (tmp_path / "best.json").write_text(best if isinstance(best, str) else json.dumps(best))
    result = by_id(ex03.run(ctx(tmp_path)))["results.best_config"]
    assert not result.passed and words in result.message


def test_the_solution_report_writes_the_best_json_the_check_accepts(tmp_path, monkeypatch):
    import importlib.util

    from tui.resources import solutions_dir

    write_run(tmp_path / "runs" / "hq", "hyperqueue", 120, 0.2)
    spec = importlib.util.spec_from_file_location("report03", solutions_dir() / "03_hyperqueue" / "report.py")
    report = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(report)
    monkeypatch.chdir(tmp_path)
    assert report.main(["runs/hq", "--save-best"]) == 0
    assert by_id(ex03.run(ctx(tmp_path)))["results.best_config"].passed


def test_reference_json_has_the_check_thresholds():
    from tui.resources import solutions_dir

    reference = json.loads((solutions_dir() / "03_hyperqueue" / "reference.json").read_text())
    assert reference["min_hq_tasks"] >= 100 and reference["min_speedup"] > 1


def _load(folder: Path, name: str, monkeypatch):
    import importlib.util
    import sys

    monkeypatch.delitem(sys.modules, "sweep", raising=False)  # tiny_task.py imports its own sweep.py
    monkeypatch.setattr(sys, "path", list(sys.path))
    spec = importlib.util.spec_from_file_location(f"ex03_{folder.parent.name}_{name}", folder / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_solution_measures_and_the_starter_says_todo(monkeypatch):
    from tui.resources import exercises_dir, solutions_dir
    from tui.runtime.throughput import check_config

    solution = _load(solutions_dir() / "03_hyperqueue", "tiny_task", monkeypatch)
    out = solution.measure(batch_size=8, packing=True, budget_s=0.02, warmup=1)
    assert out["seq_per_s"] > 0 and out["peak_mem_gb"] > 0 and out["timed_s"] >= 0.02
    configs = solution.configs()
    assert len(configs) == 128 and len({json.dumps(c, sort_keys=True) for c in configs}) == 32
    for config in configs + solution.configs(gpu=True):
        check_config(config["batch_size"], config.get("threads", 1), config["packing"],
                     config.get("dtype", "float32"), config.get("device", "cpu"))

    starter_sweep = _load(exercises_dir() / "03_hyperqueue", "sweep", monkeypatch)
    with pytest.raises(NotImplementedError, match="TODO"):
        starter_sweep.configs()
    starter = _load(exercises_dir() / "03_hyperqueue", "tiny_task", monkeypatch)
    with pytest.raises(NotImplementedError, match="TODO"):
        starter.measure(batch_size=8, budget_s=0.02)


def test_report_warns_about_tasks_that_shared_cores(tmp_path, monkeypatch, capsys):
    from tui.resources import solutions_dir

    write_run(tmp_path / "runs" / "hq", "hyperqueue", 4, 0.2)
    result = tmp_path / "runs" / "hq" / "trials" / "00002" / "result.json"
    result.write_text(json.dumps({**json.loads(result.read_text()), "params": {"threads": 2}, "cpus": 1}))
    report = _load(solutions_dir() / "03_hyperqueue", "report", monkeypatch)
    monkeypatch.chdir(tmp_path)
    assert report.main(["runs/hq"]) == 0
    out = capsys.readouterr().out
    assert "warning: 1 tasks ran more threads than the CPUs they were given (task 2: 2 threads on 1 CPU)" in out


def test_the_solution_sweep_writes_a_job_file_with_one_cpu_per_thread(tmp_path, monkeypatch):
    import subprocess
    import sys

    from tui.cluster.hq_jobfile import read
    from tui.resources import exercises_dir, solutions_dir

    folder = solutions_dir() / "03_hyperqueue"
    done = subprocess.run([sys.executable, str(folder / "sweep.py"), "--hq-job", str(tmp_path / "hq_job.toml")],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    _, tasks = read(tmp_path / "hq_job.toml")
    configs = _load(folder, "sweep", monkeypatch).configs()
    assert [t.id for t in tasks] == list(range(len(configs)))
    assert [t.cpus for t in tasks] == [c["threads"] for c in configs] and {t.cpus for t in tasks} == {1, 2}
    assert {tuple(t.command) for t in tasks} == {("bash", str((folder / "hq_tasks.sh").resolve()))}
    starter = subprocess.run([sys.executable, str(exercises_dir() / "03_hyperqueue" / "sweep.py"), "--hq-job",
                              str(tmp_path / "starter.toml")], capture_output=True, text=True, timeout=60)
    assert starter.returncode != 0 and "TODO" in starter.stderr and not (tmp_path / "starter.toml").exists()
