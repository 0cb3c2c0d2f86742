"""The study screen: every tab on a real small study, live refresh, hide-pruned, missing runs, snapshots."""

from __future__ import annotations

import json
import math
import random
import shutil
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

optuna = pytest.importorskip("optuna")

from tests.apphelpers import app_for, snapshot_app  # noqa: E402
from tui.screens.study import StudyScreen  # noqa: E402

SNAP_RUN = Path("/tmp/hptune-snap-study/run-demo")
T0 = datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc)


def fake_accuracy(lr: float, dropout: float, epoch: int, epochs: int) -> float:
    """A made-up curve peaking near lr = 3e-3 and low dropout (deterministic)."""
    top = 0.97 - 0.2 * abs(math.log10(lr) + 2.5) / 1.5 - 0.1 * dropout
    return round(top * (1 - math.exp(-3 * epoch / epochs)), 4)


def write_fixed_study(run: Path, n: int = 24, epochs: int = 8, workers: int = 3, two_objectives: bool = False) -> Path:
    """A finished study with fixed seeds and fixed times: three workers, pruned and failed trials."""
    from optuna.distributions import CategoricalDistribution, FloatDistribution, IntDistribution
    from optuna.trial import FrozenTrial, TrialState

    from tui.runtime.optuna_worker import make_storage

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    shutil.rmtree(run, ignore_errors=True)
    directions = ["maximize", "minimize"] if two_objectives else ["maximize"]
    study = optuna.create_study(study_name="hptune", storage=make_storage(run), directions=directions)
    dists = {"lr": FloatDistribution(1e-4, 1e-1, log=True), "hidden": IntDistribution(16, 512, log=True),
             "dropout": FloatDistribution(0.0, 0.5), "optimizer": CategoricalDistribution(["sgd", "adam", "adamw"])}
    rng = random.Random(7)
    free = [0.0] * workers  # when each worker is next free (seconds after T0)
    for number in range(n):
        w = min(range(workers), key=lambda i: (free[i], i))
        params = {"lr": 10 ** rng.uniform(-4, -1), "hidden": int(round(math.exp(rng.uniform(math.log(16), math.log(512))))),
                  "dropout": rng.uniform(0, 0.5), "optimizer": rng.choice(["sgd", "adam", "adamw"])}
        curve = [fake_accuracy(params["lr"], params["dropout"], e, epochs) for e in range(1, epochs + 1)]
        state, ran = TrialState.COMPLETE, epochs
        if number >= 6 and curve[2] < 0.6:  # the pruner's verdict, fixed
            state, ran = TrialState.PRUNED, 3
        if number == 9:
            state, ran = TrialState.FAIL, 1
        start = free[w] + 0.3
        free[w] = start + ran * (1.0 + params["hidden"] / 256)
        value = max(curve[:ran])
        values = [value, round(params["hidden"] * ran / 100, 3)] if two_objectives else [value]
        study.add_trial(FrozenTrial(
            number=number, trial_id=number, state=state, value=None,
            values=values if state == TrialState.COMPLETE else None,
            datetime_start=T0 + timedelta(seconds=start), datetime_complete=T0 + timedelta(seconds=free[w]),
            params=params, distributions=dists, system_attrs={},
            user_attrs={"worker": {"array_job_id": "4242", "array_task_id": str(w), "job_id": str(4243 + w),
                                   "host": "node1", "pid": 100 + w}},
            intermediate_values={e + 1: curve[e] for e in range(ran)}))
    return run


def write_random_search(exercise_dir: Path, n: int = 30, epochs: int = 8, seed: int = 3) -> Path:
    """Exercise 1's run: trial files with fixed values."""
    run = exercise_dir / "runs" / "rs-demo"
    rng = random.Random(seed)
    for i in range(n):
        folder = run / "trials" / f"{i:04d}"
        folder.mkdir(parents=True, exist_ok=True)
        lr, dropout = 10 ** rng.uniform(-4, -1), rng.uniform(0, 0.5)
        (folder / "params.json").write_text(json.dumps({"lr": lr, "dropout": dropout}))
        lines = [json.dumps({"step": e, "val_acc": fake_accuracy(lr, dropout, e, epochs)}) for e in range(1, epochs + 1)]
        (folder / "metrics.jsonl").write_text("".join(line + "\n" for line in lines))
        (folder / "result.json").write_text(json.dumps({"status": "complete"}))
    return run


async def settle(pilot) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def text(screen, selector: str) -> str:
    return str(screen.query_one(selector).content)


@pytest.fixture(scope="module")
def real_run(tmp_path_factory) -> Path:
    """A real small study: the solution's objective, 2 worker processes, 14 trials of 4 epochs."""
    pytest.importorskip("torch")
    from tui.checks.ex02 import reference_run

    root = Path(__file__).resolve().parents[1] / "solutions" / "02_optuna"
    folder = tmp_path_factory.mktemp("study") / "02_optuna"
    folder.mkdir()
    for name in ("objective.py", "job.sh"):
        shutil.copy2(root / name, folder / name)
    return reference_run(folder, n_trials=14, epochs=4, workers=2)


