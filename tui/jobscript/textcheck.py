"""Checks shared by every field: what may never reach a job script.

A newline or NUL in a value could end a `#SBATCH` line and start a command, so every field
refuses control characters. Values on `#SBATCH` lines meet sbatch's own tokenizer, which is
not a shell: it treats a backslash as an escape even inside single quotes, and older versions
split the job at any line that mentions a heterogeneous-job word. Those are refused there too.
"""

from __future__ import annotations

import unicodedata

# Unicode categories that never belong in a one-line value: controls (newline, NUL, ESC...),
# lone surrogates (cannot be written as UTF-8), and line/paragraph separators.
_BAD_CATEGORIES = {"Cc", "Cs", "Zl", "Zp"}
# Words that separate heterogeneous job components (older sbatch: anywhere on a directive line).
HETJOB_WORDS = ("hetjob", "packjob")


def control_problem(value: str) -> str:
    """Return a message if `value` holds a character no field may hold, else ""."""
    for index, char in enumerate(value):
        if "\udc80" <= char <= "\udcff":
            # Python keeps a command-line byte that is not UTF-8 as U+DC80+byte: name the byte.
            return f"has the byte 0x{ord(char) - 0xDC00:02X} at position {index + 1}, which is not UTF-8 text"
        if unicodedata.category(char) in _BAD_CATEGORIES:
            name = _char_name(char)
            return f"contains {name} at position {index + 1}; a value must be one line of text"
    return ""


def directive_problem(value: str) -> str:
    """Return a message if `value` cannot be written safely on an `#SBATCH` line, else ""."""
    problem = control_problem(value)
    if problem:
        return problem
    if "\\" in value:
        return "contains a backslash, which sbatch reads as an escape character; leave it out"
    lowered = value.lower()
    for word in HETJOB_WORDS:
        if word in lowered:
            return f"contains {word!r}, which older sbatch versions read as the start of a heterogeneous job; leave it out"
    return ""


def _char_name(char: str) -> str:
    special = {"\n": "a newline", "\r": "a carriage return", "\t": "a tab", "\0": "a NUL character"}
    if char in special:
        return special[char]
    return f"the control character U+{ord(char):04X}"


def too_long(value: str, limit: int) -> str:
    """A message when `value` is over `limit` characters, else ""."""
    return f"is {len(value)} characters long; at most {limit} are allowed" if len(value) > limit else ""
