"""The trials screen: trials and the best appear, grow as files grow, survive half-written lines."""

from __future__ import annotations

import json
import math
import random
import shutil
from pathlib import Path

import pytest

from tests.apphelpers import app_for, snapshot_app
from tui.runtime.space import space_by_name
from tui.screens.trials import TrialsScreen
from tui.widgets.slice_panel import axis_value, log_ticks
from tui.widgets.trials_table import TrialsTable, format_value

SNAP_RUN = Path("/tmp/hptune-snap-trials/run-demo")


def fake_params(rng: random.Random) -> dict:
    return {"lr": 10 ** rng.uniform(-4, -1), "batch_size": rng.choice([16, 32, 64, 128, 256]),
            "hidden": int(round(math.exp(rng.uniform(math.log(16), math.log(512))))),
            "weight_decay": 10 ** rng.uniform(-6, -2), "dropout": rng.uniform(0, 0.5),
            "optimizer": rng.choice(["sgd", "adam", "adamw"])}


def accuracy(params: dict, epoch: int) -> float:
    """A made-up learning curve that peaks near lr = 3e-3 (deterministic)."""
    top = 0.97 - 0.25 * abs(math.log10(params["lr"]) + 2.5) / 1.5
    return round(top * (1 - math.exp(-epoch / 3)), 4)


def write_trial(run: Path, index: int, params: dict, epochs: int, done: bool = True, status: str = "complete",
                reason: str = "") -> Path:
    folder = run / "trials" / f"{index:04d}"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "params.json").write_text(json.dumps(params))
    lines = [json.dumps({"step": e, "val_acc": accuracy(params, e), "val_loss": round(1 / e, 4)})
             for e in range(1, epochs + 1)]
    (folder / "metrics.jsonl").write_text("".join(line + "\n" for line in lines))
    if done:
        (folder / "result.json").write_text(json.dumps({"trial": folder.name, "status": status,
                                                        "reason": reason, "params": params}))
    return folder


def write_run(run: Path, n: int = 8, epochs: int = 20, seed: int = 1, done: bool = True) -> list[dict]:
    """A finished (or running) fake run of `n` trials; returns their params."""
    rng = random.Random(seed)
    params = [fake_params(rng) for _ in range(n)]
    for i, p in enumerate(params):
        write_trial(run, i, p, epochs, done)
    return params


def best_index(params: list[dict], epochs: int = 20) -> int:
    return max(range(len(params)), key=lambda i: accuracy(params[i], epochs))


async def settle(pilot) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def summary(screen) -> str:
    return str(screen.query_one("#trials-summary").content)


def test_pure_helpers():
    space = space_by_name()
    assert axis_value(space["lr"], 1e-3) == pytest.approx(-3.0)
    assert axis_value(space["lr"], -1.0) is None  # cannot sit on a log axis
    assert axis_value(space["optimizer"], "adamw") == 2.0
    assert axis_value(space["optimizer"], "rmsprop") is None
    assert log_ticks(math.log10(16), math.log10(512))[1] == ["20", "50", "100", "200", "500"]
    assert log_ticks(-4, -1)[1] == ["1e-4", "1e-3", "1e-2", "1e-1"]
    assert [format_value(v) for v in (None, float("nan"), 64.0, 0.00025, 0.915, "adam")] == \
        ["-", "-", "64", "2.50e-4", "0.915", "adam"]


async def test_shows_every_trial_and_the_best(workspace):
    run = workspace / "01_random_search" / "runs" / "r1"
    params = write_run(run, n=6)
    app = app_for(workspace, start_screen="trials:01", resume=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, TrialsScreen)
        best = f"{best_index(params):04d}"
        assert len(screen.snapshot.trials) == 6 and screen.snapshot.best.id == best
        assert "6 trials, 6 complete" in summary(screen) and f"best {best}" in summary(screen)
        table = screen.query_one(TrialsTable)
        assert table.row_count == 6 and table.sorted_ids()[0] == best  # best first by default
        assert f"best: trial {best}" in str(screen.query_one("#trials-best").content)


