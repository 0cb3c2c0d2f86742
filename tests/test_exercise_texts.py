"""The exercise texts name only keys and commands that exist (exercise 2 sent learners to a jobs screen
that has no submit key)."""

from __future__ import annotations

import re

import pytest

from tui.resources import data_dir

READMES = ["exercises/02_optuna/README.md", "solutions/02_optuna/README.md", "exercises/01_random_search/README.md"]


def _keys(module: str, cls: str, action: str) -> list[str]:
    import importlib

    screen = getattr(importlib.import_module(module), cls)
    return [key for b in screen.BINDINGS for key in b.key.split(",") if b.action == action]


def _text(rel: str) -> str:
    top, _, rest = rel.partition("/")
    return (data_dir(top) / rest).read_text(encoding="utf-8")


@pytest.mark.parametrize("readme", READMES)
def test_submit_is_never_sent_to_the_jobs_screen(readme):
    assert _keys("tui.screens.jobs", "JobsScreen", "submit") == []  # so no text may send learners there
    sentences = re.split(r"(?<=[.:;])\s", " ".join(_text(readme).split()))
    wrong = [s for s in sentences if re.search(r"submit", s, re.I) and re.search(r"from the jobs screen", s, re.I)]
    assert wrong == []


def test_exercise_2_names_the_forms_submit_key_and_the_cli():
    text = _text("exercises/02_optuna/README.md")
    submit_keys = _keys("tui.screens.script_form", "ScriptFormScreen", "submit")
    assert submit_keys and any(f"`{key}`" in text for key in submit_keys)
    assert "hptune-tui submit job.sh" in text
