"""The metric logger and run_trial: the run layout, result.json last, failures recorded."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tui.runtime.logger import TrialLogger, clean
from tui.runtime.trial import run_trial


def read(path):
    return json.loads(path.read_text())


def test_layout_params_first_metrics_per_step_result_last(tmp_path):
    with TrialLogger(tmp_path, "0003") as log:
        log.start({"lr": 0.1})
        trial = tmp_path / "trials" / "0003"
        assert read(trial / "params.json") == {"lr": 0.1}
        assert not (trial / "result.json").exists()
        log.log({"step": 1, "val_acc": 0.5})
        log.log({"step": 2, "val_acc": 0.7})
        assert len((trial / "metrics.jsonl").read_text().splitlines()) == 2  # flushed as it goes
        result = log.finish("complete")
    saved = read(trial / "result.json")
    assert saved == result
    assert saved["status"] == "complete" and saved["steps"] == 2
    assert saved["best"] == {"val_acc": 0.7, "step": 2} and saved["final"]["step"] == 2
    assert not list(trial.glob(".*.tmp"))  # the atomic write left no temp file


def test_non_finite_values_become_null_and_lines_stay_strict_json(tmp_path):
    with TrialLogger(tmp_path, "t") as log:
        log.start({})
        log.log({"step": 1, "val_loss": float("nan"), "train_loss": float("inf")})
        log.finish("complete")
    line = (tmp_path / "trials" / "t" / "metrics.jsonl").read_text()
    assert "NaN" not in line and "Infinity" not in line
    assert json.loads(line)["val_loss"] is None
    assert clean({"a": [float("-inf"), 1]}) == {"a": [None, 1]}


def test_an_exception_is_recorded_then_reraised(tmp_path):
    with pytest.raises(RuntimeError, match="boom"):
        with TrialLogger(tmp_path, "x") as log:
            log.start({"lr": 1})
            log.log({"step": 1, "val_acc": 0.1})
            raise RuntimeError("boom")
    result = read(tmp_path / "trials" / "x" / "result.json")
    assert result["status"] == "failed" and result["reason"] == "RuntimeError: boom"
    assert "RuntimeError: boom" in result["traceback"] and result["steps"] == 1


def test_an_exception_named_trialpruned_ends_as_pruned(tmp_path):
    class TrialPruned(Exception):
        pass

    with pytest.raises(TrialPruned):
        with TrialLogger(tmp_path, "p") as log:
            log.start({})
            log.log({"step": 4, "val_acc": 0.2})
            raise TrialPruned()
    result = read(tmp_path / "trials" / "p" / "result.json")
    assert result["status"] == "pruned" and "step 4" in result["reason"]


def test_forgetting_finish_is_recorded_not_hidden(tmp_path):
    with TrialLogger(tmp_path, "f") as log:
        log.start({})
    assert read(tmp_path / "trials" / "f" / "result.json")["status"] == "failed"


@pytest.mark.parametrize("bad", ["", "..", "a/b"])
def test_bad_trial_ids_are_refused(tmp_path, bad):
    with pytest.raises(ValueError, match="trial id"):
        TrialLogger(tmp_path, bad)


def test_unknown_status_is_refused(tmp_path):
    log = TrialLogger(tmp_path, "s")
    log.start({})
    with pytest.raises(ValueError, match="status"):
        log.finish("done")


def test_run_trial_writes_resolved_params_and_compute_budget(tmp_path):
    result = run_trial(tmp_path, "0000", {"epochs": 2, "batch_size": 128, "hidden": 16}, device="cpu",
                       meta={"task_id": 0})
    params = read(tmp_path / "trials" / "0000" / "params.json")
    assert params["hidden"] == 16 and params["optimizer"] == "adam"  # defaults filled in
    assert result["status"] == "complete" and result["task_id"] == 0 and result["cpu_hours"] > 0
    lines = (tmp_path / "trials" / "0000" / "metrics.jsonl").read_text().splitlines()
    assert [json.loads(line)["step"] for line in lines] == [1, 2]


def test_run_trial_with_bad_params_records_failure(tmp_path):
    with pytest.raises(ValueError, match="optimizer"):
        run_trial(tmp_path, "bad", {"optimizer": "lbfgs"}, device="cpu")
    assert read(tmp_path / "trials" / "bad" / "result.json")["status"] == "failed"


def test_diverged_trial_is_failed_with_reason(tmp_path):
    result = run_trial(tmp_path, "nan", {"epochs": 2, "lr": 1e12, "optimizer": "sgd", "schedule": "constant"},
                       device="cpu")
    assert result["status"] == "failed" and "diverged" in result["reason"]


def test_trial_cli_rejects_params_that_are_not_an_object(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "tui.runtime.trial", "--run-dir", str(tmp_path),
                           "--trial", "a", "--params-json", "[1, 2]"], capture_output=True, text=True)
    assert proc.returncode == 2 and "JSON object" in proc.stderr
    assert not (tmp_path / "trials").exists()
