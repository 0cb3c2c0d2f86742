"""The one parser of SLURM's command output, shared by the slurm and ssh backends.

Each function takes the text a command printed and returns plain data (TaskState objects,
ids, dicts). The matching argv builders live here too, so format and parser cannot drift.
"""

from __future__ import annotations

import re

from tui.cluster.backend import FINISHED_STATES, PENDING, TaskState

# squeue prints one line per job (array tasks expanded by -r). The separator is unlikely in any
# field, and the job name comes last so that a name containing it still parses (maxsplit).
SEP = "|#|"
SQUEUE_FIELDS = ("%i", "%F", "%K", "%T", "%r", "%M", "%l", "%S", "%N", "%j")
SQUEUE_FORMAT = SEP.join(SQUEUE_FIELDS)
# sacct --parsable2 separates with "|"; JobName comes last for the same reason.
SACCT_FIELDS = ("JobID", "State", "ExitCode", "Elapsed", "Timelimit", "Start", "End", "NodeList", "Reason",
                "JobName")
_NONE = {"N/A", "None", "(null)", "Unknown", "n/a"}


def _clean(value: str) -> str:
    value = value.strip()
    return "" if value in _NONE else value


def squeue_argv(job_ids: list[str]) -> list[str]:
    """squeue for the given ids (all of them in one call), arrays expanded, no header."""
    return ["squeue", "-h", "-r", "-o", SQUEUE_FORMAT, "-j", ",".join(job_ids)]


def parse_squeue(text: str) -> list[TaskState]:
    """Parse the output of `squeue_argv` into TaskStates (one per job or array task)."""
    tasks = []
    for line in text.splitlines():
        if SEP not in line:
            continue
        parts = line.split(SEP, len(SQUEUE_FIELDS) - 1)
        if len(parts) != len(SQUEUE_FIELDS):
            continue
        job_id, array_job, array_task, state, reason, elapsed, limit, start, node, name = parts
        array_task = _clean(array_task)
        tasks.append(TaskState(
            job_id=job_id.strip(), array_job_id=_clean(array_job) if array_task else "",
            array_task_id=array_task, name=name, state=state.strip() or PENDING,
            reason=_clean(reason), elapsed=_clean(elapsed), time_limit=_clean(limit),
            start_time=_clean(start), node=_clean(node), extra={"source": "squeue"}))
    return tasks


def sacct_argv(job_ids: list[str]) -> list[str]:
    """sacct for the given ids (one call), allocations only, parsable, no header."""
    return ["sacct", "-X", "--parsable2", "-n", "--format=" + ",".join(SACCT_FIELDS), "-j", ",".join(job_ids)]


def parse_sacct(text: str) -> list[TaskState]:
    """Parse `sacct_argv` output; a pending array range like `12_[3-7%2]` becomes one row per task."""
    tasks = []
    for line in text.splitlines():
        parts = line.split("|", len(SACCT_FIELDS) - 1)
        if len(parts) != len(SACCT_FIELDS):
            continue
        job_id, state, exit_code, elapsed, limit, start, end, node, reason, name = parts
        state = normalize_state(state)
        reason = "" if state in FINISHED_STATES else _clean(reason)  # sacct keeps the old pending reason
        ids = expand_job_id(job_id.strip())
        # A range row (`12_[4-39]`) is the array's not-yet-started rest; it may still name tasks
        # that already have rows of their own, which must win (see `merge_rows`).
        extra = {"source": "sacct", "range": "1"} if "[" in job_id else {"source": "sacct"}
        for one_id in ids:
            base, _, task = one_id.partition("_")
            tasks.append(TaskState(
                job_id=one_id, array_job_id=base if task else "", array_task_id=task, name=name,
                state=state, reason=reason, exit_code=_clean(exit_code),
                elapsed=_clean(elapsed), time_limit=_clean(limit), start_time=_clean(start),
                end_time=_clean(end), node=_clean(node), extra=dict(extra)))
    return merge_rows(tasks)


def merge_rows(tasks: list[TaskState]) -> list[TaskState]:
    """One row per id: a task's own row wins over a range row that also names it."""
    by_id: dict[str, TaskState] = {}
    for task in tasks:
        if task.job_id not in by_id or not task.extra.get("range"):
            by_id[task.job_id] = task
    return list(by_id.values())


def normalize_state(state: str) -> str:
    """`CANCELLED by 0` -> `CANCELLED`; `COMPLETING+`-style suffixes dropped."""
    word = state.strip().split(" ")[0] if state.strip() else PENDING
    return word.rstrip("+")


