"""The metric logger: writes one trial's files in the run layout of DESIGN.md.

    trials/<trial>/params.json    hyperparameters, written when the trial starts
    trials/<trial>/metrics.jsonl  one JSON object per line per epoch, appended and flushed
    trials/<trial>/result.json    status (complete|pruned|failed) + reason, written last, atomically

Readers (tui.results.tailer) rely on this order: once result.json exists, metrics.jsonl is whole.
"""

from __future__ import annotations

import json
import math
import os
import socket
import time
import traceback
from pathlib import Path
from typing import Any

from tui.fsutil import atomic_write_json

STATUSES = ("complete", "pruned", "failed")


def clean(value: Any) -> Any:
    """Make a value strict JSON: numpy scalars become Python numbers, NaN/inf become None."""
    if hasattr(value, "item") and callable(value.item):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {str(k): clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [clean(v) for v in value]
    return value


def job_info() -> dict[str, Any]:
    """Where this trial runs: host and the scheduler's ids when there is one."""
    env = os.environ
    info: dict[str, Any] = {"host": socket.gethostname(), "pid": os.getpid()}
    for key, name in (("SLURM_JOB_ID", "job_id"), ("SLURM_ARRAY_JOB_ID", "array_job_id"),
                      ("SLURM_ARRAY_TASK_ID", "array_task_id"), ("HQ_JOB_ID", "hq_job_id"),
                      ("HQ_TASK_ID", "hq_task_id")):
        if env.get(key):
            info[name] = env[key]
    return info


class TrialLogger:
    """Writes params.json, metrics.jsonl and result.json of one trial.

    Use as a context manager: an exception inside is recorded as a failed result (with the
    error's last lines) and then re-raised, so the job still fails visibly.
    """

    def __init__(self, run_dir: str | Path, trial: str):
        if not trial or "/" in trial or trial in (".", ".."):
            raise ValueError(f"invalid trial id {trial!r}")
        self.dir = Path(run_dir) / "trials" / trial
        self.trial = trial
        self.started = time.time()
        self.last: dict[str, Any] = {}
        self.best: dict[str, Any] = {}
        self.steps = 0
        self.extra: dict[str, Any] = {}
        self._metrics = None
        self._params: dict[str, Any] = {}

    def start(self, params: dict[str, Any]) -> None:
        """Create the trial folder and write params.json; an earlier attempt's files are replaced."""
        self.started = time.time()
        self.dir.mkdir(parents=True, exist_ok=True)
        (self.dir / "result.json").unlink(missing_ok=True)  # a requeued task starts over
        self._params = clean(dict(params))
        atomic_write_json(self.dir / "params.json", self._params)
        self._metrics = open(self.dir / "metrics.jsonl", "w", encoding="utf-8")

    def log(self, metrics: dict[str, Any]) -> None:
        """Append one line; each line is written in one call and flushed, so readers see whole lines."""
        row = clean(metrics)
        self._metrics.write(json.dumps(row, separators=(",", ":")) + "\n")
        self._metrics.flush()
        self.steps += 1
        self.last = row
        acc = row.get("val_acc")
        if acc is not None and (not self.best or acc > self.best.get("val_acc", -1)):
            self.best = {"val_acc": acc, "step": row.get("step")}

    def finish(self, status: str, reason: str = "") -> dict[str, Any]:
        """Write result.json (atomically, last) and close the metrics file; returns the result."""
        if status not in STATUSES:
            raise ValueError(f"status must be one of {STATUSES}, got {status!r}")
        if self._metrics is not None:
            self._metrics.close()
            self._metrics = None
        ended = time.time()
        result = {"trial": self.trial, "status": status, "reason": reason, "params": self._params,
                  "steps": self.steps, "final": self.last, "best": self.best,
                  "started": self.started, "ended": ended, "elapsed_s": ended - self.started,
                  **job_info(), **clean(self.extra)}
        atomic_write_json(self.dir / "result.json", result)
        return result

    def __enter__(self) -> "TrialLogger":
        return self

    def __exit__(self, exc_type, exc, tb) -> bool:
        if exc is None:
            if self._metrics is not None:  # finish() was not called: say so instead of hiding it
                self.finish("failed", "the trial ended without a result")
            return False
        if type(exc).__name__ == "TrialPruned":  # optuna.TrialPruned, without importing optuna
            self.finish("pruned", f"pruned after step {self.last.get('step', 0)}")
            return False
        tail = "".join(traceback.format_exception(exc_type, exc, tb)).strip().splitlines()[-12:]
        self.extra["traceback"] = "\n".join(tail)
        self.finish("failed", f"{exc_type.__name__}: {exc}")
        return False  # re-raise
