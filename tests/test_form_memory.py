"""The job form remembers: reopened, it shows the script saved at its path, not the template's defaults.

Journey issue, item 5: reopening the form showed the defaults again and Submit then overwrote the
learner's script.
"""

from __future__ import annotations

from textual.widgets import Input

from tests.apphelpers import app_for
from tui.dialogs.confirm import ConfirmDialog


async def _open_form(ws, answer_overwrite: str | None = None):
    """Open exercise 1's form, return (field values, status text) after the first render."""
    app = app_for(ws, start_screen="script:array@01", resume=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        screen = app.screen
        values = {key: screen.query_one(f"#f-{key}", Input).value for key in ("array", "time", "job_name", "command")}
        status = str(screen.query_one("#script-status").render())
    return values, status


async def test_reopened_form_shows_the_saved_script_and_submit_keeps_it(tmp_path):
    ws = tmp_path / "ws"
    target = ws / "01_random_search" / "job.sh"
    app = app_for(ws, start_screen="script:array@01", resume=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        app.screen.query_one("#f-array", Input).value = "0-15%3"
        app.screen.query_one("#f-time", Input).value = "00:12:00"
        await pilot.pause()
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)  # the starter is there: asked first
        await pilot.press("y")
        await pilot.pause()
    saved = target.read_text()
    assert "#SBATCH --array=0-15%3" in saved
    values, status = await _open_form(ws)
    assert values["array"] == "0-15%3" and values["time"] == "00:12:00"
    assert "your saved job.sh" in status
    # Reopened and saved again without a change: the same text, so no question and no change.
    app = app_for(ws, start_screen="script:array@01", resume=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert app.screen.script_text == saved
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert not isinstance(app.screen, ConfirmDialog)
    assert target.read_text() == saved


async def test_a_hand_edited_script_fills_the_resource_fields_from_its_sbatch_lines(tmp_path):
    ws = tmp_path / "ws"
    app_for(ws)  # init
    target = ws / "01_random_search" / "job.sh"
    target.write_text("#!/bin/bash\n#SBATCH -J mine\n#SBATCH -a 0-9%2\n#SBATCH -t 7:00\necho hi\n")
    values, status = await _open_form(ws)
    assert (values["job_name"], values["array"], values["time"]) == ("mine", "0-9%2", "7:00")
    assert "#SBATCH of your job.sh" in status


async def test_the_untouched_starter_gives_its_values_and_the_template_fills_its_todos(tmp_path):
    from tui.jobscript.templates import template_info

    ws = tmp_path / "ws"
    values, status = await _open_form(ws)
    defaults = template_info("array").default_spec()
    # exercise 1's starter names the job and leaves --array and --time as TODOs
    assert (values["job_name"], values["array"], values["time"]) == ("random-search", defaults.array, defaults.time)
    assert "starter" in status


async def test_the_form_says_when_a_job_for_an_ssh_cluster_sets_no_software_up(tmp_path):
    from textual.widgets import Select

    from tui.app import make_app
    from tui.course.workspace import init_workspace
    from tui.settings import Settings

    ws = tmp_path / "ws"
    init_workspace(ws)
    app = make_app(Settings(workspace=ws, backend="ssh", ssh_host="login.example.org"), start_screen="script:array@01",
                   resume=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        result = app.screen.query_one("#script-result")
        assert result.display and "software" in str(result.render())
        app.screen.query_one("#f-env", Select).value = "modules"
        app.screen.query_one("#f-modules", Input).value = "PyTorch-bundle"
        await pilot.pause()
        assert "software" not in str(result.render()) or not result.display
