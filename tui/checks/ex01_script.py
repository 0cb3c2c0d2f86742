"""Exercise 1's job-script checks: script.array, script.concurrency_limit, script.output_pattern,
script.time_limit (all on `job.sh` in the exercise folder)."""

from __future__ import annotations

from pathlib import Path

from tui.checks.directives import Directives, read_directives
from tui.checks.result import CheckResult

SCRIPT = "job.sh"
MIN_TASKS, MAX_TASKS = 8, 1000
MIN_TIME_S, MAX_TIME_S = 60, 3600

HINTS = {
    "script.array": [
        "A job array runs the same script many times; each copy gets its own $SLURM_ARRAY_TASK_ID.",
        "Add a directive to the header, before the first command: #SBATCH --array=0-31%8",
        "In the form, fill in 'Job array' with 0-31%8 and save the script as job.sh in this folder.",
    ],
    "script.concurrency_limit": [
        "Without a limit every task may start at once and fill the queue (and your fair share).",
        "The limit is '%N' at the end of the --array value: at most N tasks run at the same time.",
        "Write #SBATCH --array=0-31%8: 32 tasks, at most 8 at a time.",
    ],
    "script.output_pattern": [
        "Each array task needs its own log file, or all tasks write into the same one.",
        "%A is the array's job id and %a the task id; %x is the job name.",
        "Write #SBATCH --output=logs/%x-%A_%a.out (the logs/ folder must exist before the job starts).",
    ],
    "script.time_limit": [
        "Ask for a little more time than one trial needs: short jobs start sooner (backfill).",
        "sbatch reads 10:00 as ten minutes and 10 as ten minutes too; 1-0 is one day.",
        "A digits trial takes seconds; #SBATCH --time=00:10:00 leaves room for start-up and imports.",
    ],
}


def _fail(check_id: str, message: str) -> CheckResult:
    return CheckResult(check_id, False, message, HINTS[check_id])


def _ok(check_id: str, message: str) -> CheckResult:
    return CheckResult(check_id, True, message, HINTS[check_id])


def _ignored(d: Directives, option: str) -> str:
    """Say so when the option is only in lines sbatch ignores (after the first command)."""
    for number, text in d.ignored:
        if f"--{option}" in text:
            return f"; line {number} has '{text}', but it comes after the first command, where sbatch ignores it"
    return ""


def check_array(d: Directives) -> CheckResult:
    from tui.jobscript.arrays import ArrayFormatError, parse_array

    value = d.get("array")
    if value is None:
        return _fail("script.array", "expected an --array directive such as #SBATCH --array=0-31%8; "
                     "found none" + _ignored(d, "array"))
    try:
        spec = parse_array(value)
    except ArrayFormatError as exc:
        return _fail("script.array", f"expected a valid --array value; found {value!r}: {exc}")
    if not MIN_TASKS <= spec.count <= MAX_TASKS:
        return _fail("script.array", f"expected between {MIN_TASKS} and {MAX_TASKS} tasks; "
                     f"found {spec.describe()}")
    return _ok("script.array", f"--array={value}: {spec.describe()}")


def check_concurrency(d: Directives) -> CheckResult:
    from tui.jobscript.arrays import ArrayFormatError, parse_array

    value = d.get("array")
    if value is None:
        return _fail("script.concurrency_limit", "expected --array=...%N with a limit N; found no --array")
    try:
        spec = parse_array(value)
    except ArrayFormatError as exc:
        return _fail("script.concurrency_limit", f"cannot read --array={value!r}: {exc}")
    if spec.limit is None:
        return _fail("script.concurrency_limit", f"expected a limit such as %8 at the end of --array; "
                     f"found --array={value}: all {spec.count} tasks may run at once")
    if spec.limit >= spec.count:
        return _fail("script.concurrency_limit", f"expected a limit below the {spec.count} tasks; "
                     f"found %{spec.limit}, which limits nothing")
    return _ok("script.concurrency_limit", f"at most {spec.limit} of {spec.count} tasks run at once")


def _pattern_problem(option: str, value: str) -> str:
    from tui.jobscript.patterns import PatternError, check_pattern, pattern_letters

    try:
        check_pattern(value)
    except PatternError as exc:
        return f"--{option}={value}: {exc}"
    letters = pattern_letters(value)
    if "a" not in letters and "j" not in letters:
        return (f"expected --{option} to name one file per task (with %a, e.g. logs/%x-%A_%a.out); "
                f"found --{option}={value}: every task writes to the same file")
    return ""


def check_output(d: Directives) -> CheckResult:
    value = d.get("output")
    if value is None:
        return _fail("script.output_pattern", "expected #SBATCH --output=logs/%x-%A_%a.out (one log per task); "
                     "found no --output" + _ignored(d, "output"))
    for option in ("output", "error"):
        if d.get(option) is not None:
            problem = _pattern_problem(option, d.get(option))
            if problem:
                return _fail("script.output_pattern", problem)
    return _ok("script.output_pattern", f"each task writes its own log: {value}")


def check_time(d: Directives) -> CheckResult:
    from tui.jobscript.timefmt import TimeFormatError, describe_seconds, parse_time

    value = d.get("time")
    if value is None:
        return _fail("script.time_limit", "expected a time limit such as #SBATCH --time=00:10:00; found none, "
                     "so the partition's default (often days) applies" + _ignored(d, "time"))
    try:
        limit = parse_time(value)
    except TimeFormatError as exc:
        return _fail("script.time_limit", str(exc))
    words = describe_seconds(limit.seconds)
    if limit.seconds is None or not MIN_TIME_S <= limit.seconds <= MAX_TIME_S:
        return _fail("script.time_limit", f"expected between {describe_seconds(MIN_TIME_S)} and "
                     f"{describe_seconds(MAX_TIME_S)} per task; found --time={value}, which means {words}")
    return _ok("script.time_limit", f"--time={value} means {words} per task")


def script_checks(folder: Path) -> list[CheckResult]:
    """Run the four script checks on folder/job.sh."""
    path = folder / SCRIPT
    funcs = (("script.array", check_array), ("script.concurrency_limit", check_concurrency),
             ("script.output_pattern", check_output), ("script.time_limit", check_time))
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return [_fail(cid, f"expected the job script {path}; found no such file "
                      "(save it from the script form, or complete the starter)") for cid, _ in funcs]
    directives = read_directives(text)
    return [func(directives) for _, func in funcs]
