"""The lesson views driven with Pilot: every interaction changes the numbers it should."""

from __future__ import annotations

import json

import pytest

from tests.apphelpers import app_for


def _text(app, selector: str) -> str:
    return str(app.screen.query_one(selector).render())


async def test_overhead_panel_scenarios_and_modes(tmp_path):
    app = app_for(tmp_path / "ws", start_screen="overhead:sequential", resume=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = app.screen
        before = screen.schedule
        assert "utilisation 56.0%" in _text(app, "#overhead-numbers")
        await pilot.press("right")  # queue wait +5: later, same utilisation
        assert screen.params.queue_wait == 10
        assert screen.schedule.time_to_n > before.time_to_n
        assert screen.schedule.utilisation == before.utilisation
        await pilot.press("down", "down", "down", "left", "left", "left", "left", "left")  # load 5 -> 0
        assert screen.params.load == 0 and screen.schedule.utilisation > before.utilisation
        assert f"utilisation {screen.schedule.utilisation:5.1%}" in _text(app, "#overhead-numbers")
        await pilot.press("s")  # sequential -> batch
        assert screen.params.mode == "batch" and screen.scenario_name == "batch"
        await pilot.press("m")
        assert screen.params.mode == "async" and screen.schedule.total("idle") == 0
        await pilot.press("w")
        assert screen.params.wide and screen.schedule.jobs == 1


async def test_overhead_draws_the_learners_own_run(tmp_path):
    ws = tmp_path / "ws"
    app = app_for(ws, start_screen="overhead", resume=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("o")  # no run yet: a notice, the simulation stays
        await pilot.pause()
        assert "utilisation" in _text(app, "#overhead-numbers")
        for i, (start, end) in enumerate([(0, 600), (0, 300), (300, 900)]):
            trial = ws / "01_random_search" / "runs" / "r1" / "trials" / f"{i:03d}"
            trial.mkdir(parents=True)
            lines = [json.dumps({"step": 0, "time": 1e9 + start}), json.dumps({"step": 1, "time": 1e9 + end})]
            (trial / "metrics.jsonl").write_text("\n".join(lines) + "\n{\"half")
        await pilot.press("o")
        await pilot.pause()
        assert "3 trials on 2 lane(s) in 15.0 min" in _text(app, "#overhead-numbers")


async def test_grid_random_new_draw_and_panels(tmp_path):
    app = app_for(tmp_path / "ws", start_screen="grid-random", resume=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        first = _text(app, "#gr-numbers")
        assert "grid 3, random 9" in first and "draw 0" in first
        await pilot.press("n")
        assert "draw 1" in _text(app, "#gr-numbers") and _text(app, "#gr-numbers") != first
        await pilot.press("p", "p")
        assert app.screen.panel == 2
        await pilot.press("p")
        assert app.screen.panel == 0


async def test_bayes_observations_move_the_posterior(tmp_path):
    app = app_for(tmp_path / "ws", start_screen="bayes", resume=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert "posterior Beta(2, 2) mean 0.500" in _text(app, "#bayes-numbers")
        await pilot.press("s", "s", "s", "f")
        assert "posterior Beta(5, 3) mean 0.625" in _text(app, "#bayes-numbers")
        await pilot.press("A")
        assert "prior Beta(3, 2)" in _text(app, "#bayes-numbers")
        await pilot.press("a", "a", "a")  # cannot go below Beta(1, .)
        assert app.screen.prior.alpha == 1
        await pilot.press("m", "o", "o")
        assert "2 observations" in _text(app, "#bayes-numbers")
        await pilot.press("r")
        assert "0 observations" in _text(app, "#bayes-numbers")


async def test_methods_race_runs_in_a_worker_and_budget_changes(tmp_path):
    app = app_for(tmp_path / "ws", start_screen="methods", resume=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        result = app.screen.result
        assert result is not None and result.budget == 30 * 9
        assert "hyperband" in _text(app, "#methods-numbers")
        await pilot.press("plus")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.screen.result.budget == 40 * 9 and app.screen.result is not result


async def test_priors_bounds_kind_axis_and_own_samples(tmp_path):
    from tui.course.workspace import init_workspace

    ws = tmp_path / "ws"
    init_workspace(ws)
    trial = ws / "02_optuna" / "runs" / "r1" / "trials" / "000"
    trial.mkdir(parents=True)
    (trial / "params.json").write_text(json.dumps({"lr": 1e-3}))
    app = app_for(ws, start_screen="priors", resume=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert "your latest run: 1 values of lr" in _text(app, "#priors-numbers")
        linear = _text(app, "#priors-numbers")
        await pilot.press("right")  # low 1e-5 -> 1e-4
        assert screen.prior.low == pytest.approx(1e-4) and _text(app, "#priors-numbers") != linear
        await pilot.press("l")
        assert screen.log_axis
        await pilot.press("k")  # log-uniform -> int
        assert screen.prior.kind == "int"
        await pilot.press("n")  # next preset: weight_decay
        assert screen.name_ == "weight_decay" and screen.prior.kind == "log-uniform"


@pytest.mark.parametrize("spec", ["overhead:nope", "bayes:gamma", "grid-random:7", "priors:nope",
                                  "priors:lr/sqrt", "quiz:nope"])
def test_bad_view_arguments_name_the_valid_ones(spec):
    from tui.screens.registry import build_screen

    with pytest.raises(KeyError):
        build_screen(spec)


def test_export_refuses_an_unknown_scenario(capsys, tmp_path):
    from tui.cli import main

    assert main(["export", "overhead:nope", "-o", str(tmp_path / "x.svg")]) == 2
    assert "short-small" in capsys.readouterr().err
    assert not (tmp_path / "x.svg").exists()


async def test_param_panel_stays_within_bounds(tmp_path):
    app = app_for(tmp_path / "ws", start_screen="overhead:sequential", resume=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("down", "down")  # imports: 1 minute
        await pilot.press("left", "left", "left")
        assert app.screen.params.imports == 0  # never negative
        assert "utilisation" in _text(app, "#overhead-numbers")


async def test_from_a_lesson_to_its_view_and_its_questions(tmp_path):
    app = app_for(tmp_path / "ws", start_screen="lesson:queue", resume=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("v")
        await pilot.pause()
        assert type(app.screen).__name__ == "ChoiceDialog"  # the lesson has a view and a quiz
        await pilot.press("enter")
        await pilot.pause()
        assert type(app.screen).__name__ == "OverheadScreen"
        await pilot.press("c")
        await pilot.pause()
        assert type(app.screen).__name__ == "QuizScreen" and app.screen.lesson_id == "queue"
        await pilot.press("escape", "escape")
        await pilot.pause()
        assert type(app.screen).__name__ == "LessonScreen"


async def test_overhead_my_run_skips_the_hyperqueue_run(tmp_path):
    """Exercise 3's run is newer and has trials/, but no timed epochs: "My run" is exercise 1's."""
    import os

    ws = tmp_path / "ws"
    app = app_for(ws, start_screen="overhead", resume=False)
    for i, (start, end) in enumerate([(0, 600), (0, 300)]):
        trial = ws / "01_random_search" / "runs" / "33" / "trials" / f"{i:03d}"
        trial.mkdir(parents=True)
        lines = [json.dumps({"step": 0, "time": 1e9 + start}), json.dumps({"step": 1, "time": 1e9 + end})]
        (trial / "metrics.jsonl").write_text("\n".join(lines) + "\n")
    os.utime(ws / "01_random_search" / "runs" / "33", (1e9, 1e9))
    hq = ws / "03_hyperqueue" / "runs" / "hq" / "trials" / "0"
    hq.mkdir(parents=True)
    (hq / "result.json").write_text(json.dumps({"status": "complete", "seq_per_s": 9.0}))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("o")
        await pilot.pause()
        assert "2 trials on 2 lane(s) in 10.0 min" in _text(app, "#overhead-numbers")
