"""Self-check questions: the file is valid, bad files are refused clearly, answers are recorded."""

from __future__ import annotations

import pytest

from tests.apphelpers import app_for
from tui.course.catalog import bundled_catalog
from tui.course.progress import ProgressStore
from tui.course.quiz import QuizError, load_questions, questions_for, record, score


def test_every_lesson_has_two_or_three_questions():
    questions = load_questions()
    assert set(questions) == {lesson.id for lesson in bundled_catalog().lessons}
    assert all(2 <= len(qs) <= 3 for qs in questions.values())


@pytest.mark.parametrize("body, message", [
    ('[[x]]\nid = "a"\nquestion = "q"\nchoices = ["one"]\nanswer = 0\n', "at least two"),
    ('[[x]]\nid = "a"\nquestion = "q"\nchoices = ["a", "b"]\nanswer = 2\n', "index"),
    ('[[x]]\nid = "a"\nquestion = "q"\nchoices = ["a", "b"]\nanswer = true\n', "index"),
    ('[[x]]\nquestion = "q"\nchoices = ["a", "b"]\nanswer = 0\n', "'id'"),
    ('[[x]]\nid = "a"\nquestion = "q"\nchoices = ["a", "b"]\nanswer = 0\n'
     '[[x]]\nid = "a"\nquestion = "r"\nchoices = ["a", "b"]\nanswer = 1\n', "twice"),
    ('x = 1\n', "array of tables"),
    ('[[x]\n', "cannot read"),
])
def test_bad_question_files_raise_clear_errors(tmp_path, body, message):
    path = tmp_path / "questions.toml"
    path.write_text(body)
    with pytest.raises(QuizError, match=message):
        load_questions(path)


def test_unknown_lesson_names_the_valid_ones():
    with pytest.raises(KeyError, match="priors"):
        questions_for("nope")


def test_record_and_score(tmp_path):
    store = ProgressStore.open(tmp_path)
    q = questions_for("bayes")[0]
    assert record(store, "bayes", q, q.answer) is True
    q2 = questions_for("bayes")[1]
    assert record(store, "bayes", q2, (q2.answer + 1) % len(q2.choices)) is False
    assert score(store, "bayes") == (1, len(questions_for("bayes")))
    assert ProgressStore.open(tmp_path).answers("bayes")[q.id]["correct"] is True
    with pytest.raises(ValueError):
        record(store, "bayes", q, 7)


async def test_quiz_screen_records_answers(tmp_path):
    ws = tmp_path / "ws"
    app = app_for(ws, start_screen="quiz:grid-random", resume=False)
    first, second = questions_for("grid-random")[:2]
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("a")  # the first question's answer is a)
        await pilot.pause()
        assert "Right." in str(app.screen.query_one("#quiz-feedback").render())
        await pilot.press("n", "c")  # second question, a wrong answer
        await pilot.pause()
        assert "Not quite" in str(app.screen.query_one("#quiz-feedback").render())
        assert "right 1/3" in str(app.screen.query_one("#quiz-title").render())
    answers = ProgressStore.open(ws).answers("grid-random")
    assert answers[first.id] == {"answer": first.choices[0], "correct": True}
    assert answers[second.id]["correct"] is False and first.answer == 0 and second.answer != 2
