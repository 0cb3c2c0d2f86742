"""What the local runner refuses before it starts anything: what this machine cannot run, and
output files that cannot be opened (SLURM would start such a job and lose its output; a learner
is better served by the reason up front, in `--test-only` as in submit)."""

from __future__ import annotations

import os
from pathlib import Path

from tui.cluster.backend import BackendError


def check_cpus(cpus: int) -> None:
    """Refuse a task that asks for more CPUs than this machine has."""
    cores = os.cpu_count() or 1
    if cpus > cores:
        raise BackendError(f"sbatch: error: --cpus-per-task={cpus} is more than this machine's "
                           f"{cores} cores", f"ask for at most {cores} CPUs per task")


def check_outputs(record: dict) -> None:
    """Refuse a job (its `job.json` record) whose folder is missing or whose tasks cannot open their output.

    Raises:
        BackendError: the first problem found, naming the file and the reason.
    """
    run_dir = Path(record["workdir"])
    if not run_dir.is_dir():
        raise BackendError(f"sbatch: error: the job's folder {run_dir} does not exist",
                           "create it first, or change --chdir")
    seen: set[str] = set()
    for entry in record["tasks"]:
        for path in (entry["output"], entry["error"]):
            if path and path not in seen:
                seen.add(path)
                _check_output(Path(path), run_dir)


def _check_output(path: Path, run_dir: Path) -> None:
    problem = _unwritable(path)
    if problem:
        shown, folder = _shown(path, run_dir), _shown(path.parent, run_dir)
        raise BackendError(f"sbatch: error: cannot open the output file {shown}: {problem}",
                           f"create the folder first (mkdir -p {folder}), or change --output/--error")


def _unwritable(path: Path) -> str:
    """Why `path` could not be opened for writing ("" when it could), as the system would say it."""
    folder = path.parent
    if not folder.exists():
        return "No such file or directory (its folder does not exist)"
    if not folder.is_dir():
        return "Not a directory (its folder is a file)"
    if path.is_dir():
        return "Is a directory"
    if path.exists():
        return "" if os.access(path, os.W_OK) else "Permission denied"
    return "" if os.access(folder, os.W_OK | os.X_OK) else "Permission denied (its folder is not writable)"


def _shown(path: Path, run_dir: Path) -> str:
    try:
        return str(path.relative_to(run_dir)) or "."
    except ValueError:
        return str(path)
