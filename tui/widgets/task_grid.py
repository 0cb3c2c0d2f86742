"""An array job as a grid of task states: one letter per task (colour is a bonus), counts per state.

The letters alone tell the states apart (NO_COLOR, print). Arrow keys move the cursor; the
grid posts `TaskGrid.Selected` with the task under it.
"""

from __future__ import annotations

from collections import Counter

from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget

# state -> (letter, style)
CELLS = {"PENDING": ("P", "yellow"), "RUNNING": ("R", "bold cyan"), "COMPLETING": ("g", "cyan"),
         "COMPLETED": ("C", "green"),
         "FAILED": ("F", "bold red"), "CANCELLED": ("X", "magenta"), "TIMEOUT": ("T", "red"),
         "OUT_OF_MEMORY": ("M", "red"), "NODE_FAIL": ("N", "red"), "UNKNOWN": ("?", "dim")}
ORDER = ("RUNNING", "PENDING", "COMPLETED", "FAILED", "TIMEOUT", "CANCELLED")
CELL_W = 2


def cell(state: str) -> tuple[str, str]:
    return CELLS.get(state, ("?", "dim"))


def summary(states: list[str]) -> str:
    """`R2 P4 C2` style counts, in a stable order."""
    counts = Counter(states)
    keys = [s for s in ORDER if counts[s]] + sorted(s for s in counts if s not in ORDER)
    return " ".join(f"{cell(s)[0]}{counts[s]}" for s in keys)


class TaskGrid(Widget, can_focus=True):
    """The tasks of one job; `tasks` is a list of (task id, state)."""

    DEFAULT_CSS = "TaskGrid { height: auto; min-height: 2; max-height: 8; }"
    BINDINGS = [Binding("left", "move(-1)", "Prev task", show=False), Binding("right", "move(1)", "Next task",
                show=False), Binding("up", "move_row(-1)", show=False), Binding("down", "move_row(1)", show=False)]
    cursor: reactive[int] = reactive(0)

    class Selected(Message):
        def __init__(self, task_id: str) -> None:
            super().__init__()
            self.task_id = task_id

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.tasks: list[tuple[str, str]] = []

    def set_tasks(self, tasks: list[tuple[str, str]], keep: str | None = None) -> None:
        """Show these tasks; keep the cursor on task `keep` when it is still there."""
        self.tasks = tasks
        ids = [t for t, _ in tasks]
        self.cursor = ids.index(keep) if keep in ids else min(self.cursor, max(len(tasks) - 1, 0))
        self.refresh(layout=True)

    @property
    def selected(self) -> str | None:
        return self.tasks[self.cursor][0] if self.tasks else None

    def _per_row(self) -> int:
        return max((self.size.width or 80) // CELL_W, 1)

    def action_move(self, step: int) -> None:
        if self.tasks:
            self.cursor = (self.cursor + step) % len(self.tasks)

    def action_move_row(self, step: int) -> None:
        if self.tasks:
            self.cursor = min(max(self.cursor + step * self._per_row(), 0), len(self.tasks) - 1)

    def watch_cursor(self, _old: int, _new: int) -> None:
        if self.selected is not None:
            self.post_message(self.Selected(self.selected))

    def get_content_height(self, container, viewport, width: int) -> int:
        rows = -(-len(self.tasks) // max(width // CELL_W, 1)) if self.tasks else 0
        return 1 + max(rows, 1)

    def render(self) -> Text:
        text = Text(summary([s for _, s in self.tasks]) or "no tasks", style="bold")
        if self.tasks:  # the letters' key, in the room left on the first line
            text.append(" │ P pending R running C done F failed X cancelled T timeout", style="dim")
        per_row = self._per_row()
        for i, (_, state) in enumerate(self.tasks):
            if i % per_row == 0:
                text.append("\n")
            letter, style = cell(state)
            style = f"{style} reverse" if i == self.cursor and self.has_focus else style
            text.append(letter, style=style)
            text.append(" ")
        return text
