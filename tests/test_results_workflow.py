"""One way to the results of a run or an exercise: `hptune-tui results` and the trials screen agree.

The case of issue 12: an exercise folder with runs/33 (32 trials) and a later submission
runs/34 that has no trials (it failed, or has not started). `results 01_random_search`
printed "no trials yet" and `results 01` "01 is not a folder".
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.apphelpers import app_for
from tests.test_trials_screen import settle, summary, write_run
from tui.cli import main
from tui.workflows.results import Target, TargetError, has_journal, pick_run, resolve, screen_target, watched


@pytest.fixture
def two_runs(workspace):
    """runs/33 with 32 finished trials, then runs/34 submitted later with no trials yet."""
    runs = workspace / "01_random_search" / "runs"
    write_run(runs / "33", n=32, epochs=3)
    late = runs / "34"
    late.mkdir()
    (late / "job.sh").write_text("#!/bin/bash\n")
    (late / "run.json").write_text(json.dumps({"backend": "local", "job_id": "34", "job_ids": ["34"]}))
    stamp = (runs / "33").stat().st_mtime
    os.utime(runs / "33", (stamp - 60, stamp - 60))  # 34 is the newest folder, as after a later submit
    return workspace


def cli_results(workspace, target, capsys):
    code = main(["-w", str(workspace), "results", target, "--json"])
    captured = capsys.readouterr()
    return code, (json.loads(captured.out) if captured.out else None), captured.err


@pytest.mark.parametrize("how", ["id", "number", "folder name", "path"])
def test_cli_takes_an_exercise_and_picks_its_latest_run_with_trials(two_runs, capsys, monkeypatch, tmp_path, how):
    monkeypatch.chdir(tmp_path)  # not the workspace: "01_random_search" is then an exercise, not a path
    target = {"id": "01", "number": "1", "folder name": "01_random_search",
              "path": str(two_runs / "01_random_search")}[how]
    code, data, err = cli_results(two_runs, target, capsys)
    assert code == 0, err
    assert data["run"].endswith("runs/33") and len(data["trials"]) == 32
    assert "runs/34 has no data yet; showing runs/33" in err


def test_cli_text_names_the_run_and_its_trials(two_runs, capsys):
    assert main(["-w", str(two_runs), "results", "01"]) == 0
    captured = capsys.readouterr()
    assert "no trials yet" not in captured.err
    assert "33: 32 trials, 32 complete │ best" in captured.out


async def test_the_trials_screen_shows_the_same_run(two_runs, capsys):
    code, data, _ = cli_results(two_runs, "01", capsys)
    app = app_for(two_runs, start_screen="trials:01", resume=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert screen.snapshot.run_dir == two_runs / "01_random_search" / "runs" / "33"
        assert summary(screen).startswith("33: 32 trials, 32 complete")
        assert str(screen.snapshot.run_dir) == data["run"]
        assert {t.id for t in screen.snapshot.trials} == {row["trial"] for row in data["trials"]}


def test_a_run_without_trials_is_still_shown_when_it_is_the_only_one(workspace):
    runs = workspace / "01_random_search" / "runs"
    (runs / "7").mkdir(parents=True)
    (runs / "7" / "job.sh").write_text("#!/bin/bash\n")
    pick = pick_run(workspace / "01_random_search")
    assert pick.run_dir == runs / "7" and pick.note == ""
    assert pick_run(workspace / "02_optuna").run_dir is None


def test_study_runs_are_picked_by_their_journal(workspace):
    runs = workspace / "02_optuna" / "runs"
    (runs / "5").mkdir(parents=True)
    (runs / "5" / "study.journal").write_text('{"op_code": 0}\n')
    (runs / "6").mkdir()
    (runs / "6" / "job.sh").write_text("#!/bin/bash\n")
    assert pick_run(workspace / "02_optuna", has_journal).run_dir == runs / "5"


def test_bad_targets_say_what_was_expected_in_one_line(workspace, tmp_path, capsys):
    with pytest.raises(TargetError, match="not a folder nor an exercise; exercises: 01"):
        resolve("99", workspace)
    (tmp_path / "plain").mkdir()
    with pytest.raises(TargetError, match="not a run folder"):
        resolve(tmp_path / "plain", workspace)
    empty = tmp_path / "empty-ws"
    empty.mkdir()
    with pytest.raises(TargetError, match="hptune-tui init"):
        resolve("01", empty)
    assert main(["-w", str(workspace), "results", "99"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err


@pytest.mark.parametrize("arg", ["1", "03", "runs/33", "./here", "~/ws/01_random_search/runs/33"])
def test_the_data_screens_read_a_path_or_an_exercise_id_the_same_way(arg):
    """trials, study and throughput once wrote the "path or exercise id" rule three times."""
    from tui.screens.study import StudyScreen
    from tui.screens.throughput import ThroughputScreen
    from tui.screens.trials import TrialsScreen

    expected = arg if "/" in arg or arg.startswith((".", "~")) else f"{int(arg):02d}"
    assert screen_target(arg, "02") == expected
    assert {screen.from_arg(arg).target for screen in (TrialsScreen, StudyScreen, ThroughputScreen)} == {expected}
    assert [screen.from_arg(None).target for screen in (TrialsScreen, StudyScreen, ThroughputScreen)] == \
        ["01", "02", "03"]
    with pytest.raises(KeyError, match="01"):
        screen_target("99", "01")


def test_a_screen_follows_a_folder_as_written_and_an_exercise_in_the_workspace(workspace, tmp_path):
    assert watched("01", workspace) == Target(exercise_dir=workspace / "01_random_search")
    assert watched("01", workspace).where == "01_random_search/runs"
    assert watched(f"{tmp_path}/no/run/yet", workspace) == Target(run_dir=tmp_path / "no" / "run" / "yet")
    assert watched("~/x/33", workspace).run_dir == Path("~/x/33").expanduser()
    assert watched("./03_hyperqueue", workspace, folder="exercise") == Target(exercise_dir=Path("03_hyperqueue"))
