"""The checks screen and the solution diff: failures, progressive hints, watch, done, the diff."""

from __future__ import annotations

import shutil

import pytest
from rich.table import Table

from tests.apphelpers import SNAPSHOT_WS, app_for, snapshot_app
from tests.test_trials_screen import fake_params, write_trial
from tui.checks import runner
from tui.resources import solutions_dir
from tui.screens.checks import ChecksScreen
from tui.screens.solution_diff import SolutionDiffScreen

SOLUTION = solutions_dir() / "01_random_search"


async def settle(pilot) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def use_solution(workspace, trials: int = 8) -> None:
    """The reference sampler and script in the learner's folder, and a finished run that beats the target."""
    import random

    folder = workspace / "01_random_search"
    for name in ("sample.py", "job.sh"):
        shutil.copy(SOLUTION / name, folder / name)
    rng = random.Random(2)
    for i in range(trials):
        params = fake_params(rng) | {"lr": 3e-3}  # the fake curve peaks there: about 0.97
        write_trial(folder / "runs" / "fake", i, params, 20)


def detail(screen) -> str:
    return str(screen.query_one("#checks-detail-text").content)


def select(screen, check_id: str) -> None:
    table = screen.query_one("#checks-table")
    table.move_cursor(row=[c.id for c in screen.report.checks].index(check_id))


async def test_the_starter_fails_and_hints_come_one_by_one(workspace):
    app = app_for(workspace, start_screen="checks:01", resume=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ChecksScreen) and not screen.report.passed
        assert {"sample.distribution", "script.array", "results.trials_complete"} <= set(screen.report.failed_ids())
        assert str(screen.query_one("#checks-table").get_cell("script.array", "state")) == "FAIL"
        select(screen, "sample.distribution")
        await pilot.pause()
        assert "FAIL sample.distribution" in detail(screen) and "Hint 1/" not in detail(screen)
        await pilot.press("h")
        assert "Hint 1/3" in detail(screen) and "Hint 2/3" not in detail(screen)
        await pilot.press("h")
        assert "Hint 2/3" in detail(screen) and "Hint 3/3" not in detail(screen)
        await pilot.press("r")  # revealed hints survive a re-run
        await settle(pilot)
        assert "Hint 2/3" in detail(screen)
        await pilot.press("h", "h")
        assert "Hint 3/3" in detail(screen) and "left)" not in detail(screen)
        await pilot.press("s")  # not yet: the solution stays closed
        assert app.screen is screen and not app.progress.completed("01")


async def test_the_solution_with_a_run_passes_and_marks_done(workspace):
    use_solution(workspace)
    app = app_for(workspace, start_screen="checks:01", resume=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert screen.report.passed, screen.report.failed_ids()
        assert app.progress.completed("01")
        assert "Exercise done" in str(screen.query_one("#checks-status").content)
        assert "12/12 pass" in str(screen.query_one("#checks-title").content)
        await pilot.press("s")
        await settle(pilot)
        assert isinstance(app.screen, SolutionDiffScreen)
        assert "no differences" in str(app.screen.query_one("#diff-text").content)


async def test_broken_learner_code_is_a_failed_check(workspace):
    (workspace / "01_random_search" / "sample.py").write_text("def sample(task_id, seed=0:\n")
    app = app_for(workspace, start_screen="checks:01", resume=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = app.screen
        select(screen, "sample.bounds")
        await pilot.pause()
        assert "sample.bounds" in screen.report.failed_ids() and "SyntaxError" in detail(screen)


async def test_an_exercise_without_checks_says_so(workspace, monkeypatch):
    monkeypatch.delitem(runner.CHECK_MODULES, "01")
    app = app_for(workspace, start_screen="checks:01", resume=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        status = str(app.screen.query_one("#checks-status").content)
        assert "cannot run the checks" in status and "has no checks yet" in status
        await pilot.press("h", "s")  # nothing selected, nothing passed: no crash


async def test_watch_reruns_on_save_and_stops(workspace, monkeypatch):
    monkeypatch.setattr(ChecksScreen, "WATCH_INTERVAL_S", 0.05)
    app = app_for(workspace, start_screen="checks:01", resume=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert "sample.distribution" in screen.report.failed_ids()
        await pilot.press("w")
        runs = screen.runs
        shutil.copy(SOLUTION / "sample.py", workspace / "01_random_search" / "sample.py")
        for _ in range(400):  # bounded: the watch polls every 0.05 s, the checks take about a second
            if screen.runs > runs:
                break
            await pilot.pause(0.05)
        assert "sample.distribution" not in screen.report.failed_ids()
        watchers = [w for w in app.workers if w.group == "watch"]
        await pilot.press("w")
        assert not screen.watching and all(w.is_cancelled for w in watchers)
        await settle(pilot)  # returns: the watch thread ended
        assert all(w.is_finished for w in watchers)


async def test_solution_diff_shows_the_differences(workspace):
    app = app_for(workspace, start_screen="solution-diff:01", resume=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        text = str(app.screen.query_one("#diff-text").content)
        assert "--- yours/sample.py" in text and "+++ reference/sample.py" in text
        assert any(line.startswith("-") and "TODO" in line for line in text.splitlines())
        await pilot.press("b")
        assert isinstance(app.screen.query_one("#diff-text").content, Table)
        await pilot.press("n")
        assert "job.sh (2/2)" in str(app.screen.query_one("#diff-title").content)
        (workspace / "01_random_search" / "job.sh").unlink()
        await pilot.press("b", "n", "n")
        assert "you have no job.sh yet" in str(app.screen.query_one("#diff-title").content)


def test_side_rows_align_changes():
    from tui.widgets.diff_view import side_rows

    assert side_rows("a\nb\nc\n", "a\nB\nc\nd\n") == [("a", " ", "a"), ("b", "|", "B"), ("c", " ", "c"),
                                                      ("", ">", "d")]


def test_bad_arguments():
    with pytest.raises(KeyError, match="valid exercises"):
        ChecksScreen.from_arg("99")
    with pytest.raises(KeyError, match="valid exercises"):
        SolutionDiffScreen.from_arg("nope/sample.py")
    assert SolutionDiffScreen.from_arg("1/job.sh").start_file == "job.sh"


def test_checks_snapshot_starter_80x24(snap_compare):
    async def run_before(pilot):
        await settle(pilot)
        await pilot.press("down", "h", "h")

    assert snap_compare(snapshot_app(start_screen="checks:01"), terminal_size=(80, 24), run_before=run_before)


def test_checks_snapshot_done_80x24(snap_compare):
    app = snapshot_app(start_screen="checks:01")  # creates the fixed workspace
    use_solution(SNAPSHOT_WS)
    app.progress.read_only = True  # the snapshot workspace is shared: leave no progress behind
    assert snap_compare(app, terminal_size=(80, 24), run_before=settle)


@pytest.mark.parametrize("keys", [[], ["b"]], ids=["unified", "side-by-side"])
def test_solution_diff_snapshot_80x24(snap_compare, keys):
    async def run_before(pilot):
        await settle(pilot)
        if keys:
            await pilot.press(*keys)

    assert snap_compare(snapshot_app(start_screen="solution-diff:01"), terminal_size=(80, 24), run_before=run_before)
