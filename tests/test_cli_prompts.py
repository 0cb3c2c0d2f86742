"""The CLI's commands that may reach a backend (submit, status, cancel, cost) ask one function whether
there is a terminal to type a two-factor code at (tui.cluster.factory.cli_prompts); each used to
keep its own copy of that decision."""

from __future__ import annotations

import sys

import pytest

from tui.cli import main
from tui.cluster import factory


class _Stdin:
    def __init__(self, tty: bool) -> None:
        self.tty = tty

    def isatty(self) -> bool:
        return self.tty


class _Reached(Exception):
    """The command got as far as building its backend(s)."""


def test_cli_prompts_asks_at_a_terminal_and_never_at_a_pipe(monkeypatch):
    monkeypatch.setattr(sys, "stdin", _Stdin(True))
    assert factory.cli_prompts() is factory.terminal_prompts
    monkeypatch.setattr(sys, "stdin", _Stdin(False))
    assert factory.cli_prompts() is None


@pytest.mark.parametrize("command", ["submit", "status", "cancel", "cost"])
def test_each_command_takes_its_prompts_from_cli_prompts(command, monkeypatch, tmp_path):
    seen = []

    def record(*args, interactive=None, **kwargs):
        seen.append(interactive)
        raise _Reached

    def sentinel(*answers):
        return []

    monkeypatch.setattr(factory, "cli_prompts", lambda: sentinel)
    monkeypatch.setattr(factory, "make_backend", record)
    monkeypatch.setattr("tui.workflows.jobs.Backends", record)
    script = tmp_path / "job.sh"
    script.write_text("#!/bin/bash\necho hi\n")
    argv = {"submit": ["submit", str(script)], "status": ["status"], "cancel": ["cancel", "123"],
            "cost": ["cost"]}[command]
    with pytest.raises(_Reached):
        main(["-w", str(tmp_path / "ws"), *argv])
    assert seen == [sentinel]
