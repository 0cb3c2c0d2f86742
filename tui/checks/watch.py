"""Watch the learner's code files and re-run the checks when one is saved.

The checks screen calls `snapshot`/`changed` from its timer worker; `hptune-tui check --watch`
uses `watch()`. Polling (about once a second) needs no inotify and works on network file
systems, which is where course workspaces often live.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Callable, Iterable

Stamps = dict[str, tuple[int, int]]


def snapshot(folder: Path, names: Iterable[str]) -> Stamps:
    """(mtime_ns, size) of each file that exists."""
    out: Stamps = {}
    for name in names:
        try:
            st = (Path(folder) / name).stat()
        except OSError:
            continue
        out[name] = (st.st_mtime_ns, st.st_size)
    return out


def changed(before: Stamps, after: Stamps) -> list[str]:
    """Files created, deleted or modified between two snapshots."""
    return sorted(name for name in set(before) | set(after) if before.get(name) != after.get(name))


def watch(folder: Path, names: Iterable[str], on_change: Callable[[list[str]], None],
          interval_s: float = 1.0, max_rounds: int | None = None, sleep=time.sleep) -> None:
    """Call `on_change(files)` whenever one of `names` in `folder` changes (until interrupted).

    Args:
        folder: the exercise folder.
        names: the files to watch (the check module's CODE_FILES).
        on_change: called with the changed file names.
        interval_s: seconds between polls.
        max_rounds: stop after this many polls (None: run until KeyboardInterrupt).
        sleep: the sleep function (tests pass a fake one).
    """
    names = list(names)
    stamps = snapshot(folder, names)
    rounds = 0
    while max_rounds is None or rounds < max_rounds:
        sleep(interval_s)
        rounds += 1
        now = snapshot(folder, names)
        files = changed(stamps, now)
        stamps = now
        if files:
            on_change(files)
