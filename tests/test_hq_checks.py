"""Exercise 3's checks against run folders written the way the tasks write them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tui.checks import ex03
from tui.checks.context import CheckContext

REFERENCE = {"min_tasks": {"job_per_task": 4, "worker_loop": 8, "hyperqueue": 8},
             "min_startup_ratio": 3.0, "min_wait_ratio": 3.0}
SWEEP = [{"batch_size": b, "threads": 1} for b in range(8)] * 2  # 8 configurations, twice over
# (wait s, start-up s, runner) per way: the figures the lesson predicts
WAYS = {"hq": ("hyperqueue", 0.02, 1.0, "hyperqueue"), "per-task": ("job_per_task", 2.0, 1.0, "slurm"),
        "loop": ("worker_loop", 0.0, 0.0, "slurm")}


def write_run(folder: Path, mode: str, n: int, wait: float, startup: float, runner: str = "slurm",
              work: float = 0.3, sweep=None, changes: dict | None = None) -> None:
    """n finished tasks one after another: each waits `wait` after the previous end, starts up for
    `startup` (a worker loop: only its first task, 1 s), then works `work` s; task i is i x 10 seq/s."""
    sweep = SWEEP if sweep is None else sweep
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "sweep.json").write_text(json.dumps(sweep))
    t = 1000.0
    for i in range(n):
        launched = t + (0.5 if mode == "worker_loop" and i == 0 else wait)
        ready = launched + (1.0 if mode == "worker_loop" and i == 0 else startup)
        ended = ready + work
        result = {"task": i, "status": "complete", "mode": mode, "runner": runner, "submitted": 1000.0,
                  "launched": launched, "ready": ready, "started": ready + 0.001, "ended": ended,
                  "timed_s": 0.1, "seq_per_s": 10.0 * i + 1, "peak_mem_gb": 0.2, "params": sweep[i],
                  **(changes or {}).get(i, {})}
        if runner != "slurm":
            result.pop("submitted")
        trial = folder / "trials" / f"{i:05d}"
        trial.mkdir(parents=True)
        (trial / "result.json").write_text(json.dumps(result))
        t = ended


def write_all(root: Path, skip=(), **overrides) -> Path:
    for name, (mode, wait, startup, runner) in WAYS.items():
        if name not in skip:
            args = {"n": 16 if name != "per-task" else 4, "wait": wait, "startup": startup, "runner": runner}
            write_run(root / "runs" / name, mode, **{**args, **overrides.get(name, {})})
    return root


def ctx(path: Path) -> CheckContext:
    return CheckContext("03", path, reference=REFERENCE)


def by_id(results):
    return {r.id: r for r in results}


def test_no_runs_fail_every_check_with_hints(tmp_path):
    results = by_id(ex03.run(ctx(tmp_path)))
    assert list(results) == list(ex03.CHECK_IDS)
    assert not any(r.passed for r in results.values())
    assert all(len(r.hints) == 3 for r in results.values())
    assert "found none of one job per task" in results["hq.runs"].message
    assert "missing" in results["results.best_config"].message


def test_complete_work_passes_and_names_each_ways_overhead(tmp_path):
    write_all(tmp_path)
    (tmp_path / "best.json").write_text(json.dumps({"run": "runs/hq", "params": SWEEP[15], "seq_per_s": 151.0}))
    results = by_id(ex03.run(ctx(tmp_path)))
    assert all(r.passed for r in results.values()), [r.message for r in results.values()]
    message = results["hq.overhead"].message
    assert "HyperQueue 1.02 s (0.02 wait + 1.00 start-up)" in message
    assert "one job per task 3.00 s (2.00 wait + 1.00 start-up)" in message
    assert "the order the lesson predicts" in message


def test_a_missing_way_is_named_with_how_to_run_it(tmp_path):
    write_all(tmp_path, skip=("loop",))
    results = by_id(ex03.run(ctx(tmp_path)))
    assert not results["hq.runs"].passed and "worker loop (hptune-tui submit worker_loop.sh)" in results["hq.runs"].message
    assert not results["hq.overhead"].passed


@pytest.mark.parametrize("overrides, words", [
    ({"hq": {"n": 5}}, "HyperQueue 5 < 8"),
    ({"loop": {"sweep": [{**c, "threads": 2} for c in SWEEP]}}, "runs/loop/sweep.json differs"),
    ({"hq": {"changes": {1: {"params": {"batch_size": 99, "threads": 1}}}}}, "task 1 measured"),
    ({"per-task": {"changes": {2: {"ready": 0.0}}}}, "task 2's times are out of order"),
    ({"hq": {"changes": {3: {"status": "failed", "seq_per_s": None}}}}, "task 3 failed"),
    ({"loop": {"changes": {0: {"seq_per_s": -1}}}}, "seq_per_s must be a positive number"),
    ({"per-task": {"changes": {1: {"submitted": 5000.0}}}}, "submitted"),
    ({"hq": {"changes": {2: {"timed_s": 0}}}}, "timed_s"),
])
def test_unsound_or_unequal_runs_fail_with_the_reason(tmp_path, overrides, words):
    write_all(tmp_path, **overrides)
    result = by_id(ex03.run(ctx(tmp_path)))["hq.runs"]
    assert not result.passed and words in result.message, result.message


def test_hyperqueue_must_measure_every_configuration(tmp_path):
    wide = [{"batch_size": b, "threads": 1} for b in range(20)]
    write_all(tmp_path, hq={"sweep": wide}, loop={"sweep": wide}, **{"per-task": {"sweep": wide}})
    result = by_id(ex03.run(ctx(tmp_path)))["hq.runs"]
    assert not result.passed and "4 of 20 were not run" in result.message


@pytest.mark.parametrize("overrides, words", [
    ({"loop": {"wait": 0.3, "startup": 0.5}}, "worker loop's overhead under 1/3 of HyperQueue's"),
    ({"hq": {"wait": 1.0}}, "SLURM's wait per job at least 3x HyperQueue's"),
    ({"per-task": {"wait": 0.05}}, "SLURM's wait per job at least 3x"),
])
def test_overheads_out_of_the_predicted_order_fail(tmp_path, overrides, words):
    write_all(tmp_path, **overrides)
    result = by_id(ex03.run(ctx(tmp_path)))["hq.overhead"]
    assert by_id(ex03.run(ctx(tmp_path)))["hq.runs"].passed
    assert not result.passed and words in result.message, result.message


def test_on_the_local_runner_one_job_per_task_has_no_queue_and_says_its_overhead(tmp_path):
    write_all(tmp_path, **{"per-task": {"wait": 0.05, "runner": "local"}}, loop={"runner": "local"})
    result = by_id(ex03.run(ctx(tmp_path)))["hq.overhead"]
    assert result.passed, result.message
    assert "local runner, whose per-job overhead is 0.05 s of wait" in result.message


@pytest.mark.parametrize("best, words", [
    ({"run": "runs/hq", "params": SWEEP[3], "seq_per_s": 31.0}, "expected the fastest"),
    ({"run": "runs/other", "params": SWEEP[15], "seq_per_s": 151.0}, "not a HyperQueue run"),
    ({"run": "runs/hq"}, "must hold params and seq_per_s"),
    ("{not json", "must hold params"),
])
def test_a_wrong_best_json_fails_with_the_reason(tmp_path, best, words):
    write_run(tmp_path / "runs" / "hq", "hyperqueue", 16, 0.02, 1.0, "hyperqueue")
    (tmp_path / "best.json").write_text(best if isinstance(best, str) else json.dumps(best))
    result = by_id(ex03.run(ctx(tmp_path)))["results.best_config"]
    assert not result.passed and words in result.message


def test_the_solution_report_writes_the_best_json_the_check_accepts(tmp_path, monkeypatch):
    import importlib.util

    from tui.resources import solutions_dir

    write_all(tmp_path)
    spec = importlib.util.spec_from_file_location("report03", solutions_dir() / "03_hyperqueue" / "report.py")
    report = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(report)
    monkeypatch.chdir(tmp_path)
    assert report.main(["runs/per-task", "runs/loop", "runs/hq", "--save-best"]) == 0
    assert by_id(ex03.run(ctx(tmp_path)))["results.best_config"].passed


def test_reference_json_has_the_check_thresholds():
    from tui.resources import solutions_dir

    reference = json.loads((solutions_dir() / "03_hyperqueue" / "reference.json").read_text())
    assert set(reference["min_tasks"]) == {"job_per_task", "worker_loop", "hyperqueue"}
    assert reference["min_tasks"]["hyperqueue"] >= 32  # every configuration of the sweep once
    assert reference["min_startup_ratio"] > 1 and reference["min_wait_ratio"] > 1
    assert "min_speedup" not in reference  # no wall-clock throughput ratio: it measures the load


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

    write_run(tmp_path / "runs" / "hq", "hyperqueue", 4, 0.02, 1.0, "hyperqueue")
    result = tmp_path / "runs" / "hq" / "trials" / "00002" / "result.json"
    result.write_text(json.dumps({**json.loads(result.read_text()), "params": {"threads": 2}, "cpus": 1}))
    report = _load(solutions_dir() / "03_hyperqueue", "report", monkeypatch)
    monkeypatch.chdir(tmp_path)
    assert report.main(["runs/hq"]) == 0
    out = capsys.readouterr().out
    assert "warning: 1 tasks ran more threads than the CPUs they were given (task 2: 2 threads on 1 CPU)" in out


def test_report_prints_each_ways_overhead_and_the_local_runners(tmp_path, monkeypatch, capsys):
    from tui.resources import solutions_dir

    write_all(tmp_path, **{"per-task": {"wait": 0.05, "runner": "local"}})
    report = _load(solutions_dir() / "03_hyperqueue", "report", monkeypatch)
    monkeypatch.chdir(tmp_path)
    assert report.main(["runs/per-task", "runs/loop", "runs/hq"]) == 0
    lines = capsys.readouterr().out.splitlines()
    hq = next(line for line in lines if line.startswith("runs/hq"))
    assert hq.split()[1:6] == ["hyperqueue", "16", "0.020", "s", "1.000"]
    assert "note: the local runner's per-job overhead is 0.050 s of wait" in "\n".join(lines)
    assert "least overhead per task: runs/loop" in lines[-2]


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
