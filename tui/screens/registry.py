"""Every screen that `hptune-tui export` and the command palette know, imported lazily.

An entry: name -> (module, class name, one-line description). A screen class may define
`classmethod from_arg(cls, arg: str | None)` to build itself from `export NAME:ARG`;
otherwise it is built with no arguments.
"""

from __future__ import annotations

import importlib

SCREENS: dict[str, tuple[str, str, str]] = {
    "home": ("tui.screens.home", "HomeScreen", "the course map with progress"),
    "lesson": ("tui.screens.lesson", "LessonScreen", "a lesson or exercise, step by step (lesson:ID)"),
}


def screen_names() -> list[str]:
    return list(SCREENS)


def build_screen(spec: str):
    """Build the screen named by `spec` ("name" or "name:arg"); KeyError for an unknown name."""
    name, _, arg = spec.partition(":")
    if name not in SCREENS:
        raise KeyError(f"unknown screen {name!r}; valid screens: {', '.join(SCREENS)}")
    module_name, class_name, _ = SCREENS[name]
    cls = getattr(importlib.import_module(module_name), class_name)
    if hasattr(cls, "from_arg"):
        return cls.from_arg(arg or None)
    return cls()
