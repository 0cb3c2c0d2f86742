"""The course self-test (rustlings' `dev check`): every starter FAILS its checks and every
solution PASSES them, the solution's results coming from a real, small reference run."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tui.checks.runner import CHECK_MODULES, check_module, run_checks
from tui.course.catalog import bundled_catalog


def _copy(item, kind: str, tmp_path: Path) -> Path:
    src = item.starter_dir if kind == "starter" else item.solution_dir
    dest = tmp_path / item.dir
    shutil.copytree(src, dest)
    return dest


def test_every_checked_exercise_is_in_the_catalog_and_can_make_a_reference_run():
    ids = {ex.id for ex in bundled_catalog().exercises}
    assert set(CHECK_MODULES) <= ids
    for exercise in CHECK_MODULES:
        module = check_module(exercise)
        assert callable(getattr(module, "reference_run", None)), \
            f"{module.__name__} needs reference_run(folder) -> run folder"
        assert getattr(module, "REFERENCE_NEEDS", None) in (None, "slurm")
        assert module.CHECK_IDS and module.CODE_FILES


@pytest.mark.parametrize("exercise", sorted(CHECK_MODULES))
def test_starter_fails_its_checks(exercise, tmp_path):
    item = bundled_catalog().exercise(exercise)
    report = run_checks(exercise, path=_copy(item, "starter", tmp_path))
    assert not report.passed
    assert [c.id for c in report.checks] == list(check_module(exercise).CHECK_IDS)
    code_checks = [c for c in report.checks if not c.id.startswith("results.")]
    assert any(not c.passed for c in code_checks), "the starter's code must fail some check before any run"


@pytest.mark.parametrize("exercise", sorted(CHECK_MODULES))
@pytest.mark.timeout(1200)
def test_solution_passes_its_checks(exercise, tmp_path, request):
    item = bundled_catalog().exercise(exercise)
    folder = _copy(item, "solution", tmp_path)
    module = check_module(exercise)
    if getattr(module, "REFERENCE_NEEDS", None) == "slurm":  # one job per task: the real test cluster
        module.reference_run(folder, env=request.getfixturevalue("slurm_cluster").env)
    else:
        module.reference_run(folder)  # a real, small run of the solution
    report = run_checks(exercise, path=folder)
    assert report.passed, [(c.id, c.message) for c in report.checks if not c.passed]


@pytest.mark.parametrize("exercise", sorted(CHECK_MODULES))
def test_starter_still_fails_with_a_solution_run_in_place(exercise, tmp_path):
    """A copied run cannot make the starter pass: its code is checked on its own."""
    item = bundled_catalog().exercise(exercise)
    folder = _copy(item, "starter", tmp_path)
    trial = folder / "runs" / "borrowed" / "trials" / "0000"
    trial.mkdir(parents=True)
    (trial / "metrics.jsonl").write_text(json.dumps({"step": 1, "val_acc": 1.0}) + "\n")
    (trial / "result.json").write_text('{"status": "complete"}')
    assert not run_checks(exercise, path=folder).passed


def test_reference_json_is_complete():
    ref = json.loads((bundled_catalog().exercise("01").solution_dir / "reference.json").read_text())
    assert {"trials", "epochs", "seed", "best_val_acc", "tolerance", "min_trials"} <= set(ref)
    assert 0.9 < ref["best_val_acc"] <= 1.0 and 0 < ref["tolerance"] < 0.1
