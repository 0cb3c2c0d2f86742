"""`hptune-tui check`: exit codes, JSON shape, results checks with and without a run."""

from __future__ import annotations

import json
import shutil

import pytest

from tui.checks.ex01 import CHECK_IDS
from tui.cli import main
from tui.resources import solutions_dir


def fake_run(run_dir, n=8, acc=0.99, statuses=None):
    """Trial files as the runtime writes them, without training."""
    for t in range(n):
        trial = run_dir / "trials" / f"{t:04d}"
        trial.mkdir(parents=True)
        (trial / "params.json").write_text('{"lr": 0.01}')
        (trial / "metrics.jsonl").write_text(json.dumps({"step": 1, "val_acc": acc - t / 1000}) + "\n")
        status = (statuses or {}).get(t, "complete")
        (trial / "result.json").write_text(json.dumps({"status": status, "reason": "diverged" if status == "failed" else ""}))
    return run_dir


@pytest.fixture
def solution(tmp_path):
    folder = tmp_path / "01_random_search"
    shutil.copytree(solutions_dir() / "01_random_search", folder)
    return folder


def run_json(capsys, *argv, workspace=None):
    code = main((["-w", str(workspace)] if workspace else []) + ["check", *argv, "--json"])
    return code, json.loads(capsys.readouterr().out)


def test_starter_in_a_fresh_workspace_fails_with_exit_1(workspace, capsys):
    code, data = run_json(capsys, "01", workspace=workspace)
    assert code == 1 and data["exercise"] == "01" and data["passed"] is False
    assert [c["id"] for c in data["checks"]] == list(CHECK_IDS)
    for check in data["checks"]:
        assert set(check) >= {"id", "passed", "message", "hints"} and len(check["hints"]) >= 2
    by_id = {c["id"]: c for c in data["checks"]}
    assert "no run yet" in by_id["results.trials_complete"]["message"]
    assert not by_id["script.array"]["passed"] and not by_id["sample.varies_with_task"]["passed"]


def test_code_checks_work_before_any_run_exists(solution, capsys):
    code, data = run_json(capsys, "1", "--path", str(solution))
    assert code == 1
    failing = {c["id"] for c in data["checks"] if not c["passed"]}
    assert failing == {"results.trials_complete", "results.best_metric"}


def test_solution_with_a_good_run_passes_with_exit_0(solution, capsys):
    fake_run(solution / "runs" / "123")
    code, data = run_json(capsys, "01_random_search", "--path", str(solution))
    assert code == 0 and data["passed"], [c for c in data["checks"] if not c["passed"]]


def test_results_checks_report_failed_trials_and_a_low_best(solution, capsys):
    run = fake_run(solution / "runs" / "9", acc=0.5, statuses={2: "failed"})
    code, data = run_json(capsys, "01", "--path", str(solution), "--run", str(run))
    by_id = {c["id"]: c for c in data["checks"]}
    assert code == 1
    assert "7 complete, 1 failed" in by_id["results.trials_complete"]["message"]
    assert "1 of 8 trials failed (trial 0002: diverged)" in by_id["results.trials_complete"]["message"]
    assert "found 0.500" in by_id["results.best_metric"]["message"]


def test_trials_expected_from_the_submitted_array(solution, capsys):
    run = fake_run(solution / "runs" / "5", n=8)
    shutil.copy(solution / "job.sh", run / "job.sh")  # --array=0-31%8: 32 trials expected
    code, data = run_json(capsys, "01", "--path", str(solution))
    message = {c["id"]: c for c in data["checks"]}["results.trials_complete"]["message"]
    assert code == 1 and "expected 32 complete trials" in message and "--array=0-31%8" in message


def test_text_output_shows_pass_fail_and_one_hint(solution, capsys):
    assert main(["check", "01", "--path", str(solution)]) == 1
    out = capsys.readouterr().out
    assert "PASS  sample.bounds" in out and "FAIL  results.best_metric" in out
    assert "hint: Submit job.sh" in out and "10/12 checks pass" in out


def test_bad_inputs_exit_2(tmp_path, capsys):
    assert main(["check", "99"]) == 2
    assert "valid exercises: 01 (01_random_search)" in capsys.readouterr().err
    assert main(["check", "01", "--path", str(tmp_path / "missing")]) == 2
    assert "is not a folder" in capsys.readouterr().err
    assert main(["check", "01", "--path", str(tmp_path), "--run", str(tmp_path / "nope")]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_an_exercise_without_checks_exits_2(tmp_path, capsys, monkeypatch):
    from tui.checks import runner

    monkeypatch.setattr(runner, "CHECK_MODULES", {"01": "tui.checks.ex01"})
    assert main(["check", "02", "--path", str(tmp_path)]) == 2
    assert "has no checks yet" in capsys.readouterr().err


def test_passing_checks_in_the_workspace_mark_the_exercise_done(workspace, capsys):
    from tui.course.progress import ProgressStore

    folder = workspace / "01_random_search"
    shutil.rmtree(folder)
    shutil.copytree(solutions_dir() / "01_random_search", folder)
    code, _ = run_json(capsys, "01", workspace=workspace)
    assert code == 1 and not ProgressStore.open(workspace).completed("01")  # no run yet
    fake_run(folder / "runs" / "7")
    code, _ = run_json(capsys, "01", workspace=workspace)
    assert code == 0 and ProgressStore.open(workspace).completed("01")
