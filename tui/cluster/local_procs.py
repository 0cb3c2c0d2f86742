"""The processes of local tasks, read from /proc: alive or gone, whatever the supervisor wrote.

Each task runs in its own session, so its process group id is its first pid. A pid can be
handed to an unrelated process once ours is gone, so each pid is recorded with its start time
(field 22 of /proc/PID/stat, clock ticks since boot) and compared before it is trusted. While
any member of a group lives, the kernel does not reuse the group's id, so a group that still
has members and whose leader is either gone or ours is ours.
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

KILL_WAIT_S = 2.0  # between SIGTERM and SIGKILL, as SLURM's KillWait (short: these are small jobs)


def stat_fields(pid: int | str) -> list[str] | None:
    """Fields 3 onwards of /proc/PID/stat (field N at index N-3); None when there is no such process."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except (OSError, ValueError):
        return None
    # The command name (field 2) may hold spaces and parentheses: split after its last ")".
    return text.rsplit(")", 1)[-1].split()


def start_time(pid: int) -> int | None:
    """When process `pid` started (clock ticks since boot), zombies included; None if it is gone."""
    fields = stat_fields(pid)
    return int(fields[19]) if fields and len(fields) > 19 else None


def is_running(pid: int, started: int | None) -> bool:
    """Whether `pid` is a living (not zombie) process that started at `started` (any time if None)."""
    fields = stat_fields(pid)
    if not fields or fields[0] in ("Z", "X"):
        return False
    return started is None or (len(fields) > 19 and int(fields[19]) == started)


def process_groups() -> dict[int, list[int]]:
    """Every living (not zombie) process of this machine that we can see, by process group id."""
    groups: dict[int, list[int]] = {}
    for name in os.listdir("/proc"):
        fields = stat_fields(name) if name.isdigit() else None
        if fields and len(fields) > 2 and fields[0] not in ("Z", "X"):
            groups.setdefault(int(fields[2]), []).append(int(name))
    return groups


def group_alive(pgid: int, started: int | None, groups: dict[int, list[int]] | None = None) -> bool:
    """Whether the task whose group leader was (`pgid`, `started`) still has a living process.

    Args:
        pgid: the task's process group id (its first pid).
        started: the leader's recorded start time; None for records that lack it (not checked).
        groups: a `process_groups()` snapshot, to scan /proc once for many tasks.
    """
    leader_start = start_time(pgid)
    if started is not None and leader_start is not None and leader_start != started:
        return False  # the pid belongs to another process now, so our group has ended
    members = (process_groups() if groups is None else groups).get(pgid, [])
    return bool(members)


def stop_groups(tasks: list[tuple[int, int | None]], kill_wait_s: float = KILL_WAIT_S) -> None:
    """Stop the process groups of `tasks` (pgid, leader start): SIGTERM, then SIGKILL what is left."""
    alive = [t for t in tasks if group_alive(*t)]
    _signal_all(alive, signal.SIGTERM)
    deadline = time.monotonic() + kill_wait_s
    while alive and time.monotonic() < deadline:
        time.sleep(0.05)
        groups = process_groups()
        alive = [t for t in alive if group_alive(*t, groups)]
    _signal_all(alive, signal.SIGKILL)


def _signal_all(tasks: list[tuple[int, int | None]], sig: int) -> None:
    for pgid, _ in tasks:
        try:
            os.killpg(pgid, sig)
        except (ProcessLookupError, PermissionError):
            pass
