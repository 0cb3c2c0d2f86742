"""One multiple-choice question: the choices in an OptionList, feedback after an answer."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import OptionList, Static

from tui.course.quiz import Question


class QuizCard(Vertical):
    """Shows `question`; posts `Answered(question, choice)` when the learner picks a choice."""

    DEFAULT_CSS = """
    QuizCard { height: auto; }
    QuizCard > #quiz-question { padding: 0 1; text-style: bold; }
    QuizCard > OptionList { height: auto; max-height: 8; margin: 1 0; }
    QuizCard > #quiz-feedback { padding: 0 1; height: auto; }
    """

    class Answered(Message):
        def __init__(self, question: Question, choice: int) -> None:
            super().__init__()
            self.question, self.choice = question, choice

    def __init__(self, question: Question, previous: dict | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.question = question
        self.previous = previous or {}

    def compose(self) -> ComposeResult:
        yield Static(self.question.question, id="quiz-question")
        yield OptionList(*[f"{chr(97 + i)}) {c}" for i, c in enumerate(self.question.choices)],
                         id="quiz-choices")
        yield Static(self._earlier(), id="quiz-feedback")

    def _earlier(self) -> str:
        if not self.previous:
            return "Pick an answer with the arrows and Enter (or a, b, c)."
        mark = "right" if self.previous.get("correct") else "not right"
        return f"Earlier you answered: {self.previous.get('answer')} ({mark})."

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    def choose(self, choice: int) -> None:
        """Answer with choice `choice` (0-based) and show the feedback."""
        if not 0 <= choice < len(self.question.choices):
            return
        self.query_one(OptionList).highlighted = choice
        right = self.question.is_correct(choice)
        verdict = "Right." if right else f"Not quite: the answer is {chr(97 + self.question.answer)})."
        self.query_one("#quiz-feedback", Static).update(f"{verdict} {self.question.explanation}")
        self.post_message(self.Answered(self.question, choice))

    @on(OptionList.OptionSelected, "#quiz-choices")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.choose(event.option_index)
