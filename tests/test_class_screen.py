"""The class screen (the teacher's, driven with the Pilot at 80x24) and the learner's side of
publishing in the app: the checks screen publishes after each run, the home screen says where."""

from __future__ import annotations

import functools
import json
import os

from textual.widgets import DataTable, Static

from tests.apphelpers import app_for
from tests.test_classroom import ME, class_folder, summary_data
from tests.waiting import pilot_wait
from tui.app import make_app
from tui.classroom.collect import ClassReader
from tui.settings import Settings


def teacher_app(tmp_path, folder, monkeypatch):
    """The class screen on `folder`, whose summaries all belong to this test's one user."""
    monkeypatch.setattr("tui.classroom.collect.ClassReader", functools.partial(ClassReader, check_owner=False))
    return make_app(Settings(workspace=tmp_path / "teacher", backend="local"), start_screen=f"class:{folder}",
                    resume=False, read_only=True)


def cells(screen, table_id: str) -> list[list[str]]:
    table = screen.query_one(table_id, DataTable)
    return [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]


async def test_the_class_screen_shows_each_learner_and_follows_the_folder(tmp_path, monkeypatch):
    folder = class_folder(tmp_path, 0o755)
    (folder / "ann.json").write_text(json.dumps(summary_data("ann", checks={})))
    (folder / "bob.json").write_text(json.dumps(summary_data("bob", value=0.95)))
    (folder / "bad.json").write_text("{")
    monkeypatch.setattr("tui.screens.class_view.ClassViewScreen.BASE_INTERVAL_S", 0.2)
    app = teacher_app(tmp_path, folder, monkeypatch)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        await pilot_wait(pilot, lambda: screen.reads >= 1, "the first read")
        rows = cells(screen, "#class-learners")
        assert [r[0] for r in rows] == ["bob", "ann"]  # the one stuck on a check first
        assert rows[0][3] == "01 results.best_metric" and rows[0][5] == "0.950" and rows[1][3] == "-"
        assert "bad.json: not valid JSON" in str(screen.query_one("#class-notes", Static).render())
        assert "2 learners · 1 with a failing check" in str(screen.query_one("#class-title", Static).render())
        (folder / "cid.json").write_text(json.dumps(summary_data("cid", value=0.99)))
        await pilot_wait(pilot, lambda: screen.query_one("#class-learners", DataTable).row_count == 3, "cid")
        assert cells(screen, "#class-leaders")[0][:4] == ["1", "cid", "random", "0.990"]
        reads = screen.reads
        await pilot_wait(pilot, lambda: screen.reads >= reads + 2, "two quiet reads")
        assert screen.interval > screen.BASE_INTERVAL_S  # nothing changed: it looks less often
        cost = cells(screen, "#class-cost")
        assert [c[:3] for c in cost] == [["random search", "3", "1.50"], ["Optuna (TPE)", "0", "-"]]


async def test_without_a_class_folder_the_screen_says_how_to_set_one(tmp_path):
    app = make_app(Settings(workspace=tmp_path / "t", backend="local"), start_screen="class", read_only=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert "no class folder" in str(app.screen.query_one("#class-title", Static).render())


async def test_the_checks_screen_publishes_and_home_says_where(workspace, tmp_path):
    folder = class_folder(tmp_path)
    (workspace / "hptune.toml").write_text(f'class_dir = "{folder}"\nbackend = "local"\n')
    app = make_app(Settings(workspace=workspace, backend="local", class_dir=str(folder)), resume=False)
    async with app.run_test(size=(80, 24)) as pilot:
        assert f"publishing to {folder / ME}.json" in str(app.screen.query_one("#home-publishing", Static).render())
        app.open_screen("checks:01")
        await pilot_wait(pilot, lambda: (folder / f"{ME}.json").exists(), "the published summary", 300)
    summary = json.loads((folder / f"{ME}.json").read_text())
    assert "script.array" in summary["checks"]["01"]["failing"]


async def test_an_export_of_the_checks_publishes_nothing(workspace, tmp_path):
    folder = class_folder(tmp_path)
    app = app_for(workspace, start_screen="checks:01", resume=False, read_only=True)
    app.settings.class_dir = str(folder)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot_wait(pilot, lambda: app.screen.runs >= 1, "the checks", 300)
        await app.workers.wait_for_complete()
    assert os.listdir(folder) == []
