"""The useful part of a run's jobs: the seconds its trials spent training or measuring, by job.

Read from the run's own records, never from the scheduler: each finished trial's result.json
(`timed_s`, the timed passes of an exercise 3 task, else `elapsed_s`, the trial from start to
result) and, for a trial still running, the `elapsed_s` of its metrics.jsonl's last line. A
result names the job that ran it (`array_job_id`, else `job_id`, as the logger took them from
the environment); one that names none (run by hand, an older logger), and a running trial,
belong to the run's newest job.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

TAIL_BYTES = 4096  # the last line of a metrics.jsonl is all we need: never read a whole log


def useful_by_job(run_dir: Path, job_ids: list[str]) -> dict[str, float]:
    """Seconds of useful work per job of `job_ids` (the run's jobs, oldest first), from its trials."""
    out = {job_id: 0.0 for job_id in job_ids}
    if not job_ids:
        return out
    try:
        trials = [e.path for e in os.scandir(Path(run_dir) / "trials") if e.is_dir() and not e.name.startswith(".")]
    except OSError:
        return out
    for trial in trials:
        owner, seconds = _trial_useful(Path(trial))
        owner = owner or job_ids[-1]
        if owner in out and seconds > 0:
            out[owner] += seconds
    return out


def _trial_useful(trial: Path) -> tuple[str, float]:
    """(the job that ran it, "" when unknown; its useful seconds) for one trial folder."""
    try:
        result = json.loads((trial / "result.json").read_text(encoding="utf-8"))
    except FileNotFoundError:
        return "", _running_seconds(trial / "metrics.jsonl")
    except (OSError, ValueError):
        return "", 0.0
    if not isinstance(result, dict):
        return "", 0.0
    owner = str(result.get("array_job_id") or result.get("job_id") or "")
    return owner, _seconds(result.get("timed_s")) or _seconds(result.get("elapsed_s"))


def _running_seconds(metrics: Path) -> float:
    """The `elapsed_s` of the last whole line of a trial's metrics.jsonl (0.0 when none)."""
    try:
        with open(metrics, "rb") as handle:
            handle.seek(max(0, metrics.stat().st_size - TAIL_BYTES))
            lines = handle.read().decode("utf-8", errors="replace").splitlines()
    except OSError:
        return 0.0
    for line in reversed(lines):  # a half-written last line is skipped
        try:
            row = json.loads(line)
        except ValueError:
            continue
        if isinstance(row, dict):
            return _seconds(row.get("elapsed_s"))
    return 0.0


def _seconds(value) -> float:
    ok = isinstance(value, (int, float)) and not isinstance(value, bool) and value == value and value >= 0
    return float(value) if ok and value != float("inf") else 0.0
