"""The app shell driven for real with Pilot."""

from tui.course.progress import ProgressStore
from tests.apphelpers import app_for


async def test_home_lists_lessons_and_exercises(tmp_path):
    app = app_for(tmp_path / "ws")
    async with app.run_test() as pilot:
        await pilot.pause()
        assert type(app.screen).__name__ == "HomeScreen"
        from textual.widgets import OptionList

        ids = [o.id for o in app.screen.query_one(OptionList).options if o.id]
        assert ids == [i.id for i in app.catalog.items]
        status = app.screen.query_one("#status-bar").render()
        assert "local runner" in status and str(tmp_path / "ws") in status


async def test_open_step_mark_done_and_resume(tmp_path):
    ws = tmp_path / "ws"
    app = app_for(ws)
    async with app.run_test() as pilot:
        await pilot.press("enter")  # first lesson
        await pilot.pause()
        screen = app.screen
        assert type(screen).__name__ == "LessonScreen" and screen.item_id == "tuning"
        steps = [s.id for s in screen.item.steps]
        await pilot.press("d")  # done, and on to the next step
        await pilot.pause()
        assert screen.index == 1
        await pilot.press("escape")
        await pilot.pause()
        assert type(app.screen).__name__ == "HomeScreen"
    store = ProgressStore.open(ws)
    assert store.done_steps("tuning") == {steps[0]}
    assert store.current_step("tuning") == steps[1]
    # a new app resumes on the same lesson and step
    app = app_for(ws)
    async with app.run_test() as pilot:
        await pilot.pause()
        assert type(app.screen).__name__ == "LessonScreen"
        assert app.screen.item_id == "tuning" and app.screen.index == 1


async def test_next_previous_stay_in_range(tmp_path):
    app = app_for(tmp_path / "ws", start_screen="lesson:tuning")
    async with app.run_test() as pilot:
        await pilot.pause()
        n = len(app.screen.item.steps)
        await pilot.press("p")
        assert app.screen.index == 0
        for _ in range(n + 2):
            await pilot.press("n")
        assert app.screen.index == n - 1


async def test_reset_exercise_asks_and_keeps_a_backup(tmp_path):
    ws = tmp_path / "ws"
    app = app_for(ws, resume=False)
    readme = ws / "01_random_search" / "README.md"
    readme.write_text("my attempt\n")
    async with app.run_test() as pilot:
        option_list = app.screen.query_one("#course-map")
        option_list.highlighted = [o.id for o in option_list.options].index("01")
        await pilot.press("r")
        await pilot.pause()
        assert type(app.screen).__name__ == "ConfirmDialog"
        await pilot.press("n")  # no: nothing changes
        await pilot.pause()
        assert readme.read_text() == "my attempt\n"
        await pilot.press("r")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
    assert readme.read_text() != "my attempt\n"
    backups = list((ws / ".hptune" / "backups").iterdir())
    assert len(backups) == 1 and (backups[0] / "README.md").read_text() == "my attempt\n"


async def test_corrupt_progress_is_shown_and_left_alone(tmp_path):
    ws = tmp_path / "ws"
    app_for(ws)  # initialise
    broken = ws / ".hptune" / "progress.json"
    broken.write_text("[1, 2")
    app = app_for(ws)
    async with app.run_test() as pilot:
        await pilot.pause()
        text = str(app.screen.query_one("#home-problems").render())
        assert "progress.json is broken" in text
        await pilot.press("enter")
        await pilot.press("d")
        await pilot.pause()
    assert broken.read_text() == "[1, 2"


async def test_command_palette_offers_lessons_and_screens(tmp_path):
    app = app_for(tmp_path / "ws", resume=False)
    async with app.run_test() as pilot:
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert "Lesson: What could be tuned" in titles
        assert "Exercise 01: Random search with a job array" in titles
        await pilot.press("q")
    assert app.return_code in (0, None)


async def test_view_key_offers_every_view_of_a_lesson(tmp_path):
    app = app_for(tmp_path / "ws", start_screen="lesson:queue")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        views = app.screen.item.views
        assert len(views) >= 2
        await pilot.press("v")
        await pilot.pause()
        assert type(app.screen).__name__ == "ChoiceDialog"
        await pilot.press("down", "enter")  # the second view
        await pilot.pause()
        from tui.screens.registry import SCREENS

        assert type(app.screen).__name__ == SCREENS[views[1].partition(":")[0]][1]


def _map_line(app, item_id: str) -> str:
    from textual.widgets import OptionList

    option_list = app.screen.query_one("#course-map", OptionList)
    return str(next(o.prompt for o in option_list.options if o.id == item_id))


async def test_reading_every_step_and_answering_the_quiz_shows_on_the_map(tmp_path):
    app = app_for(tmp_path / "ws", resume=False)
    async with app.run_test() as pilot:
        await pilot.pause()
        assert "  0%" in _map_line(app, "tuning") and "quiz 0/3" in _map_line(app, "tuning")
        await pilot.press("enter")  # the first lesson, read with n only (never `d`)
        await pilot.pause()
        for _ in app.screen.item.steps:
            await pilot.press("n")
        await pilot.press("escape")
        await pilot.pause()
        assert type(app.screen).__name__ == "HomeScreen"
        assert "100%" in _map_line(app, "tuning")
        app.open_screen("quiz:tuning")
        await pilot.pause()
        await pilot.press("a")
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert "quiz 1/3" in _map_line(app, "tuning")


async def test_the_map_shows_an_exercise_done_by_another_process(tmp_path):
    ws = tmp_path / "ws"
    app = app_for(ws, resume=False)
    async with app.run_test() as pilot:
        await pilot.pause()
        assert "done" not in _map_line(app, "02")
        ProgressStore.open(ws).set_completed("02")  # `hptune-tui check 02` in a shell
        await pilot.press("enter")  # open a lesson and come back
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert _map_line(app, "02").startswith(" ━━━━━━━━ done  Exercise 02")
    assert ProgressStore.open(ws).completed("02")
