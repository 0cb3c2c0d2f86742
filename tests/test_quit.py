"""`q` ends `hptune-tui` as a learner runs it: in a terminal, exit status 0, the terminal given back.

The app leaves with os._exit once Textual has returned (tui.commands.open_app.leave: Python's
own teardown of optuna/pandas made `q` take 0.8 s). These tests check that nothing is lost by
that: the status, the terminal's modes, what the learner did. How fast it is, bench/quit.py
measures; no test here times anything.
"""

from __future__ import annotations

import json
import os
import pty
import select
import sys
import time
from pathlib import Path

import pytest

from tui.course.workspace import init_workspace

ROOT = Path(__file__).resolve().parents[1]


class Terminal:
    """`python -m tui` in a pseudo-terminal: what it drew so far, keys, its exit status."""

    def __init__(self, env: dict[str, str]) -> None:
        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # the child: the app as the learner starts it
            os.execvpe(sys.executable, [sys.executable, "-m", "tui"], env)
        self.seen = b""

    def read_until(self, text: bytes, timeout: float = 60, since: int = 0) -> bool:
        """Whether `text` was drawn (after byte `since` of the output) within `timeout` seconds."""
        end = time.monotonic() + timeout
        while text not in self.seen[since:] and time.monotonic() < end:
            if select.select([self.fd], [], [], 0.1)[0]:
                try:
                    self.seen += os.read(self.fd, 65536)
                except OSError:  # the child has gone
                    break
        return text in self.seen[since:]

    def press(self, keys: bytes) -> None:
        os.write(self.fd, keys)

    def status(self, timeout: float = 60) -> int | None:
        """The exit status once the process has ended (reading on: it must never block on a full pty)."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            done, status = os.waitpid(self.pid, os.WNOHANG)
            if done:
                self.read_until(b"\0never", timeout=0.2)
                return os.waitstatus_to_exitcode(status)
            self.read_until(b"\0never", timeout=0.1)
        return None

    def close(self) -> None:
        try:
            os.kill(self.pid, 9)
            os.waitpid(self.pid, 0)
        except (ProcessLookupError, ChildProcessError):
            pass
        os.close(self.fd)


@pytest.fixture
def terminal(tmp_path):
    ws = tmp_path / "ws"
    init_workspace(ws)
    env = {**os.environ, "HPTUNE_WORKSPACE": str(ws), "HPTUNE_CONFIG": str(tmp_path / "config.toml"),
           "HPTUNE_BACKEND": "local", "TERM": "xterm-256color", "COLUMNS": "100", "LINES": "30",
           "PYTHONPATH": str(ROOT)}
    opened = Terminal(env)
    yield opened, ws
    opened.close()


def test_q_exits_with_status_0_and_gives_the_terminal_back(terminal):
    term, _ = terminal
    assert term.read_until(b"Course map"), term.seen[-2000:]
    drawn = len(term.seen)
    term.press(b"q")
    assert term.status() == 0
    after = term.seen[drawn:]
    assert b"\x1b[?1049l" in after  # the alternate screen is left: the shell's screen comes back
    assert b"\x1b[?1000l" in after or b"\x1b[?1003l" in after  # mouse reporting is off again


def test_what_the_learner_did_is_kept_when_q_ends_the_app(terminal):
    term, ws = terminal
    assert term.read_until(b"Course map"), term.seen[-2000:]
    mark = len(term.seen)
    term.press(b"\r")  # opens the highlighted lesson: the app records it as the place to continue from
    assert term.read_until(b"Back", since=mark), term.seen[mark:][-2000:]
    mark = len(term.seen)
    term.press(b"\x1b")  # back to the course map (alone: Escape then q would read as Alt+q), then quit
    assert term.read_until(b"Course map", since=mark), term.seen[mark:][-2000:]
    term.press(b"q")
    assert term.status() == 0
    progress = json.loads((ws / ".hptune" / "progress.json").read_text())
    assert progress["last"] == "tuning" and progress["items"]["tuning"]["read_steps"], progress
