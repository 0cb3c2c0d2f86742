"""The learner's code beside the reference solution, one file at a time (opened from the checks screen)."""

from __future__ import annotations

from pathlib import Path

from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static

from tui.screens.base import CourseScreen
from tui.widgets.diff_view import DiffView

SKIP = {"README.md", "reference.json"}


def code_files(exercise_id: str, solution_dir: Path) -> list[str]:
    """The files to compare: the check module's CODE_FILES, else the solution's own code files."""
    from tui.checks.runner import check_module

    try:
        return list(check_module(exercise_id).CODE_FILES)
    except KeyError:
        return sorted(p.name for p in solution_dir.iterdir()
                      if p.is_file() and p.name not in SKIP and p.suffix in (".py", ".sh"))


def read_text(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None


class SolutionDiffScreen(CourseScreen):
    """n/p next/previous file, b side by side or unified, arrows and PgUp/PgDn scroll."""

    BINDINGS = [
        Binding("n", "file(1)", "Next file"),
        Binding("p", "file(-1)", "Prev file", show=False),
        Binding("b", "side", "Side by side"),
    ]

    def __init__(self, exercise_id: str = "01", file: str | None = None) -> None:
        super().__init__()
        self.exercise_id = exercise_id
        self.start_file = file
        self.files: list[str] = []
        self.index = 0
        self.side = False

    @classmethod
    def from_arg(cls, arg: str | None) -> "SolutionDiffScreen":
        """`solution-diff:01` or `solution-diff:01/job.sh`."""
        from tui.course.catalog import bundled_catalog

        exercise, _, file = (arg or "01").partition("/")
        return cls(bundled_catalog().exercise(exercise).id, file or None)

    def compose_body(self) -> ComposeResult:
        yield Static(id="diff-title")
        yield DiffView(id="diff-view")

    def on_mount(self) -> None:
        item = self.app.catalog.exercise(self.exercise_id)
        self.mine = Path(self.app.settings.workspace) / item.dir
        self.reference = item.solution_dir
        self.files = code_files(item.id, self.reference)
        if self.start_file in self.files:
            self.index = self.files.index(self.start_file)
        self._show()
        self.query_one(DiffView).focus()

    def _show(self) -> None:
        title = self.query_one("#diff-title", Static)
        if not self.files:
            title.update("this exercise has no code files to compare")
            return
        name = self.files[self.index]
        mine, ref = read_text(self.mine / name), read_text(self.reference / name)
        how = "left yours, right the reference" if self.side else "- yours, + the reference"
        title.update(f"{name} ({self.index + 1}/{len(self.files)}): {how}")
        if mine is None:
            mine = ""
            title.update(f"{name}: you have no {name} yet (the reference's is shown as added)")
        self.query_one(DiffView).show(mine, ref or "", f"yours/{name}", f"reference/{name}", self.side)

    def action_file(self, delta: int) -> None:
        if self.files:
            self.index = (self.index + delta) % len(self.files)
            self._show()

    def action_side(self) -> None:
        self.side = not self.side
        self._show()
