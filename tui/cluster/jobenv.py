"""The software a job gets when nothing in its script sets it up: the app's own Python.

A learner starts the app by its full path (`~/venvs/hptune/bin/hptune-tui`, or `make run`), so
that venv is often not on PATH; a job script's `python` would then find a Python without torch
and every task would fail. Jobs submitted from this host (the local runner, sbatch here, whose
jobs inherit the submitting environment) therefore get the app's Python first on PATH, when that
Python has the training packages. Over SSH the compute nodes' software is the cluster's: the
script must set it up (modules, a venv, a container) and `lint` says so.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

TRAINING_PACKAGES = ("torch", "sklearn")


def app_python() -> Path:
    """The interpreter running the app (a venv's `bin/python` when installed in one)."""
    return Path(sys.executable)


def has_training_packages() -> bool:
    """Whether the app's Python can run the exercises' training code. Cheap: imports nothing."""
    return all(importlib.util.find_spec(name) is not None for name in TRAINING_PACKAGES)


def job_path_env(base: dict[str, str] | None = None) -> dict[str, str]:
    """The environment variables to add for a job submitted from this host.

    PATH gets the app's `bin` folder first (so `python` and `python3` are the app's) and
    HPTUNE_PYTHON names the interpreter, when it has the training packages; else nothing changes
    and the script's own set-up must provide them.
    """
    env = dict(os.environ if base is None else base)
    if not has_training_packages():
        return {}
    folder = str(app_python().parent)
    parts = [p for p in env.get("PATH", "").split(os.pathsep) if p and p != folder]
    return {"PATH": os.pathsep.join([folder, *parts]), "HPTUNE_PYTHON": str(app_python())}


def missing_packages_hint() -> str:
    """What to tell a learner whose app Python lacks the training packages ("" when it has them)."""
    if has_training_packages():
        return ""
    return (f"the app's Python ({app_python()}) has no torch/scikit-learn: set up the training software "
            "in the job script (form: software = modules, venv or apptainer), or install "
            "'hptune-tui[train]' into the app's venv")
