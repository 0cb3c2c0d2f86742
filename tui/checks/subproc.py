"""Run learner code in a child process with a timeout: a crash or a hang never reaches the app."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

DEFAULT_TIMEOUT_S = 30.0
TAIL_LINES = 12


@dataclass
class ProcOutcome:
    returncode: int | None
    stdout: str
    stderr: str
    timed_out: bool = False

    @property
    def ok(self) -> bool:
        return self.returncode == 0 and not self.timed_out

    def error_tail(self, lines: int = TAIL_LINES) -> str:
        """The last lines of stderr (a traceback's end says what went wrong)."""
        text = self.stderr.strip() or self.stdout.strip()
        return "\n".join(text.splitlines()[-lines:])

    def describe(self, timeout_s: float) -> str:
        if self.timed_out:
            return f"your code did not finish within {timeout_s:g} s (an endless loop, or waiting for input?)"
        last = self.error_tail(1) or f"exit status {self.returncode}"
        return f"your code failed: {last}"


def run_python(args: list[str], timeout_s: float = DEFAULT_TIMEOUT_S, cwd: Path | None = None,
               env: dict[str, str] | None = None) -> ProcOutcome:
    """Run `python ARGS...` with this interpreter; kill its whole process group on timeout."""
    full_env = {**os.environ, **(env or {})}
    proc = subprocess.Popen([sys.executable, *args], cwd=cwd, env=full_env, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            errors="replace", start_new_session=True)
    try:
        out, err = proc.communicate(timeout=timeout_s)
        return ProcOutcome(proc.returncode, out, err)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(proc.pid, signal.SIGKILL)  # the learner's code may have started children
        except ProcessLookupError:
            pass
        out, err = proc.communicate()
        return ProcOutcome(None, out, err, timed_out=True)
