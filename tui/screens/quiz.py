"""A lesson's self-check questions, one at a time; every answer is recorded in the progress."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Static

from tui.course.quiz import questions_for, record, score
from tui.screens.base import CourseScreen
from tui.widgets.quiz import QuizCard


class QuizScreen(CourseScreen):
    """`n`/`p` next/previous question, Enter or a/b/c answers, escape goes back."""

    BINDINGS = [
        Binding("n,right", "move(1)", "Next"),
        Binding("p,left", "move(-1)", "Previous"),
        Binding("a", "answer(0)", "a", show=False),
        Binding("b", "answer(1)", "b", show=False),
        Binding("c", "answer(2)", "c", show=False),
        Binding("d", "answer(3)", "d", show=False),
    ]

    def __init__(self, lesson_id: str) -> None:
        super().__init__()
        self.lesson_id = lesson_id
        self.questions = questions_for(lesson_id)
        self.index = 0

    @classmethod
    def from_arg(cls, arg: str | None) -> "QuizScreen":
        """`quiz:LESSON` (KeyError names the lessons with questions)."""
        return cls(arg or "tuning")

    def compose_body(self) -> ComposeResult:
        yield Static(id="quiz-title")
        yield VerticalScroll(id="quiz-body")

    def on_mount(self) -> None:
        self._show()

    def _show(self) -> None:
        question = self.questions[self.index]
        previous = self.app.progress.answers(self.lesson_id).get(question.id)
        body = self.query_one("#quiz-body", VerticalScroll)
        body.remove_children()
        body.mount(QuizCard(question, previous))
        self._title()

    def _title(self) -> None:
        right, total = score(self.app.progress, self.lesson_id)
        title = self.app.catalog.get(self.lesson_id).title
        self.query_one("#quiz-title", Static).update(
            f"Check yourself: {title[:40]}  {self.index + 1}/{len(self.questions)}  right {right}/{total}")

    @on(QuizCard.Answered)
    def _answered(self, event: QuizCard.Answered) -> None:
        record(self.app.progress, self.lesson_id, event.question, event.choice)
        self._title()

    def action_answer(self, choice: int) -> None:
        self.query_one(QuizCard).choose(choice)

    def action_move(self, delta: int) -> None:
        index = max(0, min(len(self.questions) - 1, self.index + delta))
        if index != self.index:
            self.index = index
            self._show()
