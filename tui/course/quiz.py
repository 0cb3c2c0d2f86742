"""Self-check questions: loaded from `exercises/lessons/questions.toml`, validated, graded.

The file holds an array of tables per lesson id:

    [[priors]]
    id = "log-lr"
    question = "..."
    choices = ["...", "..."]
    answer = 1          # 0-based index of the right choice
    explanation = "..."
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from tui import tomlio
from tui.resources import exercises_dir


class QuizError(ValueError):
    """The questions file is unreadable or a question is malformed."""


@dataclass(frozen=True)
class Question:
    """One multiple-choice question with its explanation."""

    id: str
    question: str
    choices: tuple[str, ...]
    answer: int
    explanation: str = ""

    def is_correct(self, choice: int) -> bool:
        return choice == self.answer


def _question(lesson: str, raw: dict) -> Question:
    where = f"question {raw.get('id', '?')!r} of lesson {lesson!r}"
    for key in ("id", "question"):
        if not isinstance(raw.get(key), str) or not raw[key]:
            raise QuizError(f"{where}: {key!r} must be a non-empty string")
    choices = raw.get("choices")
    if not isinstance(choices, list) or len(choices) < 2 or not all(isinstance(c, str) for c in choices):
        raise QuizError(f"{where}: 'choices' must be a list of at least two strings")
    answer = raw.get("answer")
    if not isinstance(answer, int) or isinstance(answer, bool) or not 0 <= answer < len(choices):
        raise QuizError(f"{where}: 'answer' must be an index into choices (0..{len(choices) - 1})")
    return Question(raw["id"], raw["question"], tuple(choices), answer, str(raw.get("explanation", "")))


def load_questions(path: Path | None = None) -> dict[str, tuple[Question, ...]]:
    """Load and validate all questions, keyed by lesson id (default: the bundled file)."""
    path = path or exercises_dir() / "lessons" / "questions.toml"
    try:
        raw = tomlio.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomlio.TOMLDecodeError) as exc:
        raise QuizError(f"cannot read the questions file {path}: {exc}") from exc
    result: dict[str, tuple[Question, ...]] = {}
    for lesson, items in raw.items():
        if not isinstance(items, list):
            raise QuizError(f"{path}: {lesson!r} must be an array of tables ([[{lesson}]])")
        questions = tuple(_question(lesson, item) for item in items)
        ids = [q.id for q in questions]
        if len(set(ids)) != len(ids):
            raise QuizError(f"lesson {lesson!r} uses a question id twice: {ids}")
        result[lesson] = questions
    return result


@lru_cache(maxsize=1)
def bundled_questions() -> dict[str, tuple[Question, ...]]:
    return load_questions()


def questions_for(lesson_id: str) -> tuple[Question, ...]:
    """The questions of one lesson; KeyError names the lessons that have questions."""
    questions = bundled_questions()
    if lesson_id not in questions:
        raise KeyError(f"no questions for {lesson_id!r}; lessons with questions: {', '.join(questions)}")
    return questions[lesson_id]


def record(progress, lesson_id: str, question: Question, choice: int) -> bool:
    """Grade `choice` and store it in the progress; return whether it was right."""
    if not 0 <= choice < len(question.choices):
        raise ValueError(f"choice {choice} is not one of 0..{len(question.choices) - 1}")
    correct = question.is_correct(choice)
    progress.record_answer(lesson_id, question.id, question.choices[choice], correct)
    return correct


def score(progress, lesson_id: str) -> tuple[int, int]:
    """(right answers so far, number of questions) of one lesson."""
    answers = progress.answers(lesson_id)
    questions = questions_for(lesson_id)
    return sum(bool(answers.get(q.id, {}).get("correct")) for q in questions), len(questions)
