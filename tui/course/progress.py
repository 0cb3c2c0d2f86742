"""The learner's progress, per lesson/exercise and step, stored in the workspace.

Several processes share the file (the app, `hptune-tui check` in a shell, a second app): every
change is a locked read-modify-write of just that change (`fsutil.update_json`), and readers
re-read the file whenever it changed on disk, so no process writes back a stale copy.

A progress file that cannot be read is kept (copied aside) and never overwritten silently:
the store turns read-only until the learner resets it, and says why.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from tui.fsutil import BrokenFile, atomic_write_json, keep_broken_copy, locked, update_json

PROGRESS_FILE = ".hptune/progress.json"


def _empty() -> dict[str, Any]:
    return {"version": 1, "items": {}, "last": ""}


def _checked(data: Any) -> dict[str, Any]:
    """`data` if it has the shape of a progress file (missing keys added); BrokenFile otherwise."""
    if not isinstance(data, dict) or not isinstance(data.get("items", {}), dict):
        raise BrokenFile("expected a JSON object with an 'items' object")
    data.setdefault("items", {})
    data.setdefault("last", "")
    return data


def _signature(path: Path) -> tuple[int, int, int] | None:
    """What changes whenever the file is replaced (inode) or rewritten (size, mtime)."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    return (st.st_ino, st.st_size, st.st_mtime_ns)


@dataclass
class ProgressStore:
    path: Path
    problem: str = ""  # why the file could not be read; saving is refused while set
    read_only: bool = False  # exports and previews look but never write
    _data: dict[str, Any] = field(default_factory=_empty, repr=False)
    _seen: tuple[int, int, int] | None = field(default=None, repr=False)  # the file _data was read from

    @classmethod
    def open(cls, workspace: Path, read_only: bool = False) -> "ProgressStore":
        store = cls(Path(workspace) / PROGRESS_FILE, read_only=read_only)
        store._refresh()
        return store

    @property
    def data(self) -> dict[str, Any]:
        """The latest progress: re-read when another process changed the file since we last looked."""
        self._refresh()
        return self._data

    def _refresh(self) -> None:
        if self.problem:
            return  # read-only until repaired: keep what we had
        signature = _signature(self.path)  # before reading: a later change shows as a new signature
        if signature is not None and signature == self._seen:
            return
        if signature is None:
            self._data, self._seen = _empty(), None
            return
        try:
            self._data = _checked(json.loads(self.path.read_text(encoding="utf-8")))
        except FileNotFoundError:
            self._data, signature = _empty(), None
        except (ValueError, UnicodeDecodeError) as exc:
            self._broken(exc)
            return
        self._seen = signature

    def _broken(self, exc: Exception) -> None:
        if self.read_only:
            self.problem = f"{self.path} is broken ({exc})"
            return
        copy = keep_broken_copy(self.path)
        self.problem = (f"{self.path} is broken ({exc}); progress is not saved until it is repaired "
                        f"or reset; a copy was kept at {copy.name}")

    def _update(self, change: Callable[[dict[str, Any]], None]) -> None:
        """Apply one change to the file under its lock (never writes back a whole stale copy)."""
        if self.problem or self.read_only:
            return  # never overwrite a file we could not read

        def apply(data: Any) -> dict[str, Any]:
            data = _checked(data)
            change(data)
            return data

        try:
            self._data = update_json(self.path, apply, default=_empty)
        except BrokenFile as exc:
            self._broken(exc)
            return
        self._seen = None  # another process may write before we look again: re-read then

    @staticmethod
    def _item_in(data: dict[str, Any], item_id: str) -> dict[str, Any]:
        return data["items"].setdefault(item_id, {"done_steps": [], "current": "", "answers": {}})

    def _get(self, item_id: str) -> dict[str, Any]:
        item = self.data["items"].get(item_id, {})
        return item if isinstance(item, dict) else {}

    def done_steps(self, item_id: str) -> set[str]:
        return set(self._get(item_id).get("done_steps", []))

    def read_steps(self, item_id: str) -> set[str]:
        """Steps the learner has read (shown) or marked done."""
        item = self._get(item_id)
        return set(item.get("read_steps", [])) | set(item.get("done_steps", []))

    def current_step(self, item_id: str) -> str:
        return self._get(item_id).get("current", "")

    @property
    def last_item(self) -> str:
        return self.data.get("last", "")

    def fraction(self, item_id: str, step_ids: list[str]) -> float:
        """The share of `step_ids` read or marked done."""
        if not step_ids:
            return 0.0
        return len(self.read_steps(item_id) & set(step_ids)) / len(step_ids)

    def visit(self, item_id: str, step_id: str) -> None:
        """The learner is reading `step_id`: it counts as read, and is where they resume."""
        def change(data: dict[str, Any]) -> None:
            item = self._item_in(data, item_id)
            item["current"] = step_id
            item["read_steps"] = sorted(set(item.get("read_steps", [])) | {step_id})
            data["last"] = item_id
        self._update(change)

    def set_done(self, item_id: str, step_id: str, done: bool = True) -> None:
        def change(data: dict[str, Any]) -> None:
            item = self._item_in(data, item_id)
            steps = set(item.get("done_steps", []))
            steps.add(step_id) if done else steps.discard(step_id)
            item["done_steps"] = sorted(steps)
        self._update(change)

    def completed(self, item_id: str) -> bool:
        """An exercise whose checks all passed (set by `hptune-tui check` and the checks screen)."""
        return bool(self._get(item_id).get("completed", False))

    def set_completed(self, item_id: str, completed: bool = True) -> None:
        self._update(lambda data: self._item_in(data, item_id).update(completed=completed))

    def record_answer(self, item_id: str, question_id: str, answer: str, correct: bool) -> None:
        def change(data: dict[str, Any]) -> None:
            answers = self._item_in(data, item_id).setdefault("answers", {})
            answers[question_id] = {"answer": answer, "correct": correct}
        self._update(change)

    def answers(self, item_id: str) -> dict[str, Any]:
        return dict(self._get(item_id).get("answers", {}))

    def reset_item(self, item_id: str) -> None:
        self._update(lambda data: data["items"].pop(item_id, None) and None)

    def repair(self) -> None:
        """Start afresh after the learner agreed (the broken file's copy stays)."""
        if self.read_only:
            return
        with locked(self.path):
            atomic_write_json(self.path, _empty())
        self.problem, self._data, self._seen = "", _empty(), None
