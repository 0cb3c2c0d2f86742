"""Exercise 3's scripts as its README tells a learner to use them on the local runner (the journey
of tests/journey/play3.py found these): a shorter worker loop without sbatch's script arguments,
and submit hints that ask for no folder made by hand."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FOLDERS = [ROOT / "exercises" / "03_hyperqueue", ROOT / "solutions" / "03_hyperqueue"]


def loop_argv(folder: Path, tmp_path: Path, env: dict[str, str], *args: str) -> list[str]:
    """The arguments worker_loop.sh hands to `python` (a fake one that prints them)."""
    fake = tmp_path / "bin"
    fake.mkdir(exist_ok=True)
    (fake / "python").write_text('#!/bin/sh\nfor a in "$@"; do echo "$a"; done\n')
    (fake / "python").chmod(0o755)
    env = {**{k: v for k, v in os.environ.items() if k != "FIRST"}, **env,
           "PATH": f"{fake}{os.pathsep}{os.environ['PATH']}"}
    done = subprocess.run(["bash", str(folder / "worker_loop.sh"), *args], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr
    return done.stdout.split()


@pytest.mark.parametrize("folder", FOLDERS, ids=["starter", "solution"])
def test_the_worker_loop_runs_the_first_n_tasks_when_submitted_with_first_set(folder, tmp_path):
    """`hptune-tui submit` passes no script arguments (sbatch does): the local runner's learner
    shortens the loop with FIRST=32 in the environment, which the job inherits."""
    assert loop_argv(folder, tmp_path, {}) == ["tiny_task.py", "--run-dir", "runs/loop", "--loop"]
    assert loop_argv(folder, tmp_path, {"FIRST": "32"})[-2:] == ["--first", "32"]
    assert loop_argv(folder, tmp_path, {}, "--first", "16")[-2:] == ["--first", "16"]  # sbatch's way


@pytest.mark.parametrize("folder", FOLDERS, ids=["starter", "solution"])
def test_the_submit_hints_ask_for_no_folder_made_by_hand(folder):
    """`hptune-tui submit` makes logs/; only plain sbatch needs `mkdir -p logs`."""
    for name in ("per_task.sh", "worker_loop.sh"):
        text = (folder / name).read_text()
        assert "(mkdir -p logs first): hptune-tui submit" not in text, name


def test_the_readme_says_which_python_runs_its_commands():
    """With the app started by its full path, a shell's `python` has no torch and no `tui`:
    `python sweep.py --hq-job ...` failed with `No module named 'tui'`."""
    text = (ROOT / "exercises" / "03_hyperqueue" / "README.md").read_text()
    assert "the `python` beside `hptune-tui`" in text
