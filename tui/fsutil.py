"""Small file helpers shared by the core: atomic writes, locked updates of shared files, and
keeping copies of broken files."""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterator


def atomic_write_text(path: Path, text: str) -> None:
    """Write `text` to `path` so that readers see the old or the new file, never half of one."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        # mkstemp makes the file 0600; keep the mode a plain write would give (the old file's, or
        # the umask's), so a workspace or class folder shared on purpose stays readable.
        os.fchmod(fd, _mode_for(path))
        with os.fdopen(fd, "w", encoding="utf-8", errors="surrogateescape") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _mode_for(path: Path) -> int:
    try:
        return path.stat().st_mode & 0o777
    except OSError:
        return 0o666 & ~_umask()


def _umask() -> int:
    """The process's umask, read without changing it (Linux keeps it in /proc/self/status)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    return 0o022


def atomic_write_json(path: Path, data: Any) -> None:
    """Write `data` as indented JSON, atomically."""
    atomic_write_text(path, json.dumps(data, indent=2, sort_keys=True) + "\n")


def keep_broken_copy(path: Path) -> Path:
    """Copy a file that could not be read to `<name>.broken-<time>` and return the copy's path."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    copy = path.with_name(f"{path.name}.broken-{stamp}")
    n = 1
    while copy.exists():
        copy = path.with_name(f"{path.name}.broken-{stamp}-{n}")
        n += 1
    shutil.copy2(path, copy)
    return copy


class BrokenFile(ValueError):
    """A shared file that exists but cannot be read as what it should be; it was left as it is."""


@contextmanager
def locked(path: Path) -> Iterator[None]:
    """Hold the exclusive lock that guards updates of `path` (blocks until it is free).

    The lock is taken on `.<name>.lock` (hidden) beside the file, never on the file itself: every write
    replaces the file by a rename, and a lock held on the old inode would not stop a process that
    opened the new one. The lock file is never deleted (that would let two holders in at once).
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path.with_name(f".{path.name}.lock"), os.O_RDONLY | os.O_CREAT, 0o666)  # flock needs no write
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock


def update_json(path: Path, change: Callable[[Any], Any], default: Callable[[], Any] = dict,
                broken: Callable[[Path, Exception], Any] | None = None) -> Any:
    """Apply `change` to the JSON in `path` as one locked read-modify-write; return the new data.

    Every process that updates the file through this function sees the others' changes: the
    file is re-read under the lock, so no update is lost, and written atomically, so readers
    without the lock see the old or the new file.

    Args:
        path: the JSON file (created when missing).
        change: gets the current data (`default()` when the file is missing) and changes it in
            place (returning None) or returns the new data. It may raise BrokenFile to refuse
            data of the wrong shape; nothing is written then.
        default: the data of a missing file.
        broken: for a file that is not JSON: called (under the lock) with the path and the error,
            returns the data to start from instead (e.g. after keeping a copy). None: raise.

    Raises:
        BrokenFile: the file is not JSON and `broken` is None, or `change` refused it; the file
            is left untouched.
    """
    path = Path(path)
    with locked(path):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            data = default()
        except (ValueError, UnicodeDecodeError) as exc:
            if broken is None:
                raise BrokenFile(f"{path} is not valid JSON ({exc})") from exc
            data = broken(path, exc)
        new = change(data)
        data = data if new is None else new
        atomic_write_json(path, data)
        return data


def read_json_lines(path: Path) -> list[dict[str, Any]]:
    """The JSON objects of a JSON-lines file, in order; [] when it cannot be read.

    A line that is not a whole object is skipped: the half-written last line of a writer that
    was killed, or what a learner's code printed there (bytes that are not UTF-8 included).
    """
    try:
        lines = Path(path).read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return []
    rows = []
    for line in lines:
        try:
            row = json.loads(line)
        except ValueError:
            continue
        if isinstance(row, dict):
            rows.append(row)
    return rows


def append_line(path: Path, line: str) -> None:
    """Append one line to a shared log file under its lock, so that lines never interleave."""
    path = Path(path)
    with locked(path):
        with open(path, "a", encoding="utf-8") as handle:
            handle.write(line.rstrip("\n") + "\n")
            handle.flush()
            os.fsync(handle.fileno())
