"""The teacher's reading of a class folder: one summary per learner, anything odd skipped with a note.

Learners write the folder, so its content is untrusted: only `<user>.json` regular files with a
user-like name are read (never through a symlink, never a FIFO that would block), at most
MAX_BYTES of each, owned by the user they are named after; the JSON must pass the strict
reader of `model`. Nothing in the folder is ever run or imported. Each refresh stats every
entry and re-reads only files whose inode, size or mtime changed (learners replace their file
by a rename, so each new version is a new inode), so a refresh of a quiet class reads nothing.
"""

from __future__ import annotations

import json
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from tui.classroom.model import MAX_BYTES, NAME, Summary, SummaryError, parse_summary


@dataclass
class _Seen:
    signature: tuple
    summary: Summary | None
    note: str


def _reject_constant(name: str) -> float:
    raise ValueError(f"{name} is not a number JSON allows")


class ClassReader:
    """Reads a class folder; `refresh()` as often as you like.

    Args:
        folder: the class folder.
        check_owner: skip a file not owned by the user it is named after (off only for synthetic
            folders, as in the benchmark).
        max_bytes: the largest summary read.
    """

    def __init__(self, folder: str | Path, check_owner: bool = True, max_bytes: int = MAX_BYTES) -> None:
        self.folder = Path(folder).expanduser()
        self.check_owner = check_owner
        self.max_bytes = max_bytes
        self.problem = ""  # the folder itself cannot be read
        self.reads = 0  # files opened so far (a quiet refresh opens none)
        self._seen: dict[str, _Seen] = {}
        self._names: dict[int, str] = {}

    def refresh(self) -> bool:
        """Look at the folder again; True when a summary or a note changed."""
        try:
            with os.scandir(self.folder) as entries:
                found = {e.name: e for e in entries if not e.name.startswith(".")}  # .x.tmp: a write in progress
        except OSError as exc:
            changed = self.problem == ""
            self.problem = f"cannot read the class folder {self.folder}: {exc.strerror or exc}"
            return changed
        self.problem = ""
        changed = bool(set(self._seen) - set(found))
        self._seen = {name: seen for name, seen in self._seen.items() if name in found}
        for name, entry in found.items():
            changed |= self._look(name, entry)
        return changed

    def _look(self, name: str, entry: os.DirEntry) -> bool:
        try:
            st = entry.stat(follow_symlinks=False)
        except OSError:
            return False  # gone since the scan: the next refresh drops it
        signature = (st.st_ino, st.st_size, st.st_mtime_ns, st.st_uid, st.st_mode)
        old = self._seen.get(name)
        if old is not None and old.signature == signature:
            return False
        summary, note = self._load(name, st)
        self._seen[name] = _Seen(signature, summary, note)
        return True

    def _load(self, name: str, st: os.stat_result) -> tuple[Summary | None, str]:
        shown = ascii(name)[1:-1][:60]
        user = name[:-5] if name.endswith(".json") else ""
        if not user or not NAME.fullmatch(user):
            return None, f"{shown}: not a <user>.json name, skipped"
        if stat.S_ISLNK(st.st_mode):
            return None, f"{shown}: a symbolic link, skipped"
        if not stat.S_ISREG(st.st_mode):
            return None, f"{shown}: not a plain file, skipped"
        if st.st_size > self.max_bytes:
            return None, f"{shown}: {st.st_size} bytes, over the {self.max_bytes} a summary may have, skipped"
        owner = self._owner(st.st_uid)
        if self.check_owner and owner != user:
            return None, f"{shown}: owned by {owner}, not by {user}, skipped"
        try:
            data = json.loads(self._read(self.folder / name), parse_constant=_reject_constant)
            return parse_summary(data, user), ""
        except SummaryError as exc:
            return None, f"{shown}: not a valid summary ({exc}), skipped"
        except (ValueError, RecursionError) as exc:
            return None, f"{shown}: not valid JSON ({str(exc)[:80]}), skipped"
        except OSError as exc:
            return None, f"{shown}: cannot be read ({exc.strerror or exc}), skipped"

    def _read(self, path: Path) -> str:
        """At most max_bytes of a regular file, never through a link, never blocking on a FIFO."""
        self.reads += 1
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
        with os.fdopen(fd, "rb") as handle:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                raise ValueError("not a plain file")
            data = handle.read(self.max_bytes + 1)
        if len(data) > self.max_bytes:
            raise ValueError(f"over {self.max_bytes} bytes")
        return data.decode("utf-8")

    def _owner(self, uid: int) -> str:
        if uid not in self._names:
            import pwd

            try:
                self._names[uid] = pwd.getpwuid(uid).pw_name
            except KeyError:
                self._names[uid] = f"uid {uid}"
        return self._names[uid]

    def summaries(self) -> list[Summary]:
        """The valid summaries, by user name."""
        return [self._seen[n].summary for n in sorted(self._seen) if self._seen[n].summary is not None]

    def notes(self) -> list[str]:
        """One line per file skipped (and the folder's own problem, first)."""
        notes = [self._seen[n].note for n in sorted(self._seen) if self._seen[n].note]
        return ([self.problem] if self.problem else []) + notes
