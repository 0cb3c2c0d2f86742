"""The lesson screen: the steps of a lesson or exercise beside the Markdown of the current one."""

from __future__ import annotations

import textwrap

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Label, ListItem, ListView, Markdown, Static

from tui.course.catalog import Item
from tui.screens.base import CourseScreen
from tui.widgets.status_bar import StatusBar

STEP_TITLE_WIDTH = 25  # #lesson-steps is 28 wide (lesson.tcss): its border and a scroll bar take 3
PICKER_WIDTH = 60  # what the view picker (tui.dialogs.choice, 70 wide) leaves for an option


class LessonScreen(CourseScreen):
    """Next/previous with n/p (or the step list), `d` marks a step done, `v` opens the view."""

    BINDINGS = [
        Binding("n,right", "step(1)", "Next"),
        Binding("p,left", "step(-1)", "Previous"),
        Binding("d", "toggle_done", "Done"),
        Binding("v", "view", "Interactive view"),
        Binding("r", "reset", "Reset", show=False),
    ]

    def __init__(self, item_id: str, step_id: str | None = None) -> None:
        super().__init__()
        self.item_id = item_id
        self._start_step = step_id

    @classmethod
    def from_arg(cls, arg: str | None) -> "LessonScreen":
        """`export lesson:ID[/STEP]`; without an id, the first lesson."""
        from tui.course.catalog import bundled_catalog

        item_id, _, step = (arg or bundled_catalog().items[0].id).partition("/")
        bundled_catalog().get(item_id)  # raises KeyError with the valid ids
        return cls(item_id, step or None)

    @property
    def item(self) -> Item:
        return self.app.catalog.get(self.item_id)

    def compose_body(self) -> ComposeResult:
        item = self.item
        kind = "Lesson" if item.kind == "lesson" else f"Exercise {item.id}"
        yield Static(f"{kind}: {item.title}", id="lesson-title")
        with Horizontal(id="lesson-body"):
            yield ListView(*[ListItem(Label(self._step_label(s.id, s.title)), id=f"step-{i}")
                             for i, s in enumerate(item.steps)], id="lesson-steps")
            with VerticalScroll(id="lesson-text"):
                yield Markdown(id="lesson-markdown")
        yield StatusBar(self.app.backend_label, str(self.app.settings.workspace))

    def _step_label(self, step_id: str, title: str) -> str:
        mark = "✓" if step_id in self.app.progress.done_steps(self.item_id) else "·"
        # wrapped here, under the title, so that a long one is neither cut nor wrapped under the mark
        return "\n".join(textwrap.wrap(f"{mark} {title}", STEP_TITLE_WIDTH, subsequent_indent="  "))

    def on_mount(self) -> None:
        steps = [s.id for s in self.item.steps]
        wanted = self._start_step or self.app.progress.current_step(self.item_id)
        self.query_one("#lesson-steps", ListView).index = steps.index(wanted) if wanted in steps else 0
        self._show(self.query_one("#lesson-steps", ListView).index or 0)

    @property
    def index(self) -> int:
        return self.query_one("#lesson-steps", ListView).index or 0

    def _show(self, index: int) -> None:
        step = self.item.steps[index]
        self.query_one("#lesson-markdown", Markdown).update(step.markdown)
        self.query_one("#lesson-text", VerticalScroll).scroll_home(animate=False)
        self.app.progress.visit(self.item_id, step.id)

    @on(ListView.Highlighted, "#lesson-steps")
    def _highlighted(self, event: ListView.Highlighted) -> None:
        if event.list_view.index is not None:
            self._show(event.list_view.index)

    def action_step(self, delta: int) -> None:
        steps = self.query_one("#lesson-steps", ListView)
        steps.index = max(0, min(len(self.item.steps) - 1, self.index + delta))

    def action_toggle_done(self) -> None:
        step = self.item.steps[self.index]
        done = step.id not in self.app.progress.done_steps(self.item_id)
        self.app.progress.set_done(self.item_id, step.id, done)
        label = self.query_one(f"#step-{self.index}", ListItem).query_one(Label)
        label.update(self._step_label(step.id, step.title))
        if done and self.index < len(self.item.steps) - 1:
            self.action_step(1)

    def action_view(self) -> None:
        views = self.item.views
        if not views:
            self.notify("This lesson has no interactive view.", severity="information")
            return
        if len(views) == 1:
            self.app.open_screen(views[0])
            return
        from tui.dialogs.choice import ChoiceDialog
        from tui.screens.registry import SCREENS

        def label(spec: str) -> str:
            name = spec.partition(":")[0]
            about = SCREENS[name][2].split(" (")[0]  # the "(name:ARG)" usage hint is for export
            # a long description wraps under itself, not under the name (the dialog is 70 wide)
            return "\n".join(textwrap.wrap(f"{name:12} {about}", PICKER_WIDTH, subsequent_indent=" " * 13))

        choices = [(spec, label(spec)) for spec in views]
        self.app.push_screen(ChoiceDialog("Open which view?", choices),
                             lambda spec: self.app.open_screen(spec) if spec else None)

    def action_reset(self) -> None:
        if self.item.kind == "exercise":
            from tui.screens.reset import confirm_and_reset

            confirm_and_reset(self, self.item)
