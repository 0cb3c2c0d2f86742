"""What a failed task's log says, and what the learner can do about it.

One table, used by the jobs screen (the selected task's detail) and by the checks (a run whose
trials failed): the log's telling line and a hint that fits it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# (pattern on one log line, hint); the first pattern that matches a line wins, the last such line counts.
HINTS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"No module named '?(torch|sklearn|numpy|optuna|tui)\b"),
     "the job's Python lacks the training packages: choose 'software' in the form (modules, venv or "
     "apptainer) or set the environment up at the top of job.sh; the app's own Python has them "
     "(hptune-tui doctor names it)"),
    (re.compile(r"(python|python3): (command )?not found"),
     "no `python` on the compute node's PATH: load a module or activate a venv in job.sh"),
    (re.compile(r"unbound variable"),
     "`set -u` stopped at a variable that is not set (outside an array, SLURM_ARRAY_TASK_ID is unset); "
     "submit as an array or use ${NAME:-default}"),
    (re.compile(r"No such file or directory"),
     "a path in job.sh does not exist where the job runs: paths are relative to the folder you submit "
     "from (or --chdir)"),
    (re.compile(r"(CANCELLED|DUE TO TIME LIMIT)"),
     "the task ran past its --time limit: ask for more time or do less per task"),
    (re.compile(r"(Out Of Memory|oom-kill|MemoryError|OUT_OF_MEMORY)", re.IGNORECASE),
     "the task ran out of memory: ask for more with --mem, or use a smaller batch"),
    (re.compile(r"Permission denied"),
     "a file or folder the job uses is not yours to write: check the paths in job.sh"),
)
_TRACEBACK_END = re.compile(r"^\w+(\.\w+)*(Error|Exception|Interrupt)\b")


@dataclass(frozen=True)
class LogFinding:
    line: str  # the telling line of the log
    hint: str  # what to do ("" when no hint fits)


def explain_log(text: str, max_lines: int = 400) -> LogFinding | None:
    """The telling line of a failed task's log (its last lines only) and the hint for it; None when
    the log says nothing useful (empty, or only blank lines)."""
    lines = [line.strip() for line in text.splitlines()[-max_lines:] if line.strip()]
    if not lines:
        return None
    for line in reversed(lines):
        for pattern, hint in HINTS:
            if pattern.search(line):
                return LogFinding(line[:300], hint)
    error = next((line for line in reversed(lines) if _TRACEBACK_END.match(line)), lines[-1])
    return LogFinding(error[:300], "")