def expand_job_id(job_id: str) -> list[str]:
    """`12_[1,3-5%2]` -> [`12_1`, `12_3`, `12_4`, `12_5`]; anything else is returned as it is."""
    match = re.fullmatch(r"(\d+)_\[([^\]]+)\]", job_id)
    if not match:
        return [job_id] if job_id else []
    base, spec = match.groups()
    return [f"{base}_{i}" for i in expand_ranges(spec.split("%")[0])]


def expand_ranges(spec: str) -> list[int]:
    """`0-7:2,9` -> [0, 2, 4, 6, 9]; ValueError on anything else."""
    out: list[int] = []
    for part in spec.split(","):
        match = re.fullmatch(r"\s*(\d+)(?:-(\d+)(?::(\d+))?)?\s*", part)
        if not match:
            raise ValueError(f"not an index range: {part!r}")
        lo, hi, step = int(match[1]), int(match[2] or match[1]), int(match[3] or 1)
        if hi < lo or step < 1:
            raise ValueError(f"not an index range: {part!r}")
        out.extend(range(lo, hi + 1, step))
    return out


def parse_sbatch_parsable(text: str) -> str:
    """`sbatch --parsable` prints `ID` or `ID;cluster`; return the id or raise ValueError."""
    for line in text.splitlines():
        match = re.fullmatch(r"\s*(\d+)(?:;\S+)?\s*", line)
        if match:
            return match[1]
    raise ValueError(f"sbatch printed no job id: {text.strip()!r}")


def parse_test_only(text: str) -> dict[str, str]:
    """`sbatch --test-only` stderr: `sbatch: Job 12 to start at T using N processors on nodes X in partition P`."""
    match = re.search(r"Job (\d+) to start at (\S+) using (\d+) processors on nodes (\S+)"
                      r"(?: in partition (\S+))?", text)
    if not match:
        raise ValueError(f"sbatch --test-only printed no estimate: {text.strip()!r}")
    keys = ("job_id", "start", "cpus", "nodes", "partition")
    return {k: v or "" for k, v in zip(keys, match.groups())}


SCONTROL_ARGV = ["scontrol", "-o", "show", "job"]
_KEY = re.compile(r"(?:^|\s)([A-Za-z][A-Za-z:/_]*)=")


def parse_scontrol_record(line: str) -> dict[str, str]:
    """One `scontrol -o show job` line -> {key: value}; values may contain spaces."""
    matches = list(_KEY.finditer(line))
    record = {}
    for i, match in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(line)
        record[match[1]] = line[match.end():end].strip()
    return record


def parse_scontrol_jobs(text: str) -> list[TaskState]:
    """Parse `scontrol -o show job` (all jobs, one per line) into TaskStates."""
    tasks = []
    for line in text.splitlines():
        rec = parse_scontrol_record(line)
        if "JobId" not in rec:
            continue
        array_job, array_task = _clean(rec.get("ArrayJobId", "")), _clean(rec.get("ArrayTaskId", ""))
        job_id = rec["JobId"]
        if array_job and array_task:  # a pending range prints as ArrayTaskId=3-7%2
            job_id = f"{array_job}_{array_task}" if array_task.isdigit() else f"{array_job}_[{array_task}]"
        extra = {"source": "scontrol", "raw_id": rec["JobId"]}
        extra.update({k.lower(): rec[k] for k in ("StdOut", "StdErr", "WorkDir") if _clean(rec.get(k, ""))})
        for one_id in expand_job_id(job_id):
            base, _, task = one_id.partition("_")
            tasks.append(TaskState(
                job_id=one_id, array_job_id=base if task else "", array_task_id=task,
                name=rec.get("JobName", ""), state=normalize_state(rec.get("JobState", PENDING)),
                reason=_clean(rec.get("Reason", "")), exit_code=_clean(rec.get("ExitCode", "")),
                elapsed=_clean(rec.get("RunTime", "")), time_limit=_clean(rec.get("TimeLimit", "")),
                start_time=_clean(rec.get("StartTime", "")), end_time=_clean(rec.get("EndTime", "")),
                node=_clean(rec.get("NodeList", "")), extra=dict(extra, range="1") if "[" in job_id else dict(extra)))
    return merge_rows(tasks)


def matches(task: TaskState, wanted: str) -> bool:
    """Whether `task` is the job/task named `wanted` (a job id also names all of its array tasks)."""
    return task.job_id == wanted or task.array_job_id == wanted or task.extra.get("raw_id") == wanted