async def test_every_tab_shows_the_real_study(real_run, workspace):
    from tui.results.study import StudyReader

    view = StudyReader(real_run).read()
    counts = view.counts()
    assert counts["pruned"] > 0 and counts["complete"] >= 5, counts  # the fixture must exercise both
    app = app_for(workspace, start_screen=f"study:{real_run}", resume=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, StudyScreen)
        assert f"14 trials, {counts['complete']} complete, {counts['pruned']} pruned" in text(screen, "#study-summary")
        assert [h[0] for h in screen.shown["history"]] == [t.number for t in view.complete()]
        await pilot.press("2")
        await settle(pilot)
        assert len(screen.shown["curves"]) == 14
        await pilot.press("h")  # hide the pruned trials
        await settle(pilot)
        assert len(screen.shown["curves"]) == 14 - counts["pruned"]
        assert "pruned trials hidden" in text(screen, "#study-curves-label")
        await pilot.press("h")
        await settle(pilot)
        assert len(screen.shown["curves"]) == 14
        await pilot.press("3")
        await settle(pilot)
        assert screen.shown["importance"] and set(screen.shown["importance"]) <= set(view.param_names())
        await pilot.press("4")
        await settle(pilot)
        assert screen.shown["slices"] == "lr"
        await pilot.press("n")
        assert screen.shown["slices"] == view.param_names()[1]
        assert "log-uniform" not in text(screen, "#slice-label")  # batch_size is a choice
        await pilot.press("5")
        await settle(pilot)
        assert screen.shown["contour"] == ("lr", view.param_names()[1], counts["complete"])
        await pilot.press("x")
        assert screen.shown["contour"][0] == view.param_names()[2]
        await pilot.press("y", "y")
        assert screen.shown["contour"][1] not in (screen.shown["contour"][0],)
        await pilot.press("6")
        await settle(pilot)
        bars = screen.shown["workers"]
        assert len(bars) == 14 and len({b[0] for b in bars}) == 2  # two asynchronous workers
        assert "2 workers, 14 trials" in text(screen, "#study-workers-label")
        await pilot.press("7")
        await settle(pilot)
        assert screen.shown["compare"].other_run is None  # exercise 1 never ran in this workspace
        assert "no exercise-1 run to compare with" in text(screen, "#study-compare-label")
        assert "saved by pruning" in text(screen, "#study-compare-label")
        await pilot.press("8")  # one objective: no Pareto tab
        await pilot.pause()
        assert screen.query_one("TabbedContent").active == "compare"


