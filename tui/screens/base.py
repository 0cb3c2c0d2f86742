"""The frame that the course's screens share: styles, header and footer, Back, a lesson's quiz.

Before this base class every screen copied the same `action_back`, the same Back binding,
the same `c` Check-yourself binding with its `action_quiz`, the Header/Footer pair around
its own widgets, and a CSS_PATH that always named the .tcss file beside its module.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Header

from tui.widgets.course_footer import CourseFooter


class CourseScreen(Screen):
    """A screen with a header, its own widgets (`compose_body`) and a footer.

    A subclass lists only its own BINDINGS. The shared ones are appended after them, so that
    the footer ends the same way on every screen: `c` Check yourself where QUIZ names a
    lesson with questions, then Back on BACK_KEYS. Its styles are the .tcss file named after
    its module (screens/jobs.py: screens/jobs.tcss) unless it sets CSS_PATH itself.
    """

    BACK_KEYS: ClassVar[str] = "escape,backspace"  # "escape" alone where an Input needs backspace; "" for none
    QUIZ: ClassVar[str] = ""  # the lesson whose self-check questions `c` opens; "" for none

    def __init_subclass__(cls, **kwargs) -> None:
        shared = [Binding("c", "quiz", "Check yourself")] if cls.QUIZ else []
        if cls.BACK_KEYS:
            shared.append(Binding(cls.BACK_KEYS, "back", "Back"))
        # Set before Textual's __init_subclass__, which merges the bindings of the class once.
        cls.BINDINGS = [*cls.__dict__.get("BINDINGS", []), *shared]
        module_file = getattr(sys.modules.get(cls.__module__), "__file__", None)
        styles = Path(module_file).with_suffix(".tcss") if module_file else None
        if "CSS_PATH" not in cls.__dict__ and styles and styles.is_file():
            cls.CSS_PATH = styles  # absolute: a subclass in another folder keeps these styles
        super().__init_subclass__(**kwargs)

    def compose(self) -> ComposeResult:
        yield Header()
        yield from self.compose_body()
        yield CourseFooter()

    def compose_body(self) -> ComposeResult:
        """The widgets between the header and the footer."""
        yield from ()

    def action_quiz(self) -> None:
        self.app.open_screen(f"quiz:{self.QUIZ}")

    def action_back(self) -> None:
        # Textual refuses to pop the last screen of the stack (ScreenStackError).
        if len(self.app.screen_stack) > 1:
            self.app.pop_screen()
