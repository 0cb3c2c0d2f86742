"""One array task of the random search: draw with the learner's sampler, train, log.

    python -m tui.runtime.random_search --run-dir DIR --sampler sample.py --task-id $SLURM_ARRAY_TASK_ID

The sampler file defines `sample(task_id: int, seed: int = 0) -> dict`. `--task-id` also takes
a range `A-B` (runs the tasks one after the other: handy for a local run). Without
`--run-dir` the run folder is $HPTUNE_RUN_DIR, else runs/<array job id>.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any, Callable

from tui.runtime.logger import TrialLogger


def trial_name(task_id: int) -> str:
    """The trial folder of an array task: zero-padded so that names sort like numbers."""
    return f"{task_id:04d}"


def load_sampler(path: str | Path) -> Callable:
    """Import `sample` from a Python file; raises ImportError/AttributeError with the file named."""
    from tui.runtime.learner import load_function

    return load_function(path, "sample", "sample(task_id, seed=0)")


def draw(sample: Callable[..., dict], task_id: int, seed: int) -> dict[str, Any]:
    params = sample(task_id, seed)
    if not isinstance(params, dict):
        raise TypeError(f"sample({task_id}, {seed}) returned {type(params).__name__}, expected a dict")
    return dict(params)


def run_task(run_dir: Path, sampler: str | Path, task_id: int, seed: int = 0, epochs: int | None = None,
             data_path: str | None = None, device: str = "auto") -> dict[str, Any]:
    """Draw the task's hyperparameters and train them; a sampler error becomes a failed trial."""
    from tui.runtime.trial import run_trial

    meta = {"task_id": task_id, "sampler_seed": seed, "sampler": str(sampler)}
    with TrialLogger(run_dir, trial_name(task_id)) as failure:  # records a sampler error, re-raises
        failure.extra.update(meta)
        params = draw(load_sampler(sampler), task_id, seed)
    if epochs:
        params["epochs"] = epochs
    # The training seed differs per task (and per sampler seed) but is fixed for a task.
    return run_trial(run_dir, trial_name(task_id), params, seed=seed * 1_000_003 + task_id,
                     data_path=data_path, device=device, meta=meta)


def parse_task_ids(text: str | None) -> list[int]:
    """"7" -> [7], "0-7" -> [0..7]; None reads SLURM_ARRAY_TASK_ID."""
    text = text if text is not None else os.environ.get("SLURM_ARRAY_TASK_ID")
    if text is None:
        raise ValueError("no --task-id given and SLURM_ARRAY_TASK_ID is not set (not an array task?)")
    first, _, last = text.partition("-")
    try:
        ids = list(range(int(first), int(last or first) + 1))
    except ValueError:
        raise ValueError(f"--task-id must be a number or a range A-B, got {text!r}") from None
    if not ids or ids[0] < 0:
        raise ValueError(f"--task-id {text!r} names no tasks")
    return ids


def default_run_dir() -> Path:
    env = os.environ
    if env.get("HPTUNE_RUN_DIR"):
        return Path(env["HPTUNE_RUN_DIR"])
    return Path("runs") / (env.get("SLURM_ARRAY_JOB_ID") or env.get("SLURM_JOB_ID") or "local")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tui.runtime.random_search", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--run-dir", type=Path, help="run folder (default $HPTUNE_RUN_DIR or runs/<job id>)")
    parser.add_argument("--sampler", required=True, help="Python file that defines sample(task_id, seed)")
    parser.add_argument("--task-id", help="array task id or range A-B (default $SLURM_ARRAY_TASK_ID)")
    parser.add_argument("--seed", type=int, default=0, help="sampler seed (default 0)")
    parser.add_argument("--epochs", type=int, help="override the number of epochs")
    parser.add_argument("--data", help="an .npz data set instead of the bundled digits")
    parser.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda"])
    args = parser.parse_args(argv)
    try:
        task_ids = parse_task_ids(args.task_id)
    except ValueError as exc:
        parser.error(str(exc))
    run_dir = args.run_dir or default_run_dir()
    failed = 0
    for task_id in task_ids:
        result = run_task(run_dir, args.sampler, task_id, args.seed, args.epochs, args.data, args.device)
        failed += result["status"] == "failed"
        print(f"trial {result['trial']}: {result['status']} {result['reason']} "
              f"best val_acc={result['best'].get('val_acc')}", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
