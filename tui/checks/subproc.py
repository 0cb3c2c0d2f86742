"""Run learner code in a child process with a time limit: a crash or a hang never reaches the app,
and nothing the code starts outlives the check.

The learner's Python runs under a keeper (tui/checks/contain.py, a child subreaper) that ends
every process below it when the code exits or the limit is reached. The output is read through
pipes against the deadline, never until EOF: a child that keeps our stdout open (started with
`setsid ... &`) cannot stretch the limit. Every process also inherits a one-off token in its
environment, so that what escaped the keeper (the code killed it) is still found in /proc.
"""

from __future__ import annotations

import os
import secrets
import selectors
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

DEFAULT_TIMEOUT_S = 30.0
TAIL_LINES = 12
MAX_OUTPUT = 1 << 20  # bytes kept of each stream (its end: a traceback's end says what went wrong)
EXIT_GRACE_S = 2.0  # after the keeper exits, how long its pipes may stay open
STOP_GRACE_S = 5.0  # after SIGTERM, how long the keeper may take to end the processes below it
TOKEN_VAR = "HPTUNE_CHECK_TOKEN"
KEEPER = Path(__file__).with_name("contain.py")


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


def _collect(proc: subprocess.Popen, deadline: float) -> tuple[str, str]:
    """Read both pipes until they close, the deadline passes, or EXIT_GRACE_S after proc exits."""
    buffers = {proc.stdout.fileno(): bytearray(), proc.stderr.fileno(): bytearray()}
    order = list(buffers)
    with selectors.DefaultSelector() as selector:
        for pipe in (proc.stdout, proc.stderr):
            selector.register(pipe, selectors.EVENT_READ)
        exited_at = None
        while selector.get_map():
            now = time.monotonic()
            if exited_at is None and proc.poll() is not None:
                exited_at = now
            limit = deadline if exited_at is None else min(deadline, exited_at + EXIT_GRACE_S)
            if now >= limit:
                break
            for key, _ in selector.select(min(limit - now, 0.25)):
                data = os.read(key.fd, 65536)
                if not data:
                    selector.unregister(key.fileobj)
                buffer = buffers[key.fd]
                buffer += data
                del buffer[:-MAX_OUTPUT]
    out, err = (bytes(buffers[fd]).decode("utf-8", "replace") for fd in order)
    return out, err


def _stop(proc: subprocess.Popen) -> None:
    """Ask the keeper to end everything below it; kill its process group if it does not."""
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=STOP_GRACE_S)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait()


def kill_marked(token: str, rounds: int = 3) -> int:
    """SIGKILL every process whose environment holds TOKEN_VAR=token; how many were found."""
    needle, found = f"{TOKEN_VAR}={token}".encode(), 0
    for _ in range(rounds):
        marked = []
        for name in os.listdir("/proc") if os.path.isdir("/proc") else []:
            try:
                with open(f"/proc/{name}/environ", "rb") as handle:
                    if needle in handle.read().split(b"\0"):
                        marked.append(int(name))
            except (OSError, ValueError):  # not a process, gone, or someone else's
                continue
        for pid in marked:
            try:
                os.kill(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        found += len(marked)
        if not marked:
            break
    return found


def run_python(args: list[str], timeout_s: float = DEFAULT_TIMEOUT_S, cwd: Path | None = None,
               env: dict[str, str] | None = None) -> ProcOutcome:
    """Run `python ARGS...` with this interpreter, contained; end it and all it started at `timeout_s`."""
    token = secrets.token_hex(8)
    full_env = {**os.environ, **(env or {}), TOKEN_VAR: token}
    argv = [sys.executable, "-I", str(KEEPER), "--", sys.executable, *args]
    proc = subprocess.Popen(argv, cwd=cwd, env=full_env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, start_new_session=True)
    deadline = time.monotonic() + timeout_s
    try:
        out, err = _collect(proc, deadline)
        try:
            proc.wait(timeout=max(0.0, deadline - time.monotonic()))
            timed_out = False
        except subprocess.TimeoutExpired:
            timed_out = True
            _stop(proc)
    finally:
        if proc.poll() is None:  # an exception on the way (KeyboardInterrupt): leave nothing running
            _stop(proc)
        kill_marked(token)
        proc.stdout.close()
        proc.stderr.close()
    return ProcOutcome(None if timed_out else proc.returncode, out, err, timed_out=timed_out)
