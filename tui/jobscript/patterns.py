"""Filename patterns of `--output`/`--error` (`%x`, `%A`, `%a`, `%j`, ...): check and expand.

The local runner expands them the way Slurm does, and the linter uses `pattern_letters` to
tell whether every array task gets its own file.
"""

from __future__ import annotations

import re
from typing import Mapping

# Letter -> what sbatch puts in its place (the man page's words, shortened).
PATTERN_LETTERS: dict[str, str] = {
    "A": "the array's master job id",
    "a": "the array task id",
    "b": "the array task id modulo 10",
    "J": "jobid.stepid",
    "j": "the job id (each array task has its own)",
    "N": "the short name of the first node",
    "n": "the node id relative to the job",
    "s": "the step id",
    "t": "the task id (rank)",
    "u": "the user name",
    "x": "the job name",
}
_TOKEN = re.compile(r"%([0-9]*)(.?)", re.DOTALL)


class PatternError(ValueError):
    """An unknown `%` pattern in an output file name."""


def pattern_letters(pattern: str) -> set[str]:
    """The pattern letters used in `pattern` ("%%" is a literal percent sign, not a letter)."""
    return {m.group(2) for m in _TOKEN.finditer(pattern) if m.group(2) in PATTERN_LETTERS}


def check_pattern(pattern: str) -> None:
    """Raise PatternError for a `%` that sbatch would not replace (usually a typo)."""
    for match in _TOKEN.finditer(pattern):
        letter = match.group(2)
        if letter == "%" and not match.group(1):
            continue
        if letter not in PATTERN_LETTERS:
            shown = "%" + match.group(1) + letter
            known = " ".join("%" + key for key in PATTERN_LETTERS)
            raise PatternError(f"{shown!r} is not a file name pattern; known: {known} (write %% for a percent sign)")


def expand_pattern(pattern: str, values: Mapping[str, str | int]) -> str:
    """Replace the patterns in `pattern` with `values` (letter -> value), as Slurm does.

    Numeric values are zero-padded to the width written between `%` and the letter; letters
    missing from `values` stay as written. `%%` becomes `%`.
    """
    def replace(match: re.Match) -> str:
        width, letter = match.group(1), match.group(2)
        if letter == "%" and not width:
            return "%"
        if letter not in values:
            return match.group(0)
        value = values[letter]
        return str(value).zfill(int(width)) if width and str(value).isdigit() else str(value)

    return _TOKEN.sub(replace, pattern)
