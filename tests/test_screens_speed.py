"""Data screens show data at once (issue 15): what makes them fast, asserted as behaviour, never as timings.

- a live update of the trials table touches only the rows that changed (no rebuild, row keys kept);
- the trials screen's worker builds a trial's row and curve again only when that trial changed;
- the trials screen shows its rows without importing pandas;
- the study screen draws the study before the slow parts (importances, the comparison with
  exercise 1) are done: they block on an Event here, whatever the machine's speed.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import threading

import pytest

from tests.apphelpers import app_for
from tests.test_trials_screen import settle, summary, write_run
from tests.waiting import pilot_wait
from tui.widgets.trials_table import TrialsTable


class Spy:
    """Counts the calls of TrialsTable's row methods (the arguments of each)."""

    def __init__(self, monkeypatch):
        self.calls: dict[str, list] = {"clear": [], "add_row": [], "update_cell": [], "remove_row": []}
        for name, seen in self.calls.items():
            original = getattr(TrialsTable, name)

            def spy(table, *args, _original=original, _seen=seen, **kwargs):
                _seen.append(args)
                return _original(table, *args, **kwargs)

            monkeypatch.setattr(TrialsTable, name, spy)

    def reset(self) -> None:
        for seen in self.calls.values():
            seen.clear()


def append_epoch(run, trial: str, step: int, value: float) -> None:
    with open(run / "trials" / trial / "metrics.jsonl", "a") as handle:
        handle.write(json.dumps({"step": step, "val_acc": value}) + "\n")


