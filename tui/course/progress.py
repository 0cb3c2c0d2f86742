"""The learner's progress, per lesson/exercise and step, stored atomically in the workspace.

A progress file that cannot be read is kept (copied aside) and never overwritten silently:
the store opens read-only until the learner resets it, and says why.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tui.fsutil import atomic_write_json, keep_broken_copy

PROGRESS_FILE = ".hptune/progress.json"


@dataclass
class ProgressStore:
    path: Path
    data: dict[str, Any] = field(default_factory=lambda: {"version": 1, "items": {}, "last": ""})
    problem: str = ""  # why the file could not be read; saving is refused while set
    read_only: bool = False  # exports and previews look but never write

    @classmethod
    def open(cls, workspace: Path, read_only: bool = False) -> "ProgressStore":
        path = Path(workspace) / PROGRESS_FILE
        store = cls(path, read_only=read_only)
        if not path.exists():
            return store
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if not isinstance(data, dict) or not isinstance(data.get("items", {}), dict):
                raise ValueError("expected a JSON object with an 'items' object")
        except (ValueError, UnicodeDecodeError) as exc:
            if read_only:
                store.problem = f"{path} is broken ({exc})"
                return store
            copy = keep_broken_copy(path)
            store.problem = (f"{path} is broken ({exc}); progress is not saved until it is repaired "
                             f"or reset; a copy was kept at {copy.name}")
            return store
        data.setdefault("items", {})
        data.setdefault("last", "")
        store.data = data
        return store

    def _item(self, item_id: str) -> dict[str, Any]:
        return self.data["items"].setdefault(item_id, {"done_steps": [], "current": "", "answers": {}})

    def done_steps(self, item_id: str) -> set[str]:
        return set(self.data["items"].get(item_id, {}).get("done_steps", []))

    def current_step(self, item_id: str) -> str:
        return self.data["items"].get(item_id, {}).get("current", "")

    @property
    def last_item(self) -> str:
        return self.data.get("last", "")

    def fraction(self, item_id: str, step_ids: list[str]) -> float:
        if not step_ids:
            return 0.0
        return len(self.done_steps(item_id) & set(step_ids)) / len(step_ids)

    def visit(self, item_id: str, step_id: str) -> None:
        self._item(item_id)["current"] = step_id
        self.data["last"] = item_id
        self.save()

    def set_done(self, item_id: str, step_id: str, done: bool = True) -> None:
        item = self._item(item_id)
        steps = set(item["done_steps"])
        steps.add(step_id) if done else steps.discard(step_id)
        item["done_steps"] = sorted(steps)
        self.save()

    def completed(self, item_id: str) -> bool:
        """An exercise whose checks all passed (set by `hptune-tui check` and the checks screen)."""
        return bool(self.data["items"].get(item_id, {}).get("completed", False))

    def set_completed(self, item_id: str, completed: bool = True) -> None:
        self._item(item_id)["completed"] = completed
        self.save()

    def record_answer(self, item_id: str, question_id: str, answer: str, correct: bool) -> None:
        self._item(item_id).setdefault("answers", {})[question_id] = {"answer": answer, "correct": correct}
        self.save()

    def answers(self, item_id: str) -> dict[str, Any]:
        return dict(self.data["items"].get(item_id, {}).get("answers", {}))

    def reset_item(self, item_id: str) -> None:
        self.data["items"].pop(item_id, None)
        self.save()

    def save(self) -> None:
        if self.problem or self.read_only:
            return  # never overwrite a file we could not read
        atomic_write_json(self.path, self.data)

    def repair(self) -> None:
        """Start afresh after the learner agreed (the broken file's copy stays)."""
        self.problem = ""
        self.data = {"version": 1, "items": {}, "last": ""}
        self.save()
