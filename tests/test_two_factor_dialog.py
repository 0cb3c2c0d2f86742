"""The two-factor dialog: the ssh backend's keyboard-interactive prompts, answered in the app."""

from __future__ import annotations

import asyncio

import pytest
from textual.widgets import Input, Label, Static

from tests.apphelpers import app_for
from tests.test_cluster_ssh_2fa import CODE, server  # noqa: F401 - the in-process 2FA sshd fixture
from tui.cluster.ssh import SshBackend
from tui.cluster.ssh_target import AuthFailed
from tui.dialogs.two_factor import CANCELLED, TwoFactorDialog, app_prompter


def make_app(tmp_path):
    app = app_for(tmp_path / "ws")
    app_prompter(app).timeout = 20  # a failed test must not leave a thread waiting for minutes
    return app


PROMPTS = [("Password: ", False), ("Verification code: ", False), ("Your token name: ", True)]


async def wait_for_dialog(pilot) -> TwoFactorDialog:
    for _ in range(250):
        await pilot.pause(0.02)
        if isinstance(pilot.app.screen, TwoFactorDialog) and isinstance(pilot.app.focused, Input):
            return pilot.app.screen
    raise AssertionError(f"no dialog; the screen is {pilot.app.screen!r}")


def ask_in_thread(app, prompts=PROMPTS, title="Duo two-factor", instructions="enter your codes"):
    """Call the app's callback as paramiko does: from a thread that is not the app's."""
    return asyncio.get_running_loop().run_in_executor(None, app_prompter(app), title, instructions, prompts)


async def test_the_dialog_shows_the_prompts_and_returns_the_typed_answers(tmp_path):
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        answer = ask_in_thread(app)
        dialog = await wait_for_dialog(pilot)
        assert str(dialog.query_one("#two-factor-title", Static).content) == "Duo two-factor"
        assert str(dialog.query_one("#two-factor-instructions", Static).content) == "enter your codes"
        assert [str(label.content) for label in dialog.query(Label)] == ["Password:", "Verification code:",
                                                                        "Your token name:"]
        inputs = list(dialog.query(Input))
        assert [i.password for i in inputs] == [True, True, False]  # hidden unless the server asks to echo
        assert app.focused is inputs[0]
        await pilot.press(*"hunter2", "enter")
        assert app.focused is inputs[1]  # enter moves on; only the last one sends
        await pilot.press(*CODE, "enter")
        await pilot.press(*"yubi", "enter")
        assert await asyncio.wait_for(answer, 10) == ["hunter2", CODE, "yubi"]
        await pilot.pause()
        assert not isinstance(app.screen, TwoFactorDialog)
        assert [i.value for i in inputs] == ["", "", ""]  # emptied when dismissed


async def test_escape_cancels_answers_nothing_and_does_not_ask_again_until_r(tmp_path):
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        answer = ask_in_thread(app)
        await wait_for_dialog(pilot)
        await pilot.press(*"12", "escape")
        assert await asyncio.wait_for(answer, 10) == []
        await pilot.pause()
        assert not isinstance(app.screen, TwoFactorDialog)
        assert [n.message for n in app._notifications] == [CANCELLED]
        assert await asyncio.wait_for(ask_in_thread(app), 10) == []  # polling does not pop it up again
        assert not isinstance(app.screen, TwoFactorDialog)
        app_prompter(app).ask_again()  # the jobs screen's r
        again = ask_in_thread(app)
        await wait_for_dialog(pilot)
        await pilot.press(*CODE, "enter", "enter", "enter")
        assert await asyncio.wait_for(again, 10) == [CODE, "", ""]


async def test_no_prompt_means_no_dialog_and_the_apps_own_thread_never_waits(tmp_path):
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        assert await asyncio.wait_for(ask_in_thread(app, prompts=[]), 10) == []
        assert app_prompter(app)("t", "i", PROMPTS) == []  # on the UI thread it would freeze the app
        await pilot.pause()
        assert not isinstance(app.screen, TwoFactorDialog)


def ssh_backend(app, port, known, tmp_path):
    return SshBackend(f"learner@127.0.0.1:{port}", ssh_config=tmp_path / "none", known_hosts=known,
                      interactive=app_prompter(app))


async def test_a_two_factor_login_through_the_dialog_and_nothing_is_written(server, tmp_path,  # noqa: F811
                                                                           monkeypatch):
    monkeypatch.delenv("SSH_AUTH_SOCK", raising=False)
    port, known = server
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        backend = ssh_backend(app, port, known, tmp_path)
        ran = asyncio.get_running_loop().run_in_executor(None, backend.run, ["squeue", "-h"], None, 30)
        dialog = await wait_for_dialog(pilot)
        assert [str(label.content) for label in dialog.query(Label)] == ["Verification code:"]
        await pilot.press(*CODE, "enter")
        assert await asyncio.wait_for(ran, 30) == (0, "ran: squeue -h", "")
        backend.close()
        assert CODE not in repr(vars(app_prompter(app))) and CODE not in repr(vars(backend.conn))
    written = [p for p in tmp_path.rglob("*") if p.is_file()]
    config = app.settings.config_file
    if config is not None and config.is_file():
        written.append(config)
    assert any(p.name == "progress.json" or p.suffix == ".toml" for p in written)  # there is something to search
    for path in written:
        assert CODE.encode() not in path.read_bytes(), f"the code was written to {path}"


async def test_escape_gives_the_backend_an_auth_failure_and_the_app_carries_on(server, tmp_path,  # noqa: F811
                                                                              monkeypatch):
    monkeypatch.delenv("SSH_AUTH_SOCK", raising=False)
    port, known = server
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        backend = ssh_backend(app, port, known, tmp_path)
        ran = asyncio.get_running_loop().run_in_executor(None, backend.run, ["true"], None, 30)
        await wait_for_dialog(pilot)
        await pilot.press("escape")
        with pytest.raises(AuthFailed, match="permission denied"):
            await asyncio.wait_for(ran, 30)
        backend.close()
        await pilot.pause()
        assert app.is_running and not isinstance(app.screen, TwoFactorDialog)
        assert CANCELLED in [n.message for n in app._notifications]
