"""The job-script form screen, driven with Pilot at 80x24."""

from __future__ import annotations

from textual.widgets import Input, Select, Static

from tests.apphelpers import app_for
from tui.dialogs.confirm import ConfirmDialog
from tui.jobscript.parser import parse_script
from tui.screens.script_form import ScriptFormScreen


def text_of(screen, selector: str) -> str:
    return str(screen.query_one(selector, Static).render())


async def set_field(pilot, screen, key: str, value: str) -> None:
    screen.query_one(f"#f-{key}", Input).value = value
    await pilot.pause()


async def test_errors_show_beside_the_field_and_the_preview_follows(tmp_path):
    app = app_for(tmp_path / "ws", start_screen="script:array", resume=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ScriptFormScreen)
        assert "#SBATCH --array=0-31%8" in screen.script_text
        await set_field(pilot, screen, "time", "10h")
        error = screen.query_one("#e-time", Static)
        assert error.display and "HH:MM:SS" in str(error.render())
        assert "1 field to fix" in text_of(screen, "#script-status")
        assert "#SBATCH --time=00:30:00" in screen.script_text  # the last valid script stays
        await set_field(pilot, screen, "time", "2:00:00")
        assert not screen.query_one("#e-time", Static).display
        assert "#SBATCH --time=2:00:00  # time limit: 2 hours;" in screen.script_text


