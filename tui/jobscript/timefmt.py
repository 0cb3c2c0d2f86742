"""sbatch time limits: parse every format sbatch accepts and say the result in words.

sbatch reads `--time` as minutes, minutes:seconds, hours:minutes:seconds, days-hours,
days-hours:minutes or days-hours:minutes:seconds; `0`, `-1`, `UNLIMITED` and `INFINITE` mean
no limit. The trap this module exists for: `10:00` is ten *minutes*, not ten hours.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Groups: days, then one to three colon-separated numbers.
_WITH_DAYS = re.compile(r"([0-9]+)-([0-9]+)(?::([0-9]+))?(?::([0-9]+))?")
_NO_DAYS = re.compile(r"([0-9]+)(?::([0-9]+))?(?::([0-9]+))?")
UNLIMITED_WORDS = ("UNLIMITED", "INFINITE", "-1")

FORMATS_HELP = "MM, MM:SS, HH:MM:SS, D-HH, D-HH:MM or D-HH:MM:SS (for example 30, 1:30:00 or 2-00:00:00)"


class TimeFormatError(ValueError):
    """A time limit sbatch would refuse; the message says which formats exist."""


@dataclass(frozen=True)
class TimeLimit:
    """A parsed time limit: `seconds` is None when there is no limit."""

    text: str
    seconds: int | None
    form: str  # which sbatch format matched, e.g. "MM:SS" or "D-HH:MM:SS"
    out_of_range: str = ""  # e.g. "75 minutes in the minutes field"; sbatch accepts it but it is likely a slip

    @property
    def words(self) -> str:
        return describe_seconds(self.seconds)


def parse_time(text: str) -> TimeLimit:
    """Parse an sbatch `--time` value.

    Args:
        text: the value as written, e.g. "10:00" or "1-12".

    Returns:
        The TimeLimit (seconds None for no limit).

    Raises:
        TimeFormatError: when sbatch would refuse the value.
    """
    if len(text) > 32:
        raise TimeFormatError(f"the time limit is {len(text)} characters long; use {FORMATS_HELP}")
    if text.upper() in UNLIMITED_WORDS:
        return TimeLimit(text, None, "UNLIMITED")
    match = _WITH_DAYS.fullmatch(text)
    if match:
        return _from_days(text, match)
    match = _NO_DAYS.fullmatch(text)
    if match:
        return _from_plain(text, match)
    if not text:
        raise TimeFormatError(f"the time limit is empty; use {FORMATS_HELP}")
    raise TimeFormatError(f"{text!r} is not a time limit sbatch understands; use {FORMATS_HELP}")


def _from_plain(text: str, match: re.Match) -> TimeLimit:
    parts = [int(p) for p in match.groups() if p is not None]
    if len(parts) == 1:  # minutes
        seconds, form, slip = parts[0] * 60, "MM", ""
    elif len(parts) == 2:  # minutes:seconds
        seconds, form = parts[0] * 60 + parts[1], "MM:SS"
        slip = _range(parts[1], 60, "seconds")
    else:  # hours:minutes:seconds
        seconds, form = parts[0] * 3600 + parts[1] * 60 + parts[2], "HH:MM:SS"
        slip = _range(parts[1], 60, "minutes") or _range(parts[2], 60, "seconds")
    return TimeLimit(text, None if seconds == 0 else seconds, form, slip)


def _from_days(text: str, match: re.Match) -> TimeLimit:
    days, hours = int(match.group(1)), int(match.group(2))
    minutes, secs = (int(g) if g is not None else 0 for g in match.groups()[2:])
    form = "D-HH" + ":MM" * (match.group(3) is not None) + ":SS" * (match.group(4) is not None)
    slip = _range(hours, 24, "hours") or _range(minutes, 60, "minutes") or _range(secs, 60, "seconds")
    seconds = ((days * 24 + hours) * 60 + minutes) * 60 + secs
    return TimeLimit(text, None if seconds == 0 else seconds, form, slip)


def _range(value: int, limit: int, unit: str) -> str:
    return f"{value} in the {unit} field (expected below {limit})" if value >= limit else ""


def describe_seconds(seconds: int | None) -> str:
    """Say a duration in words: 600 -> "10 minutes", 90061 -> "1 day 1 hour 1 minute 1 second"."""
    if seconds is None:
        return "no time limit"
    parts = []
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60), ("second", 1)):
        count, seconds = divmod(seconds, size)
        if count:
            parts.append(f"{count} {unit}{'s' if count != 1 else ''}")
    return " ".join(parts) or "0 seconds"


def time_in_words(text: str) -> str:
    """The time limit `text` in words, or the reason it is not one."""
    try:
        return parse_time(text).words
    except TimeFormatError as exc:
        return str(exc)
