"""Small process helpers shared by the service classes: free ports, waiting, daemons with log files."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path
from typing import Callable, Mapping, Sequence

# Root's daemons live in sbin, which a non-login PATH often lacks.
_SBIN = ("/usr/sbin", "/sbin", "/usr/local/sbin")


class ServiceError(RuntimeError):
    """A service could not start or answer; the message carries the tails of its log files."""


def find_binary(name: str) -> str | None:
    """The full path of a program, looking in PATH and in the sbin folders."""
    found = shutil.which(name)
    if found:
        return found
    for folder in _SBIN:
        candidate = Path(folder) / name
        if os.access(candidate, os.X_OK):
            return str(candidate)
    return None


def missing_binaries(names: Sequence[str]) -> list[str]:
    """The names among `names` that cannot be found."""
    return [name for name in names if find_binary(name) is None]


def free_ports(count: int) -> list[int]:
    """`count` distinct TCP ports on 127.0.0.1 that were free a moment ago.

    The sockets stay open until all are chosen, so the kernel never hands out one twice.
    """
    sockets = []
    try:
        for _ in range(count):
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.bind(("127.0.0.1", 0))
            sockets.append(sock)
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


def port_open(port: int, host: str = "127.0.0.1") -> bool:
    """Whether something accepts TCP connections on host:port."""
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def wait_until(check: Callable[[], bool], timeout: float, what: str, interval: float = 0.1) -> float:
    """Poll `check` until it returns True; return the seconds waited, raise ServiceError on time-out."""
    start = time.monotonic()
    while True:
        if check():
            return time.monotonic() - start
        if time.monotonic() - start > timeout:
            raise ServiceError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(interval)


def log_tail(path: Path, lines: int = 25) -> str:
    """The last lines of a log file, headed by its name (empty when it does not exist)."""
    try:
        text = path.read_text(errors="replace").splitlines()[-lines:]
    except OSError:
        return ""
    return f"--- {path} (last {len(text)} lines)\n" + "\n".join(text)


class Daemon:
    """A service run in the foreground as our own child, its output going to a log file."""

    def __init__(self, name: str, argv: Sequence[str], log: Path, env: Mapping[str, str] | None = None) -> None:
        self.name = name
        self.argv = list(argv)
        self.log = log
        self.env = dict(env) if env is not None else None
        self.proc: subprocess.Popen | None = None

    def start(self) -> "Daemon":
        """Start the process (its own session, so a Ctrl-C in the test run does not reach it first)."""
        with open(self.log, "ab") as out:
            self.proc = subprocess.Popen(self.argv, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                         env=self.env, start_new_session=True)
        return self

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def check_alive(self) -> bool:
        """True while running; raise ServiceError with the log when the process has died."""
        if self.proc is not None and self.proc.poll() is not None:
            raise ServiceError(f"{self.name} exited with code {self.proc.returncode}\n{log_tail(self.log)}")
        return True

    def wait_exit(self, timeout: float) -> bool:
        """Wait for the process to end by itself; True when it did."""
        if self.proc is None:
            return True
        try:
            self.proc.wait(timeout)
            return True
        except subprocess.TimeoutExpired:
            return False

    def stop(self, timeout: float = 10.0, tree: bool = False) -> None:
        """SIGTERM, then SIGKILL when it has not ended after `timeout` seconds.

        Args:
            tree: signal the daemon's descendants too (sshd's per-connection children, so sessions drop).
        """
        if not self.running:
            self.proc = None
            return
        assert self.proc is not None
        children = descendants(self.proc.pid) if tree else []
        for pid in children:
            _kill(pid, signal.SIGTERM)
        # Let the daemon reap its children first: orphaned, they would stay zombies here (no init reaps them).
        _wait_gone(children, 2.0)
        self.proc.send_signal(signal.SIGTERM)
        if not self.wait_exit(timeout):
            self.proc.kill()
            self.proc.wait(5)
        for pid in children:
            _kill(pid, signal.SIGKILL)
        self.proc = None


def _kill(pid: int, sig: int) -> None:
    try:
        os.kill(pid, sig)
    except OSError:
        pass


def _wait_gone(pids: list[int], timeout: float) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end and any(Path(f"/proc/{pid}").exists() for pid in pids):
        time.sleep(0.05)


def descendants(pid: int) -> list[int]:
    """The process ids below `pid` (children, their children ...), read from /proc."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                # The field after the ")" that closes the command name: state, then the parent id.
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            parents.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        for child in parents.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def run_quiet(argv: Sequence[str], env: Mapping[str, str] | None = None, timeout: float = 30.0,
              input_text: str | None = None) -> subprocess.CompletedProcess:
    """Run a short command and capture its output as text (never raises on a non-zero exit)."""
    return subprocess.run(list(argv), env=dict(env) if env is not None else None, capture_output=True, text=True,
                          timeout=timeout, input=input_text)


def kill_processes_with_env(key: str, value: str) -> list[int]:
    """SIGKILL every process whose environment has key=value (the job steps of one test cluster).

    The value is a path inside that cluster's own temporary folder, so only its processes match.
    """
    needle = f"{key}={value}".encode()
    killed = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            environ = (entry / "environ").read_bytes().split(b"\0")
        except OSError:
            continue
        if needle in environ:
            try:
                os.kill(int(entry.name), signal.SIGKILL)
                killed.append(int(entry.name))
            except OSError:
                pass
    return killed