async def test_typing_goes_to_the_field_not_to_the_app_bindings(tmp_path):
    app = app_for(tmp_path / "ws", start_screen="script:single", resume=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert screen.focused is screen.query_one("#f-job_name", Input)
        await pilot.press("end", "-", "q", "u", "i", "t")
        await pilot.pause()
        assert app.screen is screen
        assert "#SBATCH --job-name=train-quit" in screen.script_text


async def test_focus_explains_the_directive_and_the_time_in_words(tmp_path):
    app = app_for(tmp_path / "ws", start_screen="script:single", resume=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = app.screen
        await set_field(pilot, screen, "time", "10:00")
        screen.query_one("#f-time", Input).focus()
        await pilot.pause()
        explain = text_of(screen, "#script-explain")
        assert explain.startswith("#SBATCH --time:")
        assert "10:00 = 10 minutes" in explain and "not hours" in explain


async def test_save_asks_before_overwriting_a_hand_edited_file(tmp_path):
    app = app_for(tmp_path / "ws", start_screen="script:single", resume=False)
    target = tmp_path / "job.sh"
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = app.screen
        await set_field(pilot, screen, "save", str(target))
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert target.read_text() == screen.script_text
        await set_field(pilot, screen, "job_name", "first")
        await pilot.press("ctrl+s")  # over the form's own script: no question
        await pilot.pause()
        assert not isinstance(app.screen, ConfirmDialog)
        assert "#SBATCH --job-name=first" in target.read_text()
        target.write_text(target.read_text() + "# my edit\n")  # the learner edits it by hand
        first = target.read_text()
        await set_field(pilot, screen, "job_name", "second")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("n")
        await pilot.pause()
        assert target.read_text() == first
        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        assert "#SBATCH --job-name=second" in target.read_text()


async def test_invalid_form_is_not_saved(tmp_path):
    app = app_for(tmp_path / "ws", start_screen="script:single", resume=False)
    target = tmp_path / "job.sh"
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = app.screen
        await set_field(pilot, screen, "save", str(target))
        await set_field(pilot, screen, "mem", "4GB")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert not target.exists()
        assert screen.focused is screen.query_one("#f-mem", Input)


async def test_template_and_environment_switches(tmp_path):
    app = app_for(tmp_path / "ws", start_screen="script:array", resume=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = app.screen
        screen.query_one("#f-template", Select).value = "optuna_workers.sh.j2"
        await pilot.pause()
        await pilot.pause()
        assert screen.query_one("#f-extras-study_name", Input).value == "digits-mlp"
        assert "export STUDY_NAME=digits-mlp" in screen.script_text
        assert not screen.query_one("#row-image").display
        screen.query_one("#f-env", Select).value = "apptainer"
        await pilot.pause()
        assert screen.query_one("#row-image").display
        assert "Apptainer image" in str(screen.query_one("#e-image", Static).render())
        await set_field(pilot, screen, "image", "torch.sif")
        assert "export IMAGE=torch.sif" in screen.script_text


class FakeBackend:
    name = "fake"
    IMPLEMENTS_TEST_ONLY = True

    def __init__(self, error: str = "") -> None:
        self.error, self.calls = error, []

    def submit(self, script, workdir, test_only=False):
        from tui.cluster.backend import BackendError, SubmitResult

        self.calls.append((script.read_text(), workdir, test_only))
        if self.error:
            raise BackendError(self.error, "check the partition name")
        return SubmitResult("" if test_only else "42", "start estimated at 2026-01-01T10:00" if test_only else "")


async def run_backend_action(tmp_path, monkeypatch, backend, key):
    monkeypatch.setattr("tui.cluster.factory.make_backend", lambda settings, *a, **k: backend)
    app = app_for(tmp_path / "ws", start_screen="script:single", resume=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = app.screen
        await set_field(pilot, screen, "save", str(tmp_path / "job.sh"))
        await pilot.press(key)
        await app.workers.wait_for_complete()
        await pilot.pause()
        return screen.script_text, text_of(screen, "#script-status")


async def test_test_on_cluster_sends_the_text_and_shows_the_estimate(tmp_path, monkeypatch):
    backend = FakeBackend()
    script, status = await run_backend_action(tmp_path, monkeypatch, backend, "ctrl+t")
    assert backend.calls == [(script, tmp_path, True)]
    assert status == "start estimated at 2026-01-01T10:00"
    assert not (tmp_path / "job.sh").exists()  # testing writes nothing of the learner's


async def test_submit_saves_then_shows_the_job_id_or_the_scheduler_error(tmp_path, monkeypatch):
    backend = FakeBackend()
    script, status = await run_backend_action(tmp_path, monkeypatch, backend, "ctrl+r")
    assert status == "submitted job 42" and (tmp_path / "job.sh").read_text() == script
    failing = FakeBackend("sbatch: error: invalid partition specified: gpu")
    _, status = await run_backend_action(tmp_path / "again", monkeypatch, failing, "ctrl+t")
    assert status == "sbatch: error: invalid partition specified: gpu"


async def test_submit_asks_before_replacing_a_different_file(tmp_path, monkeypatch):
    (tmp_path / "job.sh").write_text("my own script\n")
    backend = FakeBackend()
    _, status = await run_backend_action(tmp_path, monkeypatch, backend, "ctrl+r")
    assert backend.calls == []  # the dialog is waiting; nothing submitted, nothing written
    assert (tmp_path / "job.sh").read_text() == "my own script\n"


async def test_login_node_helper_hides_the_resource_fields(tmp_path):
    app = app_for(tmp_path / "ws", start_screen="script:hq_server", resume=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert not screen.query_one("#row-time").display
        assert screen.focused is screen.query_one("#f-command", Input)
        assert "submit --array=0-127" in screen.script_text
        assert parse_script(screen.script_text).occurrences == []
        screen.query_one("#f-template", Select).value = "hq_workers.sh.j2"
        await pilot.pause()
        await pilot.pause()
        assert screen.query_one("#row-time").display
        assert "worker start" in screen.script_text


async def test_form_opened_for_an_exercise_saves_its_job_script(tmp_path):
    app = app_for(tmp_path / "ws", start_screen="script:array@01", resume=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.screen.query_one("#f-save", Input).value == str(tmp_path / "ws" / "01_random_search" / "job.sh")


async def test_the_form_checks_the_limits_doctor_recorded(tmp_path):
    from tui.cluster.discovery import ClusterInfo, Partition, save_cache
    from tui.course.workspace import init_workspace

    init_workspace(tmp_path / "ws")
    save_cache(tmp_path / "ws", ClusterInfo(scheduler="slurm", max_array_size=1001, partitions=[
        Partition("debug", default=True, max_seconds=3600), Partition("short", max_seconds=300)]))
    app = app_for(tmp_path / "ws", start_screen="script:array", resume=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = app.screen
        await set_field(pilot, screen, "array", "0-2000")
        assert "MaxArraySize is 1001" in text_of(screen, "#e-array")
        await set_field(pilot, screen, "partition", "short")
        await set_field(pilot, screen, "time", "6:00")
        assert "over the limit of partition 'short', 5 minutes" in text_of(screen, "#e-time")
