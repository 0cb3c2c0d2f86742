"""The results of a run or an exercise: one way for `hptune-tui results` and the trials and study screens.

A target is a run folder, an exercise folder, or an exercise of the catalog ("01", "1" or
"01_random_search": its folder in the workspace). For an exercise the run shown is the
newest one that has data (trials, or a study journal): a later submission that failed, or
has not started yet, would otherwise hide a finished run behind "no trials yet". The pick
says which run it took and why, so the CLI and the screens can say the same.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from tui.results.runs import is_run, list_runs


class TargetError(ValueError):
    """The target is neither a run folder, an exercise folder nor an exercise id (one line)."""


@dataclass(frozen=True)
class Target:
    """What to show: one fixed run folder, or an exercise folder whose run is picked afresh each time."""

    run_dir: Path | None = None
    exercise_dir: Path | None = None

    @property
    def fixed(self) -> bool:
        return self.run_dir is not None

    @property
    def where(self) -> str:
        """What is watched, short: `33` for a run, `01_random_search/runs` for an exercise."""
        return self.run_dir.name if self.run_dir is not None else f"{self.exercise_dir.name}/runs"


@dataclass(frozen=True)
class RunPick:
    """The run to show (None: there is no run yet) and, when it is not simply the newest, why."""

    run_dir: Path | None
    note: str = ""


def has_trials(run: Path) -> bool:
    """A run has trials once one trial folder exists (stops at the first entry: runs can be large)."""
    try:
        with os.scandir(Path(run) / "trials") as entries:
            return any(not e.name.startswith(".") for e in entries)
    except OSError:
        return False


def has_journal(run: Path) -> bool:
    """A study run has data once its Optuna journal is not empty."""
    try:
        return (Path(run) / "study.journal").stat().st_size > 0
    except OSError:
        return False


def pick_run(exercise_dir: Path, has_data: Callable[[Path], bool] = has_trials) -> RunPick:
    """The newest run of `exercise_dir` with data, else the newest run (being waited on), else none."""
    runs = list_runs(exercise_dir)
    if not runs:
        return RunPick(None)
    chosen = next((run for run in runs if has_data(run)), None)
    if chosen is None:
        return RunPick(runs[0])
    if chosen != runs[0]:
        newer = [run.name for run in runs[:runs.index(chosen)]]
        what = "has" if len(newer) == 1 else "have"
        return RunPick(chosen, f"runs/{', '.join(newer[:3])} {what} no data yet; showing runs/{chosen.name}")
    return RunPick(chosen)


def choose(target: Target, has_data: Callable[[Path], bool] = has_trials) -> RunPick:
    """The run to show for `target` now (a fixed run counts once its folder exists)."""
    if target.run_dir is not None:
        return RunPick(target.run_dir if target.run_dir.is_dir() else None)
    return pick_run(target.exercise_dir, has_data)


def resolve(target: str | Path, workspace: Path, catalog=None) -> Target:
    """Read a target: an existing folder first (an exercise folder with runs/, or a run), then an exercise id.

    Raises:
        TargetError: with one line that says what was expected.
    """
    path = Path(target).expanduser()
    if path.is_dir():
        # runs/ first: an exercise folder holds the learner's job.sh too, which made it look like a run
        if (path / "runs").is_dir() and not (path / "trials").is_dir():
            return Target(exercise_dir=path)
        if is_run(path):
            return Target(run_dir=path)
        raise TargetError(f"{path} is not a run folder (it has no trials/, run.json, job.sh or study.journal) "
                          "nor an exercise folder (no runs/)")
    item = _exercise(str(target), catalog)
    if item is None:
        valid = ", ".join(f"{ex.id} ({ex.dir})" for ex in _catalog(catalog).exercises)
        raise TargetError(f"{target} is not a folder nor an exercise; exercises: {valid}")
    folder = Path(workspace) / item.dir
    if not folder.is_dir():
        raise TargetError(f"exercise {item.id}: {folder} is not a folder (run `hptune-tui init` "
                          "or choose the workspace with --workspace)")
    return Target(exercise_dir=folder)


def is_path(target: str) -> bool:
    """Whether a screen's target is written as a folder (`runs/33`, `./x`, `~/x`) rather than an exercise id."""
    return "/" in target or target.startswith((".", "~"))


def screen_target(arg: str | None, default: str, catalog=None) -> str:
    """A screen's target from `export NAME:ARG`: a folder as written (it may appear only later),
    else the id of the exercise `arg` (or `default`) names: "1" gives "01".

    Raises:
        KeyError: naming the valid exercises.
    """
    if arg and is_path(arg):
        return arg
    return _catalog(catalog).exercise(arg or default).id


def watched(target: str, workspace: Path, catalog=None, folder: str = "run") -> Target:
    """What a screen follows for its target: a folder as it is (`folder`: what it holds, "run" or
    "exercise"), an exercise id as that exercise's folder in the workspace (its runs picked afresh)."""
    if is_path(target):
        path = Path(target).expanduser()
        return Target(run_dir=path) if folder == "run" else Target(exercise_dir=path)
    return Target(exercise_dir=Path(workspace) / _catalog(catalog).exercise(target).dir)


def _catalog(catalog):
    if catalog is not None:
        return catalog
    from tui.course.catalog import bundled_catalog

    return bundled_catalog()


def _exercise(text: str, catalog):
    if "/" in text or not text:
        return None
    try:
        return _catalog(catalog).exercise(text)
    except KeyError:
        return None


def summary(run_name: str, counts: dict[str, int], best: tuple[str, float] | None) -> str:
    """One line for a run: `33: 32 trials, 30 complete, 2 failed │ best 0007 0.912` (fits 80 columns)."""
    total = sum(counts.values())
    parts = "".join(f", {n} {s}" for s, n in sorted(counts.items()))
    tail = f" │ best {best[0]} {best[1]:.3f}" if best is not None else ""
    return f"{run_name}: {total} trials{parts}{tail}"
