"""Why a run's tasks failed, in one line: for the results checks of a run whose trials failed or never ended.

"found no trials" says nothing when every task died before training (no torch on the compute
node, no logs/ folder, `set -u`): the reason is in the tasks' logs. The logs are found where the
run's job.sh sends them (`--output`, relative to the submit folder, with the run's job id for
`%A`), their telling line and hint come from tui.cluster.log_hints, and the trials' result.json
give the count and the reasons of failed trials.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

LOG_TAIL_BYTES = 64 << 10  # the end of a log tells; a runaway log must not fill memory
MAX_LOGS = 64  # an array of 1000 tasks: these many logs are enough to name the cause
MAX_JSON_BYTES = 1 << 20
ANY = {letter: "*" for letter in "ajxNnstbuJ"}
# A line that tells of a failure when no hint fits: an exception, "sbatch: error: ...", a kill.
_ERROR_LINE = re.compile(r"^\w+(\.\w+)*(Error|Exception)\b|(?i:\berror:)|^Traceback|\bKilled\b|Segmentation fault")


@dataclass(frozen=True)
class FailureNote:
    """message: one line ("3 of 8 trials failed: <log line> — <hint> (logs/x.out)"); details: the log's end."""

    message: str
    details: str = ""


def _tail(path: Path, size: int = LOG_TAIL_BYTES) -> str:
    try:
        with open(path, "rb") as handle:
            handle.seek(max(0, handle.seek(0, 2) - size))
            return handle.read(size).decode("utf-8", "replace")
    except OSError:
        return ""


def _read_json(path: Path) -> dict:
    try:
        with open(path, "rb") as handle:
            data = json.loads(handle.read(MAX_JSON_BYTES))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def failed_trials(run_dir: Path | None) -> dict[str, str]:
    """trial name -> reason of every trial whose result.json says failed."""
    if run_dir is None or not (Path(run_dir) / "trials").is_dir():
        return {}
    failed = {}
    for result in sorted((Path(run_dir) / "trials").glob("*/result.json")):
        data = _read_json(result)
        if data.get("status") == "failed":
            failed[result.parent.name] = str(data.get("reason", ""))
    return failed


def _job_ids(run_dir: Path) -> list[str]:
    data = _read_json(run_dir / "run.json")
    ids = [str(i) for i in data.get("job_ids", []) or ([data["job_id"]] if data.get("job_id") else [])]
    return ids or ([run_dir.name] if run_dir.name.isdigit() else [])


def task_logs(folder: Path, run_dir: Path | None, first: tuple[int, ...] = ()) -> list[Path]:
    """The run's task logs, from its job.sh's --output and job id, the logs of tasks `first` first;
    without them (no run, no job id in the pattern) the newest logs of the folder (logs/*.out, slurm-*.out)."""
    from tui.checks.directives import read_directives
    from tui.jobscript.patterns import expand_pattern

    script = Path(run_dir) / "job.sh" if run_dir is not None else None
    ids = _job_ids(Path(run_dir)) if run_dir is not None else []
    if script is not None and script.is_file() and ids:
        options = read_directives(_tail(script)).options
        pattern = options.get("output") or "slurm-%A_%a.out"
        base = folder / options.get("chdir", "")
        if "%A" in pattern or "%j" in pattern:
            logs = [base / expand_pattern(pattern, {**ANY, "A": job, "j": job, "a": task})
                    for job in ids for task in first]
            logs = [path for path in logs if path.is_file()]
            for job in ids:
                single = {"j": job} if "%a" not in pattern and "%A" not in pattern else {}
                logs += sorted(base.glob(expand_pattern(pattern, {**ANY, "A": job, **single})))[:MAX_LOGS]
            return list(dict.fromkeys(logs))[:MAX_LOGS]
    newest = sorted([*folder.glob("logs/*.out"), *folder.glob("slurm-*.out")], key=_mtime, reverse=True)
    return newest[:MAX_LOGS]


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


def _telling(path: Path):
    """The log's finding when it tells of a failure (a known cause or an error line), else None."""
    from tui.cluster.log_hints import explain_log

    finding = explain_log(_tail(path))
    if finding is None or not (finding.hint or _ERROR_LINE.search(finding.line)):
        return None
    return finding


def explain_failures(folder: Path, run_dir: Path | None, expected: int | None = None) -> FailureNote | None:
    """Why the run's trials failed or never ended; None when neither trials nor logs say.

    Args:
        folder: the exercise folder (the submit folder: relative --output paths start there).
        run_dir: the run, or None when there is none yet (then the folder's newest logs count).
        expected: how many trials the run should have (for "3 of 8 trials failed").
    """
    folder = Path(folder)
    failed = failed_trials(run_dir)
    logs = task_logs(folder, run_dir, tuple(int(name) for name in failed if name.isdigit()))
    telling = [(path, finding) for path in logs if (finding := _telling(path)) is not None]
    if failed:
        what = f"{len(failed)} of {max(expected or 0, len(failed))} trials failed"
    elif telling:
        what = f"{len(telling)} of {len(logs)} task logs end in an error"
    else:
        return None
    if not telling:
        name, reason = next(iter(failed.items()))
        return FailureNote(f"{what} (trial {name}: {reason})")
    path, finding = telling[0]
    shown = path.relative_to(folder) if path.is_relative_to(folder) else path
    cause = finding.line + (f" — {finding.hint}" if finding.hint else "")
    details = "\n".join(_tail(path, 8192).strip().splitlines()[-12:])
    return FailureNote(f"{what}: {cause} ({shown})", details)
