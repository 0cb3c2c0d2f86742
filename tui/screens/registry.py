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
    "grid-random": ("tui.screens.grid_random", "GridRandomScreen", "grid against random search, same budget"),
    "bayes": ("tui.screens.bayes", "BayesScreen", "conjugate prior update: Beta or Normal (bayes:normal)"),
    "methods": ("tui.screens.methods", "MethodsScreen", "method race: samplers and a pruner, same budget"),
    "priors": ("tui.screens.priors", "PriorsScreen", "prior explorer: histograms of draws (priors:KIND)"),
    "overhead": ("tui.screens.overhead", "OverheadScreen", "queue overhead Gantt charts (overhead:SCENARIO)"),
    "quiz": ("tui.screens.quiz", "QuizScreen", "a lesson's self-check questions (quiz:LESSON)"),
    "jobs": ("tui.screens.jobs", "JobsScreen", "your jobs: array task grid, log tail, cancel (jobs:demo)"),
    "script": ("tui.screens.script_form", "ScriptFormScreen", "job script form with live preview (script:TEMPLATE)"),
    "trials": ("tui.screens.trials", "TrialsScreen", "live trials of a run: curves, slices, table (trials:01 or trials:RUN_DIR)"),
    "checks": ("tui.screens.checks", "ChecksScreen", "an exercise's checks with progressive hints (checks:01)"),
    "solution-diff": ("tui.screens.solution_diff", "SolutionDiffScreen", "your files beside the reference solution (solution-diff:01)"),
    "study": ("tui.screens.study", "StudyScreen", "live Optuna study: curves, importances, slices, heat map, workers, vs exercise 1 (study:02 or study:RUN_DIR)"),
    "class": ("tui.screens.class_view", "ClassViewScreen", "the teacher's class view: learners, results, leaderboard, cost (class:TAB or class:DIR)"),
    "throughput": ("tui.screens.throughput", "ThroughputScreen", "exercise 3: tasks/s of the ways to run tiny tasks, their Gantt chart (throughput:03 or throughput:DIR)"),
}


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