async def test_updates_as_files_grow(workspace):
    run = workspace / "01_random_search" / "runs" / "live"
    params = write_run(run, n=2, epochs=3, done=False)
    app = app_for(workspace, start_screen="trials:01", resume=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert screen.snapshot.counts() == {"running": 2}
        assert [len(t.curve) for t in screen.snapshot.trials] == [3, 3]
        # trial 0 runs on; trial 2 starts
        with open(run / "trials" / "0000" / "metrics.jsonl", "a") as handle:
            handle.write(json.dumps({"step": 4, "val_acc": 0.999}) + "\n")
        write_trial(run, 2, params[1], 1, done=False)
        await pilot.press("r")
        await settle(pilot)
        assert [len(t.curve) for t in screen.snapshot.trials] == [4, 3, 1]
        assert screen.snapshot.best.id == "0000" and "3 trials, 3 running" in summary(screen)


async def test_the_timer_keeps_refreshing(workspace, monkeypatch):
    monkeypatch.setattr(TrialsScreen, "POLL_S", 0.02)
    run = workspace / "01_random_search" / "runs" / "live"
    write_run(run, n=1, epochs=2, done=False)
    app = app_for(workspace, start_screen="trials:01", resume=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = app.screen
        before = screen.updates
        write_run(run, n=3, epochs=2, done=False, seed=9)  # two new trials, no key pressed
        for _ in range(200):  # bounded: the timer re-arms after each refresh
            if screen.updates > before:
                break
            await pilot.pause(0.02)
        assert len(screen.snapshot.trials) == 3


async def test_tolerates_a_half_written_last_line(workspace):
    run = workspace / "01_random_search" / "runs" / "live"
    folder = write_trial(run, 0, fake_params(random.Random(3)), 3, done=False)
    with open(folder / "metrics.jsonl", "a") as handle:
        handle.write('{"step": 4, "val_a')  # the writer is between two write calls
    (run / "trials" / "0001").mkdir()
    (run / "trials" / "0001" / "params.json").write_text('{"lr": 0.0')  # half written (non-atomic writer)
    app = app_for(workspace, start_screen="trials:01", resume=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = app.screen
        trial = screen.snapshot.trials[0]
        assert len(trial.curve) == 3 and screen.snapshot.trials[1].params == {}
        with open(folder / "metrics.jsonl", "a") as handle:
            handle.write('cc": 0.99}\n')
        await pilot.press("r")
        await settle(pilot)
        assert len(screen.snapshot.trials[0].curve) == 4 and screen.snapshot.best.best == 0.99


async def test_no_run_yet_then_the_run_appears(workspace):
    app = app_for(workspace, start_screen="trials:01", resume=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert "no run yet: submit the job first" in summary(screen)
        for key in ("2", "3", "n", "s"):  # every view copes with no data
            await pilot.press(key)
        write_run(workspace / "01_random_search" / "runs" / "later", n=2)
        await pilot.press("r")
        await settle(pilot)
        assert "later: 2 trials" in summary(screen)


async def test_sorting_and_slices(workspace):
    run = workspace / "01_random_search" / "runs" / "r1"
    write_run(run, n=5)
    app = app_for(workspace, start_screen="trials:01", resume=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = app.screen
        table = screen.query_one(TrialsTable)
        await pilot.press("3", "s")  # the cursor starts on the task column
        assert table.sorted_ids() == ["0000", "0001", "0002", "0003", "0004"]
        await pilot.press("s")
        assert table.sorted_ids() == ["0004", "0003", "0002", "0001", "0000"]
        await pilot.press("right", "right", "s")  # batch size, ascending
        batches = [screen.snapshot.trials[int(i)].params["batch_size"] for i in table.sorted_ids()]
        assert batches == sorted(batches)
        label = screen.query_one("#slice-label")
        await pilot.press("2")
        assert "lr ~ log-uniform on [0.0001, 0.1]" in str(label.content)
        await pilot.press("n", "n")
        assert "hidden ~ integer log-uniform" in str(label.content)


def test_bad_arguments():
    with pytest.raises(KeyError, match="valid exercises"):
        TrialsScreen.from_arg("99")
    assert TrialsScreen.from_arg("/no/such/run").target == "/no/such/run"  # may appear later


async def test_a_run_folder_given_by_path(tmp_path, workspace):
    write_run(tmp_path / "myrun", n=3)
    app = app_for(workspace, start_screen=f"trials:{tmp_path / 'myrun'}", resume=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert "myrun: 3 trials" in summary(app.screen)


def _snap_app():
    shutil.rmtree(SNAP_RUN.parent, ignore_errors=True)
    write_run(SNAP_RUN, n=12, seed=1)
    write_trial(SNAP_RUN, 12, fake_params(random.Random(5)), 6, done=False)  # still running
    write_trial(SNAP_RUN, 13, fake_params(random.Random(6)), 2, status="failed",
                reason="diverged: loss is nan at epoch 3")
    return snapshot_app(start_screen=f"trials:{SNAP_RUN}")


@pytest.mark.parametrize("keys", [[], ["2"], ["2", "n", "n", "n", "n", "n"], ["3"]],
                         ids=["curves", "slice-lr", "slice-optimizer", "table"])
def test_trials_snapshot_80x24(snap_compare, keys):
    async def run_before(pilot):
        await settle(pilot)
        if keys:
            await pilot.press(*keys)
        await settle(pilot)

    assert snap_compare(_snap_app(), terminal_size=(80, 24), run_before=run_before)


def test_no_run_snapshot_80x24(snap_compare):
    assert snap_compare(snapshot_app(start_screen="trials:01"), terminal_size=(80, 24), run_before=settle)