async def test_compare_with_exercise_one_at_equal_trials(real_run, workspace):
    write_random_search(workspace / "01_random_search", n=10, epochs=4)
    app = app_for(workspace, start_screen=f"study:{real_run}#compare", resume=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        comparison = app.screen.shown["compare"]
        assert comparison.other_run == "rs-demo"
        assert comparison.figures["n"] == 10 and len(comparison.figures["other"]) == 10
        assert comparison.figures["epochs_full"] == 40
        assert "10 trials each" in text(app.screen, "#study-compare-label")


async def test_no_study_yet_then_a_study_appears(workspace):
    app = app_for(workspace, start_screen="study:02", resume=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert "no study yet: submit the workers first (watching 02_optuna/runs)" in text(screen, "#study-summary")
        for key, label in (("2", "#study-curves-label"), ("6", "#study-workers-label"),
                           ("7", "#study-compare-label")):
            await pilot.press(key)
            await settle(pilot)
            assert "no study yet" in text(screen, label)
        run = write_fixed_study(workspace / "02_optuna" / "runs" / "r1", n=8)
        await pilot.press("r")  # the timer would do the same a moment later
        await settle(pilot)
        assert "r1: 8 trials" in text(screen, "#study-summary")
        first = screen.updates
        from tui.runtime.optuna_worker import make_storage

        live = optuna.load_study(study_name="hptune", storage=make_storage(run))
        trial = live.ask()
        trial.suggest_float("lr", 1e-4, 1e-1, log=True)  # still running: the journal grew
        await pilot.press("r")
        await settle(pilot)
        assert screen.updates == first + 1 and "9 trials" in text(screen, "#study-summary")
        assert "1 running" in text(screen, "#study-summary")


async def test_a_half_written_or_foreign_journal_is_not_fatal(tmp_path, workspace):
    run = write_fixed_study(tmp_path / "run", n=6)
    with open(run / "study.journal", "a") as handle:
        handle.write('{"op_code": 5, "worker_id": "x", "trial_id": 0, "sta')  # a worker is mid-write
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "study.journal").write_text("this is not a journal\n")
    app = app_for(workspace, start_screen=f"study:{run}", resume=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert "run: 6 trials" in text(app.screen, "#study-summary")
        app.push_screen(StudyScreen(str(foreign)))
        await settle(pilot)
        assert "no study yet" in text(app.screen, "#study-summary")
        await pilot.press("2", "5", "6")
        await settle(pilot)
        assert isinstance(app.screen, StudyScreen)
    assert (foreign / "study.journal").read_text() == "this is not a journal\n"  # nothing lost


async def test_pareto_front_of_a_two_objective_study(tmp_path, workspace):
    from tui.results.study import StudyReader

    run = write_fixed_study(tmp_path / "two", n=12, two_objectives=True)
    front = sorted(t.number for t in StudyReader(run).read().pareto_front())
    app = app_for(workspace, start_screen=f"study:{run}", resume=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("8")
        await settle(pilot)
        assert app.screen.query_one("TabbedContent").active == "pareto"
        assert sorted(app.screen.shown["pareto"]) == front and front
        assert "on the Pareto front" in text(app.screen, "#study-pareto-label")
        await pilot.press("3")
        await settle(pilot)
        assert "single-objective" in text(app.screen, "#study-importance-label")


def test_bad_arguments():
    with pytest.raises(KeyError, match="valid exercises"):
        StudyScreen.from_arg("99")
    with pytest.raises(KeyError, match="valid tabs"):
        StudyScreen.from_arg("02#nope")
    screen = StudyScreen.from_arg("/no/such/run#workers")
    assert (screen.target, screen.start_tab) == ("/no/such/run", "workers")
    assert StudyScreen.from_arg(None).target == "02"


def test_pure_helpers():
    from tui.screens.study_data import step_line, whole_ticks
    from tui.widgets.heatmap import band_of, bands, legend, nearest_grid
    from tui.widgets.trial_timeline import time_unit

    assert step_line([0, 2, 5], [0.5, 0.7, 0.7]) == ([0, 2, 2, 5, 5], [0.5, 0.5, 0.7, 0.7, 0.7])
    assert whole_ticks(20)[1] == ["0", "4", "8", "12", "16", "20"]
    cuts = bands([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8])
    assert cuts == [0.3, 0.5, 0.7] and band_of(0.8, cuts) == 3 and band_of(0.1, cuts) == 0
    low = bands([1.0, 2.0, 3.0, 4.0], maximize=False)  # minimising: small is the best band
    assert band_of(1.0, low, maximize=False) == 3 and band_of(4.0, low, maximize=False) == 0
    assert legend(cuts).startswith("·<0.3 ░≥0.3") and legend([]) == ""
    grid = nearest_grid([(0.0, 0.0, 1.0), (1.0, 0.0, 2.0)], (0.0, 1.0), (0.0, 1.0), (2, 2))
    assert [(c[0], c[2]) for c in grid] == [(0.25, 1.0), (0.25, 1.0), (0.75, 2.0), (0.75, 2.0)]
    assert time_unit(30)[0] == 1.0 and time_unit(600)[0] == 60.0 and time_unit(3 * 3600)[0] == 3600.0


def _snap_app(two_objectives: bool = False):
    run = write_fixed_study(SNAP_RUN, two_objectives=two_objectives)
    app = snapshot_app(start_screen=f"study:{run}")
    write_random_search(Path(app.settings.workspace) / "01_random_search")  # after snapshot_app's reset
    return app


@pytest.mark.parametrize("keys", [[], ["2"], ["2", "h"], ["3"], ["4"], ["5", "x"], ["6"], ["7"]],
                         ids=["history", "curves", "curves-hidden", "importance", "slice", "heat", "workers",
                              "compare"])
def test_study_snapshot_80x24(snap_compare, keys):
    async def run_before(pilot):
        await settle(pilot)
        if keys:
            await pilot.press(*keys)
        await settle(pilot)

    assert snap_compare(_snap_app(), terminal_size=(80, 24), run_before=run_before)


def test_pareto_snapshot_80x24(snap_compare):
    async def run_before(pilot):
        await settle(pilot)
        await pilot.press("8")
        await settle(pilot)

    assert snap_compare(_snap_app(two_objectives=True), terminal_size=(80, 24), run_before=run_before)


def test_no_study_snapshot_80x24(snap_compare):
    assert snap_compare(snapshot_app(start_screen="study:02"), terminal_size=(80, 24), run_before=settle)


def test_watcher_reads_again_only_when_the_journal_grows(tmp_path):
    from tui.runtime.optuna_worker import make_storage
    from tui.screens.study_data import MIN_IMPORTANCE_TRIALS, StudyWatcher

    run = write_fixed_study(tmp_path / "run", n=MIN_IMPORTANCE_TRIALS - 1)
    watcher = StudyWatcher(run_dir=run, random_search_dir=tmp_path / "no-exercise-1")
    first = watcher.refresh()
    assert len(first.view.trials) == MIN_IMPORTANCE_TRIALS - 1
    assert first.importances is None  # too few complete trials: not computed at all
    assert first.comparison.other_run is None and first.comparison.figures["n"] == 0
    assert watcher.refresh() is None  # nothing new, nothing running: no redraw
    study = optuna.load_study(study_name="hptune", storage=make_storage(run))
    for value in (0.5, 0.6):
        trial = study.ask()
        trial.suggest_float("lr", 1e-4, 1e-1, log=True)
        study.tell(trial, value)
    second = watcher.refresh()
    assert len(second.view.trials) == MIN_IMPORTANCE_TRIALS + 1
    assert second.importances is not None and "lr" in second.importances
