"""Import one function from a learner's file (sample.py, objective.py, tiny_task.py) by path."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Callable


def load_function(path: str | Path, name: str, signature: str) -> Callable:
    """Import `name` from the Python file at `path`.

    Args:
        path: the learner's file.
        name: the function to take from it.
        signature: how the function should look, for the error message ("sample(task_id, seed=0)").

    Raises:
        FileNotFoundError: the file is missing. AttributeError: it defines no such function.
        Any exception the file raises while it is imported.
    """
    path = Path(path).resolve()
    if not path.is_file():
        raise FileNotFoundError(f"{name} file {path} does not exist")
    spec = importlib.util.spec_from_file_location(f"learner_{name}_{abs(hash(path))}", path)
    module = importlib.util.module_from_spec(spec)
    sys.path.insert(0, str(path.parent))  # the learner's file may import its neighbours
    try:
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(path.parent))
    function = getattr(module, name, None)
    if not callable(function):
        raise AttributeError(f"{path.name} defines no function {signature}")
    return function
