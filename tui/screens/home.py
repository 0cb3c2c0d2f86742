"""The home screen: the course map, each lesson and exercise with its progress."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from tui.course.catalog import Item
from tui.course.quiz import bundled_questions
from tui.screens.base import CourseScreen
from tui.widgets.status_bar import StatusBar

BAR_WIDTH = 8  # leaves room for the title and the quiz count at 80 columns


def progress_bar(fraction: float) -> str:
    filled = round(fraction * BAR_WIDTH)
    return "━" * filled + "╌" * (BAR_WIDTH - filled)


class HomeScreen(CourseScreen):
    """Lessons first, then exercises; Enter opens one, `c` continues where you left off."""

    BACK_KEYS = ""  # the bottom of the course: q quits
    BINDINGS = [
        Binding("enter", "open", "Open", show=True),
        Binding("c", "continue", "Continue"),
        Binding("r", "reset", "Reset exercise"),
        Binding("ctrl+p", "command_palette", "Commands"),
    ]

    _shown_once = False

    def compose_body(self) -> ComposeResult:
        yield Static("Course map: read the lessons, then do the exercises on the cluster.\n"
                     "%: the steps you read · quiz: questions answered · done: every check passes",
                     id="home-intro")
        problems = self.app.problems()
        if problems:
            yield Static("\n".join(f"⚠ {p}" for p in problems), id="home-problems", classes="problem")
        if self.app.settings.class_dir:  # the learner sees that (and where) their progress is published
            from tui.classroom.publish import target

            yield Static(f"publishing to {target(self.app.settings)} (hptune-tui class --mine shows what)",
                         id="home-publishing")
        yield OptionList(*self._options(), id="course-map")
        yield StatusBar(self.app.backend_label, str(self.app.settings.workspace))

    def _label(self, item: Item, number: int) -> Text:
        """The bar counts the steps read (or marked done); a lesson adds its quiz; an exercise whose
        checks all pass reads "done" (full bar)."""
        progress = self.app.progress
        done = progress.completed(item.id)
        fraction = 1.0 if done else progress.fraction(item.id, [s.id for s in item.steps])
        kind = f"Lesson {number}" if item.kind == "lesson" else f"Exercise {item.id}"
        text = Text(f" {progress_bar(fraction)} ")
        text.append("done" if done else f"{fraction:4.0%}", style="bold green" if done else "")
        text.append("  ")
        text.append(f"{kind}: ", style="bold")
        text.append(item.title + (" (optional)" if item.optional else ""))
        questions = [q.id for q in bundled_questions().get(item.id, ())]
        if questions:
            answered = len(set(progress.answers(item.id)) & set(questions))
            text.append(f"  quiz {answered}/{len(questions)}", style="bold green" if answered == len(questions) else "")
        return text

    def _options(self) -> list[Option]:
        catalog = self.app.catalog
        options = [Option(Text("Lessons", style="bold underline"), disabled=True)]
        options += [Option(self._label(it, n), id=it.id) for n, it in enumerate(catalog.lessons, 1)]
        options.append(Option(Text("Exercises", style="bold underline"), disabled=True))
        options += [Option(self._label(it, n), id=it.id) for n, it in enumerate(catalog.exercises, 1)]
        return options

    def on_mount(self) -> None:
        self._highlight(self.app.progress.last_item)

    def on_screen_resume(self) -> None:
        """Progress may have changed in a lesson: redraw the bars (not on the first show: compose drew them)."""
        if not self._shown_once:
            self._shown_once = True
            return
        option_list = self.query_one("#course-map", OptionList)
        highlighted = option_list.highlighted
        option_list.clear_options()
        option_list.add_options(self._options())
        option_list.highlighted = highlighted

    def _highlight(self, item_id: str) -> None:
        option_list = self.query_one("#course-map", OptionList)
        ids = [o.id for o in option_list.options]
        option_list.highlighted = ids.index(item_id) if item_id in ids else 1

    def _selected(self) -> Item | None:
        option_list = self.query_one("#course-map", OptionList)
        if option_list.highlighted is None:
            return None
        option = option_list.get_option_at_index(option_list.highlighted)
        return self.app.catalog.by_id.get(option.id or "")

    @on(OptionList.OptionSelected, "#course-map")
    def _selected_option(self, event: OptionList.OptionSelected) -> None:
        if event.option.id:
            self.app.open_item(event.option.id)

    def action_open(self) -> None:
        item = self._selected()
        if item:
            self.app.open_item(item.id)

    def action_continue(self) -> None:
        last = self.app.progress.last_item or self.app.catalog.items[0].id
        self.app.open_item(last)

    def action_reset(self) -> None:
        item = self._selected()
        if item is None or item.kind != "exercise":
            self.notify("Select an exercise to reset it.", severity="warning")
            return
        from tui.screens.reset import confirm_and_reset

        confirm_and_reset(self, item)
