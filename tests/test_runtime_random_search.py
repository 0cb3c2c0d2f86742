"""One array task of the random search: the sampler file, task ids, the CLI, a cheap import."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tui.runtime.random_search import default_run_dir, load_sampler, parse_task_ids, run_task, trial_name

GOOD = "def sample(task_id, seed=0):\n    return {'lr': 1e-3 * (1 + task_id), 'epochs': 1, 'batch_size': 128}\n"


def test_task_ids_from_argument_range_or_environment(monkeypatch):
    assert parse_task_ids("7") == [7]
    assert parse_task_ids("2-4") == [2, 3, 4]
    monkeypatch.setenv("SLURM_ARRAY_TASK_ID", "5")
    assert parse_task_ids(None) == [5]
    monkeypatch.delenv("SLURM_ARRAY_TASK_ID")
    with pytest.raises(ValueError, match="SLURM_ARRAY_TASK_ID"):
        parse_task_ids(None)
    for bad in ("x", "5-2", "-1"):
        with pytest.raises(ValueError):
            parse_task_ids(bad)


def test_run_dir_defaults(monkeypatch):
    monkeypatch.delenv("HPTUNE_RUN_DIR", raising=False)
    monkeypatch.setenv("SLURM_ARRAY_JOB_ID", "77")
    assert str(default_run_dir()) == "runs/77"
    monkeypatch.setenv("HPTUNE_RUN_DIR", "/x/run")
    assert str(default_run_dir()) == "/x/run"


def test_trial_names_sort_like_numbers():
    assert sorted([trial_name(10), trial_name(9)]) == ["0009", "0010"]


@pytest.mark.parametrize("code, error", [
    ("x = 1\n", "no function sample"),
    ("def sample(:\n", "SyntaxError"),
])
def test_bad_sampler_files_say_why(tmp_path, code, error):
    path = tmp_path / "sample.py"
    path.write_text(code)
    with pytest.raises(Exception) as info:
        load_sampler(path)
    assert error in f"{type(info.value).__name__}: {info.value}"


def test_a_failing_sampler_is_recorded_as_failed_trial(tmp_path):
    path = tmp_path / "sample.py"
    path.write_text("def sample(task_id, seed=0):\n    return [task_id]\n")
    with pytest.raises(TypeError, match="expected a dict"):
        run_task(tmp_path / "run", path, 3)
    result = json.loads((tmp_path / "run" / "trials" / "0003" / "result.json").read_text())
    assert result["status"] == "failed" and "expected a dict" in result["reason"] and result["task_id"] == 3


def test_cli_runs_a_range_of_tasks_with_the_sampler(tmp_path):
    (tmp_path / "sample.py").write_text(GOOD)
    proc = subprocess.run([sys.executable, "-m", "tui.runtime.random_search", "--run-dir", str(tmp_path / "run"),
                           "--sampler", str(tmp_path / "sample.py"), "--task-id", "0-1", "--epochs", "2",
                           "--device", "cpu"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    for task in (0, 1):
        trial = tmp_path / "run" / "trials" / trial_name(task)
        params = json.loads((trial / "params.json").read_text())
        assert params["lr"] == pytest.approx(1e-3 * (1 + task)) and params["epochs"] == 2  # --epochs wins
        assert json.loads((trial / "result.json").read_text())["status"] == "complete"


def test_importing_the_runtime_loads_neither_torch_nor_sklearn_nor_ui():
    code = ("import sys, tui.runtime, tui.runtime.random_search, tui.runtime.trial, tui.runtime.space;"
            "bad = [m for m in ('torch', 'sklearn', 'textual', 'paramiko', 'tui.cluster', 'numpy') if m in sys.modules];"
            "print(bad)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
