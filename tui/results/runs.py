"""Finding runs: `<exercise>/runs/<run-id>/` folders, newest first."""

from __future__ import annotations

from pathlib import Path


def is_run(path: Path) -> bool:
    """A run folder has trials/, run.json, job.sh or an Optuna journal."""
    return path.is_dir() and any((path / n).exists() for n in ("trials", "run.json", "job.sh", "study.journal"))


def list_runs(exercise_dir: Path) -> list[Path]:
    """The runs of an exercise folder, newest (last modified) first."""
    runs_dir = Path(exercise_dir) / "runs"
    if not runs_dir.is_dir():
        return []
    runs = [p for p in runs_dir.iterdir() if is_run(p)]
    return sorted(runs, key=lambda p: (p.stat().st_mtime, p.name), reverse=True)


def latest_run(exercise_dir: Path) -> Path | None:
    runs = list_runs(exercise_dir)
    return runs[0] if runs else None
