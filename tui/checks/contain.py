"""Keeper of learner code: run one command, then end every process it started.

    python -I contain.py -- COMMAND [ARG...]

The keeper asks the kernel to make it a child subreaper (prctl PR_SET_CHILD_SUBREAPER), so every
orphan below it, even one that left with `setsid` or a double fork, becomes its child instead
of init's. When the command exits, or when the keeper gets SIGTERM (the checker's time limit),
it kills all its descendants, reaps them and exits with the command's status. It imports only
the standard library, and runs with `-I`, so that no learner file can shadow what it imports.
"""

from __future__ import annotations

import os
import signal
import sys
import time

PR_SET_CHILD_SUBREAPER = 36
KILL_ROUNDS = 50  # a fork bomb may add children while we kill: go round until none is left


def become_subreaper() -> bool:
    """Make orphaned descendants our children (Linux 3.4+); False where the kernel says no."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def _parents() -> dict[int, int]:
    """pid -> parent pid of every process that /proc shows (those that vanish meanwhile are skipped)."""
    table: dict[int, int] = {}
    try:
        names = os.listdir("/proc")
    except OSError:  # no /proc (not Linux): nothing to find
        return table
    for name in names:
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as handle:
                stat = handle.read()
        except OSError:
            continue
        fields = stat.rsplit(b")", 1)[-1].split()  # the command name may hold spaces and ")"
        if len(fields) > 1:
            table[int(name)] = int(fields[1])
    return table


def descendants(root: int) -> list[int]:
    """Every process below `root`, found through /proc."""
    children: dict[int, list[int]] = {}
    for pid, ppid in _parents().items():
        children.setdefault(ppid, []).append(pid)
    found, todo = [], list(children.get(root, []))
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, []))
    return found


def _reap() -> None:
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def kill_all() -> None:
    """SIGKILL every descendant and reap them, until none is left (or KILL_ROUNDS rounds)."""
    me = os.getpid()
    for _ in range(KILL_ROUNDS):
        pids = descendants(me)
        if not pids:
            return
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        time.sleep(0.01)
        _reap()


def _on_term(signum, frame):  # noqa: ARG001 - signal handler signature
    kill_all()
    os._exit(128 + signum)


def main(argv: list[str]) -> int:
    if argv[:1] == ["--"]:
        argv = argv[1:]
    if not argv:
        print("usage: contain.py -- COMMAND [ARG...]", file=sys.stderr)
        return 2
    become_subreaper()
    signal.signal(signal.SIGTERM, _on_term)
    pid = os.fork()
    if pid == 0:
        try:
            os.setsid()  # its own session: a terminal's signals do not reach it through us
            os.execvp(argv[0], argv)
        except OSError as exc:
            print(f"contain: cannot run {argv[0]}: {exc}", file=sys.stderr)
        os._exit(127)
    _, status = os.waitpid(pid, 0)
    kill_all()
    return os.waitstatus_to_exitcode(status) % 256 if os.WIFEXITED(status) else 128 + os.WTERMSIG(status)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
