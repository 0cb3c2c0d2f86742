"""Where the bundled course content lives: a checkout's top level or the installed wheel."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
_NAMES = ("exercises", "solutions", "slurm_templates")


@lru_cache(maxsize=None)
def data_dir(name: str) -> Path:
    """Return the folder of bundled content `name` (exercises, solutions, slurm_templates).

    A checkout (or an editable install) keeps it beside the package; a wheel carries it in
    `tui/_data/`. The checkout wins so that edits show without reinstalling.
    """
    if name not in _NAMES:
        raise ValueError(f"unknown data folder {name!r}; expected one of {', '.join(_NAMES)}")
    for candidate in (_PACKAGE.parent / name, _PACKAGE / "_data" / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"bundled folder {name!r} is missing from this installation")


def exercises_dir() -> Path:
    return data_dir("exercises")


def solutions_dir() -> Path:
    return data_dir("solutions")


def templates_dir() -> Path:
    return data_dir("slurm_templates")
