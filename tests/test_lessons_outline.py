"""Every heading (and its bullets' key words) of the course outline is taught in a lesson step.

The outline's headings are copied here as data, so the test also runs from an installed
package; when the outline file itself is present (../shared/course-outline.md), the copy is
checked against it, so a new heading there fails here until a step covers it.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tui.course.catalog import bundled_catalog

# outline heading -> (lesson id, step id, key words from the heading and its bullets)
OUTLINE: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "Hyperparameter tuning": ("tuning", "hyperparameter-tuning-on-a-cluster",
                              ("What could be tuned", "grid search", "random search", "Bayesian",
                               "job array", "HyperQueue", "Optuna")),
    "Components": ("tuning", "the-two-components", ("Parameter selection", "Parameter evaluation")),
    "Optimization methods": ("tuning", "optimization-methods",
                             ("Grid search", "Random search", "Bayesian", "Bandit", "Population")),
    "Grid search": ("grid-random", "grid-search", ("first thing you can think of", "inefficient",
                                                   "many hyperparameters", "not recommended")),
    "Random search": ("grid-random", "random-search", ("even simpler than grid", "better than grid")),
    "Bayesian methods": ("bayes", "bayesian-methods", ("update beliefs", "observations",
                                                       "P(X|D) = P(D|X) P(X) / P(D)")),
    "Bayesian methods (in theory)": ("bayes", "in-theory-optimal", ("mathematically optimal",)),
    "Bayesian methods (in practice)": ("bayes", "in-practice-constrained",
                                       ("choice of distributions is", "conjugate priors",
                                        "Compendium of Conjugate", "fixed hyperhyperparameters")),
    "Bayesian methods (work)": ("bayes", "it-takes-more-work", ("more work and thinking",)),
    "Bandit methods": ("bandits", "bandit-methods", ("focus more resources on promising",
                                                     "pruning bad runs")),
    "Bandit methods (sampler)": ("bandits", "bandits-need-a-sampler", ("combined with a sampling",)),
    "Population based methods": ("bandits", "population-based-methods",
                                 ("Evolutionary algorithms", "Genetic algorithms",
                                  "Particle swarm optimization", "Ant colony optimization")),
    "Working with a resource queue": ("queue", "working-with-a-resource-queue",
                                      ("Overhead and job-size", "Sequential evaluation",
                                       "Batch evaluation", "Asynchronous workers")),
    "Overhead and job-size": ("queue", "overhead-and-job-size",
                              ("some overhead", "Preparing the node", "0-5 minutes",
                               "Importing Python packages", "~1 minute", "LLM and/or data set",
                               "1-30 minutes", "bigger jobs are harder to schedule",
                               "Longer queue time", "Lower overall resource utilization",
                               "Alvis", "AssocGrpBillingRunMinutes")),
    "Overhead and job-size: Short and small": ("queue", "short-and-small-jobs",
                                               ("job-size", "short-small", "every trial pays")),
    "Overhead and job-size: Medium length": ("queue", "medium-length-jobs",
                                             ("job-size", "medium", "four trials")),
    "Overhead and job-size: Big and wide": ("queue", "big-and-wide-jobs",
                                            ("job-size", "big-wide", "queue wait", "idle")),
    "Sequential evaluation": ("queue", "sequential-evaluation", ("One job at the time",)),
    "Batch evaluation": ("queue", "batch-evaluation", ("batch", "slowest")),
    "Asynchronous workers": ("queue", "asynchronous-workers", ("workers", "next trial")),
    "Hyperparameters": ("tuning", "hyperparameters",
                        ("Model architecture", "Training hyperparameters",
                         "Inference hyperparameters", "Performance hyperparameters",
                         "Possible metrics")),
    "Model architecture": ("tuning", "model-architecture",
                           ("Base model", "most important choice", "restarts the hyperparameter search")),
    "Training hyperparameters": ("tuning", "training-hyperparameters",
                                 ("Optimizer choice", "Learning rate and schedule", "Batch size",
                                  "Regularisation, momentum", "LoRA", "Floating point precision",
                                  "RL parameters", "KL coefficient", "reward model")),
    "Inference hyperparameters": ("tuning", "inference-hyperparameters",
                                  ("Temperature", "Top-k", "Repetition penalty",
                                   "Beam search width")),
    "Priors": ("priors", "priors", ("good start values", "interact with each other")),
    "Priors (start values)": ("priors", "good-start-values", ("learning rate", "batch size", "log")),
    "Priors (interactions)": ("priors", "how-variables-interact", ("Learning rate and batch size",)),
    "Types of metrics": ("tuning", "types-of-metrics", ("Evaluation", "loss", "accuracy", "Speed",
                                                        "seq/s", "Compute budget", "GPU-h",
                                                        "Memory use", "GB")),
    "Excercises": ("tuning", "exercises", ("Job arrays and random search", "Optuna",
                                            "HyperQueue", "seq/s")),
}

OUTLINE_FILE = Path(__file__).resolve().parents[1].parent / "shared" / "course-outline.md"


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("**", "").replace("`", "")).lower()


def _step_text(lesson_id: str, step_id: str) -> str:
    steps = {s.id: s for s in bundled_catalog().get(lesson_id).steps}
    assert step_id in steps, f"lesson {lesson_id!r} has no step {step_id!r}; it has {list(steps)}"
    return _norm(steps[step_id].markdown)


@pytest.mark.parametrize("heading", list(OUTLINE))
def test_outline_heading_is_taught(heading):
    lesson_id, step_id, words = OUTLINE[heading]
    text = _step_text(lesson_id, step_id)
    missing = [w for w in words if _norm(w) not in text]
    assert not missing, f"{heading!r}: step {lesson_id}/{step_id} does not mention {missing}"


@pytest.mark.skipif(not OUTLINE_FILE.is_file(), reason="the outline is not beside the checkout")
def test_copy_matches_the_outline_file():
    headings = [re.sub(r"^#+\s*", "", line).strip()
                for line in OUTLINE_FILE.read_text(encoding="utf-8").splitlines()
                if re.match(r"^#{1,3} ", line)]
    covered = {h.split(" (")[0] for h in OUTLINE}
    assert set(headings) <= covered, f"outline headings not mapped: {set(headings) - covered}"


def test_every_lesson_ends_with_self_check_and_fits_the_screen():
    for lesson in bundled_catalog().lessons:
        steps = lesson.steps
        assert steps[-1].id == "check-yourself", lesson.id
        for step in steps:
            wide = [line for line in step.markdown.splitlines() if len(line) > 52]
            assert not wide, f"{lesson.id}/{step.id}: lines too wide for 80 columns: {wide}"
            assert len(step.markdown.splitlines()) <= 30, f"{lesson.id}/{step.id} is too long"


def test_lesson_views_are_registered_screens():
    from tui.screens.registry import SCREENS

    for lesson in bundled_catalog().lessons:
        assert lesson.views, lesson.id
        for view in lesson.views:
            assert view.partition(":")[0] in SCREENS, (lesson.id, view)


@pytest.mark.parametrize("step_id, name", [
    ("short-and-small-jobs", "short-small"), ("medium-length-jobs", "medium"),
    ("big-and-wide-jobs", "big-wide"), ("sequential-evaluation", "sequential"),
    ("batch-evaluation", "batch"), ("asynchronous-workers", "async")])
def test_queue_lesson_gantt_charts_match_the_simulator(step_id, name):
    from tui.sim.gantt_text import scenario_figure

    steps = {s.id: s.markdown for s in bundled_catalog().get("queue").steps}
    assert f"```text\n{scenario_figure(name)}\n```" in steps[step_id], (
        f"the chart in queue/{step_id} is stale: paste scenario_figure({name!r}) again")
