"""What the local runner needs from a job script: its #SBATCH options, read as sbatch reads them.

Uses the job-script parser (`tui.jobscript.parser`) when it is there; the small reader below is
the fallback and covers the options the local runner honours.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass

from tui.cluster.backend import BackendError
from tui.cluster.parse import expand_ranges

SHORT = {"a": "array", "t": "time", "c": "cpus-per-task", "J": "job-name", "o": "output", "e": "error",
         "D": "chdir", "A": "account", "p": "partition", "n": "ntasks", "N": "nodes", "G": "gpus",
         "q": "qos"}


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
    try:
        from tui.jobscript.parser import parse_script
    except ImportError:  # the job-script parser is optional for the runner
        return _fallback_directives(text)
    parsed = parse_script(text)
    errors = [p for p in parsed.problems if p.severity == "error"]
    if errors:
        raise BackendError("sbatch: error: " + "; ".join(f"line {p.line}: {p.message}" for p in errors),
                           "`hptune-tui lint SCRIPT` explains each problem")
    return {name: d.value or "" for name, d in parsed.directives.items()}


def _fallback_directives(text: str) -> dict[str, str]:
    """A small reader of #SBATCH lines; sbatch stops at the first command."""
    options: dict[str, str] = {}
    for line in text.splitlines()[1:]:
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            break
        match = re.match(r"#SBATCH\s+(.*)", stripped)
        if not match:
            continue
        words = shlex.split(match[1], comments=True)
        options.update(_pairs(words))
    return options


def _pairs(words: list[str]) -> dict[str, str]:
    out, i = {}, 0
    while i < len(words):
        word = words[i]
        if word.startswith("--"):
            key, eq, value = word[2:].partition("=")
            if not eq and i + 1 < len(words) and not words[i + 1].startswith("-"):
                value, i = words[i + 1], i + 1
            out[key] = value
        elif word.startswith("-") and len(word) >= 2:
            key, value = SHORT.get(word[1], word[1]), word[2:]
            if not value and i + 1 < len(words):
                value, i = words[i + 1], i + 1
            out[key] = value
        i += 1
    return out


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


def parse_array(value: str) -> tuple[list[int], int]:
    """`0-7%2` -> ([0..7], 2)."""
    spec, _, limit = value.partition("%")
    if limit and not limit.isdigit():
        raise ValueError(f"invalid array limit in {value!r}")
    return expand_ranges(spec), int(limit or 0)


def load_spec(text: str) -> LocalSpec:
    """Read a script's options; BackendError (like sbatch's) when one is invalid."""
    first = text.splitlines()[0] if text else ""
    if not first.startswith("#!"):
        raise BackendError("sbatch: error: This does not look like a batch script.  The first line must "
                           "start with #! followed by the path to an interpreter.",
                           "start the script with a line like `#!/bin/bash`")
    opts = read_directives(text)
    try:
        indices, limit = parse_array(opts["array"]) if opts.get("array") else (None, 0)
        time_limit = parse_time(opts["time"]) if opts.get("time") else None
        cpus = int(opts.get("cpus-per-task") or 1)
    except ValueError as exc:
        raise BackendError(f"sbatch: error: {exc}", "see `hptune-tui lint` for the accepted forms") from exc
    default_out = "slurm-%A_%a.out" if indices is not None else "slurm-%j.out"
    return LocalSpec(name=opts.get("job-name") or "", indices=indices, limit=limit, time_limit_s=time_limit,
                     cpus=max(cpus, 1), output=opts.get("output") or default_out,
                     error=opts.get("error") or "", chdir=opts.get("chdir") or "",
                     interpreter=shlex.split(first[2:]))


_PATTERN = re.compile(r"%(\d*)([xAajuNntsb%])")


def expand_pattern(pattern: str, values: dict[str, str]) -> str:
    """Fill sbatch's filename pattern (`%x %A %a %j %u %N %%`, zero padding like `%3a`)."""
    def fill(match: re.Match) -> str:
        width, key = match.groups()
        if key == "%":
            return "%"
        value = values.get(key, "0")
        return value.zfill(int(width)) if width and value.isdigit() else value
    return _PATTERN.sub(fill, pattern)