async def test_a_live_update_changes_only_the_rows_that_changed(workspace, monkeypatch):
    run = workspace / "01_random_search" / "runs" / "live"
    params = write_run(run, n=30, epochs=3, done=False)
    spy = Spy(monkeypatch)
    app = app_for(workspace, start_screen="trials:01", resume=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = app.screen
        table = screen.query_one(TrialsTable)
        assert table.row_count == 30
        keys = {str(k.value): k for k in table.rows}
        spy.reset()
        append_epoch(run, "0007", 4, 0.5)  # a new epoch that does not beat its best: the order stays
        await pilot.press("r")
        await settle(pilot)
        assert screen.snapshot.trials[7].curve[-1] == (4.0, 0.5)
        assert not spy.calls["clear"] and not spy.calls["add_row"] and not spy.calls["remove_row"]
        assert {str(args[0]) for args in spy.calls["update_cell"]} == {"0007"}
        assert {str(k.value): k for k in table.rows} == keys  # the same rows, not new ones
        row = table.get_row("0007")
        assert row[table.get_column_index("steps")] == "4"

        spy.reset()
        append_epoch(run, "0003", 5, 0.9999)  # now the best: it moves to the top, still in place
        from tests.test_trials_screen import write_trial
        write_trial(run, 30, params[0], 1, done=False)  # and a new trial starts
        await pilot.press("r")
        await settle(pilot)
        assert not spy.calls["clear"] and len(spy.calls["add_row"]) == 1
        assert {str(args[0]) for args in spy.calls["update_cell"]} == {"0003"}
        assert table.row_count == 31 and table.sorted_ids()[0] == "0003"
        shown = [table.get_row_at(i)[0] for i in range(table.row_count)]  # what the table draws, top down
        assert shown == table.sorted_ids()
        best = {r["trial"]: r["val_acc"] for r in screen.snapshot.rows}
        assert [best[t] for t in shown] == sorted(best.values(), reverse=True)
        assert summary(screen).startswith("live: 31 trials")


def test_the_watcher_rebuilds_only_the_trials_that_changed(tmp_path, monkeypatch):
    from tui.screens import trials_data

    run = tmp_path / "run"
    write_run(run, n=12, epochs=4, done=False)
    built: list[str] = []
    original = trials_data.trial_row
    monkeypatch.setattr(trials_data, "trial_row", lambda rec, *a, **k: built.append(rec.id) or original(rec, *a, **k))
    watcher = trials_data.RunWatcher(run_dir=run)
    first = watcher.refresh()
    assert sorted(built) == [f"{i:04d}" for i in range(12)] and len(first.rows) == 12
    built.clear()
    append_epoch(run, "0005", 5, 0.42)
    second = watcher.refresh()
    assert built == ["0005"]
    assert [r["steps"] for r in second.rows if r["trial"] == "0005"] == [5]
    assert watcher.refresh() is None and built == ["0005"]  # nothing new: nothing built


def test_the_trials_screen_shows_rows_without_pandas(workspace):
    """pandas took a second of a loaded login node before the first row; the table needs none of it."""
    write_run(workspace / "01_random_search" / "runs" / "r1", n=5, epochs=3)
    code = f"""
        import asyncio, sys
        from pathlib import Path
        from tests.apphelpers import app_for
        from tests.test_trials_screen import settle

        async def main():
            app = app_for(Path({str(workspace)!r}), start_screen="trials:01", resume=False)
            async with app.run_test(size=(80, 24)) as pilot:
                await settle(pilot)
                print(app.screen.query_one("#trials-table").row_count)
        asyncio.run(main())
        print("pandas" in sys.modules)
    """
    proc = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["5", "False"]


@pytest.fixture
def gate():
    """(entered, release): the slow part sets `entered` and waits for `release`."""
    entered, release = threading.Event(), threading.Event()
    yield entered, release
    release.set()


async def test_the_study_is_drawn_before_its_importances_are_computed(workspace, monkeypatch, gate):
    pytest.importorskip("optuna")
    from tests.test_study_screen import text, write_fixed_study, write_random_search
    from tui.results import study

    write_fixed_study(workspace / "02_optuna" / "runs" / "r1", n=24)
    write_random_search(workspace / "01_random_search")
    entered, release = gate
    original = study.param_importances

    def slow(*args, **kwargs):
        entered.set()
        release.wait(120)  # bounded only so that a broken test cannot hang the suite
        return original(*args, **kwargs)

    monkeypatch.setattr(study, "param_importances", slow)
    app = app_for(workspace, start_screen="study:02", resume=False)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        await pilot_wait(pilot, lambda: entered.is_set() and screen.shown.get("history"), "the history")
        assert text(screen, "#study-summary").startswith("r1: 24 trials")
        await pilot.press("3")
        await pilot_wait(pilot, lambda: "computing" in text(screen, "#study-importance-label"), "computing")
        assert not screen.shown["importance"]
        release.set()
        await pilot_wait(pilot, lambda: screen.shown.get("importance"), "the importances")
        await pilot.press("7")
        await pilot_wait(pilot, lambda: screen.shown.get("compare") is not None
                         and screen.shown["compare"].other_run == "rs-demo", "the comparison")


async def test_the_curves_are_built_in_the_worker_not_on_the_ui_thread(workspace, monkeypatch):
    """plotext's build of 120 curves took 0.2-0.3 s of the UI thread at every live update."""
    from textual_plotext.plot import Plot

    run = workspace / "01_random_search" / "runs" / "live"
    write_run(run, n=6, epochs=3, done=False)
    on_ui: list[bool] = []
    original = Plot.build
    monkeypatch.setattr(Plot, "build", lambda plt: on_ui.append(threading.current_thread() is threading.main_thread())
                        or original(plt))
    app = app_for(workspace, start_screen="trials:01", resume=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = app.screen
        on_ui.clear()
        append_epoch(run, "0002", 4, 0.999)
        await pilot.press("r")
        await settle(pilot)
        assert screen.snapshot.best.id == "0002"
        assert on_ui and not any(on_ui)  # built once, in the worker
        assert "best: thick" in screen.query_one("#trials-curves").render().plain


async def test_a_built_plot_is_what_the_widget_draws_and_is_redrawn_when_resized():
    from textual.app import App

    from tui.widgets.curves import CurvePlot, Series, build_plot

    series = [Series("", [1.0, 2.0, 3.0], [0.2, 0.5, 0.4], color="cyan"),
              Series("", [1.0, 2.0], [0.1, 0.9], marker="hd", color="orange")]
    options = {"title": "two curves", "xlabel": "epoch", "xticks": ([1.0, 2.0, 3.0], ["1", "2", "3"])}

    class One(App):
        def compose(self):
            yield CurvePlot(id="p")

    app = One()
    async with app.run_test(size=(60, 20)) as pilot:
        plot = app.query_one(CurvePlot)
        plot.show(series, **options)
        await pilot.pause()
        drawn = plot.render().plain
        spec = plot.build_spec()
        assert spec is not None and spec[0] == (60, 20)
        plot.show([])
        plot.show_built(build_plot(spec, series, **options), series, **options)
        assert plot.has_data and plot.render().plain == drawn
        stale = build_plot(((30, 10), spec[1]), series, **options)  # built before a resize
        plot.show_built(stale, series, **options)
        assert plot.render().plain == drawn  # drawn here from the series instead


def test_sort_rows_keeps_missing_values_last_and_ties_in_order():
    from tui.results.table import sort_rows

    rows = [{"trial": "a", "v": 0.5}, {"trial": "b", "v": None}, {"trial": "c", "v": 0.9},
            {"trial": "d", "v": float("nan")}, {"trial": "e", "v": 0.5}]
    assert [r["trial"] for r in sort_rows(rows, "v", ascending=False)] == ["c", "a", "e", "b", "d"]
    assert [r["trial"] for r in sort_rows(rows, "v", ascending=True)] == ["a", "e", "c", "b", "d"]
    mixed = [{"trial": "x", "o": "sgd"}, {"trial": "y", "o": 2}, {"trial": "z", "o": "adam"}]
    assert [r["trial"] for r in sort_rows(mixed, "o", ascending=True)] == ["y", "z", "x"]
