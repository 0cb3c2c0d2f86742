"""The frame the course screens share (tui.screens.base.CourseScreen): the keys every screen had
copied (Back, Check yourself) end each footer in the same order as before, each quiz key opens a
lesson that has questions, and each screen still finds the styles named after its module."""

from __future__ import annotations

import importlib
import inspect
from pathlib import Path

import pytest
from textual.binding import Binding

from tests.apphelpers import app_for
from tui.course.quiz import bundled_questions
from tui.screens.base import CourseScreen
from tui.screens.priors import PriorsScreen
from tui.screens.registry import SCREENS

# a screen whose inputs need backspace goes back on escape alone
ESCAPE_ONLY = {"jobs", "script"}


def _screen_class(name: str) -> type:
    module, cls, _ = SCREENS[name]
    return getattr(importlib.import_module(module), cls)


def _css_file(cls: type) -> Path:
    path = Path(cls.CSS_PATH)
    return path if path.is_absolute() else Path(inspect.getfile(cls)).parent / path


@pytest.mark.parametrize("name", list(SCREENS))
def test_every_screen_takes_its_frame_and_back_from_the_base(name):
    """No screen writes its own Header/Footer compose or pops itself (a Back may add to the base's)."""
    cls = _screen_class(name)
    assert issubclass(cls, CourseScreen)
    own = [k for base in cls.__mro__[:cls.__mro__.index(CourseScreen)] for k in ("compose", "action_back")
           if k in base.__dict__ and (k == "compose" or "super().action_back()" not in inspect.getsource(base))]
    assert own == []


@pytest.mark.parametrize("name", [n for n in SCREENS if n != "home"])
def test_back_is_the_last_key_of_every_screen(name):
    bindings = _screen_class(name).BINDINGS
    assert bindings[-1].action == "back" and bindings[-1].description == "Back"
    assert bindings[-1].key == ("escape" if name in ESCAPE_ONLY else "escape,backspace")
    assert [b.action for b in bindings].count("back") == 1


def test_home_has_no_back_key():
    """Back on the course map would pop it and leave Textual's blank default screen."""
    assert "back" not in [b.action for b in _screen_class("home").BINDINGS]


@pytest.mark.parametrize("name", list(SCREENS))
def test_check_yourself_comes_just_before_back_and_names_a_lesson_with_questions(name):
    cls = _screen_class(name)
    actions = [b.action for b in cls.BINDINGS]
    if "quiz" not in actions:
        assert not getattr(cls, "QUIZ", "")
        return
    quiz = actions.index("quiz")
    assert actions[quiz + 1:] == ["back"] and cls.BINDINGS[quiz].key == "c"
    assert bundled_questions().get(cls.QUIZ), f"{name}: no questions for {cls.QUIZ!r}"


@pytest.mark.parametrize("name", list(SCREENS))
def test_every_screen_finds_the_styles_named_after_its_module(name):
    cls = _screen_class(name)
    styles = _css_file(cls)
    assert styles.is_file() and styles.stem == Path(inspect.getfile(cls)).stem


def test_a_subclass_elsewhere_keeps_its_parents_styles_and_ends_with_the_shared_keys():
    class Sub(PriorsScreen):  # defined in tests/, where there is no priors.tcss
        BINDINGS = [Binding("x", "noop", "Extra")]

    assert _css_file(Sub) == _css_file(PriorsScreen)
    assert [b.action for b in Sub.BINDINGS] == ["noop", "quiz", "back"]


def test_a_course_screen_with_nothing_of_its_own_has_header_back_and_footer():
    class Bare(CourseScreen):
        pass

    assert [b.action for b in Bare.BINDINGS] == ["back"] and Bare.CSS_PATH is None


async def test_c_opens_the_screens_quiz_and_escape_comes_back(tmp_path):
    app = app_for(tmp_path / "ws", start_screen="priors", resume=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        priors = app.screen
        await pilot.press("c")
        await pilot.pause()
        assert type(app.screen).__name__ == "QuizScreen" and app.screen.lesson_id == "priors"
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is priors
        await pilot.press("backspace")
        await pilot.pause()
        assert app.screen is not priors
