"""What the local runner needs from a job script: its #SBATCH options, read as sbatch reads them.

The one #SBATCH reader is the job-script parser (`tui.jobscript.parser`); array ids and file
name patterns come from `tui.jobscript.arrays` and `tui.jobscript.patterns`, so the local
runner, `lint`, the form and the checks cannot read a script differently.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass

from tui.cluster.backend import BackendError
from tui.jobscript.arrays import parse_array
from tui.jobscript.parser import parse_script
from tui.jobscript.patterns import expand_pattern

__all__ = ["LocalSpec", "expand_pattern", "load_spec", "parse_time", "read_directives"]


@dataclass
class LocalSpec:
    """The options of one job script that the local runner applies."""

    name: str
    indices: list[int] | None  # None: not an array
    limit: int  # the %N of --array (0: no limit)
    time_limit_s: float | None  # None: no limit
    cpus: int
    output: str
    error: str
    chdir: str
    interpreter: list[str]


def read_directives(text: str) -> dict[str, str]:
    """The #SBATCH options of a script as {long-name: value}, read by the job-script parser.

    Raises:
        BackendError: an option sbatch itself would refuse.
    """
    parsed = parse_script(text)
    errors = [p for p in parsed.problems if p.severity == "error"]
    if errors:
        raise BackendError("sbatch: error: " + "; ".join(f"line {p.line}: {p.message}" for p in errors),
                           "`hptune-tui lint SCRIPT` explains each problem")
    return {name: d.value or "" for name, d in parsed.directives.items()}


def parse_time(value: str) -> float | None:
    """SLURM's time formats (`M`, `M:S`, `H:M:S`, `D-H`, `D-H:M`, `D-H:M:S`) in seconds.

    Unlike SLURM, seconds are honoured exactly (SLURM rounds up to whole minutes), which
    lets short exercises and tests hit a time limit quickly.
    """
    value = value.strip()
    if value.upper() in ("UNLIMITED", "INFINITE", "-1"):
        return None
    days, dash, rest = value.partition("-")
    if not dash:
        days, rest = "0", value
    parts = rest.split(":")
    if not days.isdigit() or not all(p.isdigit() for p in parts) or len(parts) > 3:
        raise ValueError(f"invalid time limit {value!r}")
    nums = [int(p) for p in parts]
    if dash:  # D-H, D-H:M, D-H:M:S
        h, m, s = (nums + [0, 0])[:3]
    else:  # M, M:S, H:M:S
        h, m, s = {1: (0, nums[0], 0), 2: (0, *nums), 3: tuple(nums)}[len(nums)]
    return float(((int(days) * 24 + h) * 60 + m) * 60 + s)


def load_spec(text: str) -> LocalSpec:
    """Read a script's options; BackendError (like sbatch's) when one is invalid."""
    first = text.splitlines()[0] if text else ""
    if not first.startswith("#!"):
        raise BackendError("sbatch: error: This does not look like a batch script.  The first line must "
                           "start with #! followed by the path to an interpreter.",
                           "start the script with a line like `#!/bin/bash`")
    opts = read_directives(text)
    try:
        array = parse_array(opts["array"]) if opts.get("array") else None
        indices, limit = (array.task_ids(), array.limit or 0) if array else (None, 0)
        time_limit = parse_time(opts["time"]) if opts.get("time") else None
        cpus = int(opts.get("cpus-per-task") or 1)
    except ValueError as exc:
        raise BackendError(f"sbatch: error: {exc}", "see `hptune-tui lint` for the accepted forms") from exc
    default_out = "slurm-%A_%a.out" if indices is not None else "slurm-%j.out"
    return LocalSpec(name=opts.get("job-name") or "", indices=indices, limit=limit, time_limit_s=time_limit,
                     cpus=max(cpus, 1), output=opts.get("output") or default_out,
                     error=opts.get("error") or "", chdir=opts.get("chdir") or "",
                     interpreter=shlex.split(first[2:]))

