"""sbatch `--array` specifications: `0-31`, `1,3,5-9`, `0-15:4`, each optionally with `%N`.

The task ids are kept in a bytearray (one byte per possible id), as Slurm keeps a bitmap, so a
large range costs little and duplicates merge the way sbatch merges them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Slurm refuses any MaxArraySize above this, so no valid spec has a task id at or past it.
HARD_MAX_ARRAY_SIZE = 4_000_001
DEFAULT_MAX_ARRAY_SIZE = 1001  # Slurm's default when slurm.conf sets none

_ITEM = re.compile(r"(\d+)(?:-(\d+)(?::(\d+))?)?")
ARRAY_HELP = "a list of ids and ranges such as 0-31, 1,3,5-9 or 0-15:4, optionally with %N (at most N at once)"


class ArrayFormatError(ValueError):
    """An --array value sbatch would refuse, said for a learner."""


@dataclass(frozen=True)
class ArraySpec:
    """A parsed --array value: the task ids, and the concurrency limit (None: no limit)."""

    text: str
    bitmap: bytes
    limit: int | None

    @property
    def count(self) -> int:
        return self.bitmap.count(1)

    @property
    def max_id(self) -> int:
        return self.bitmap.rindex(1)

    def task_ids(self) -> list[int]:
        """The task ids in increasing order."""
        return [i for i, flag in enumerate(self.bitmap) if flag]

    def describe(self) -> str:
        """E.g. "32 tasks (ids 0-31), at most 4 at a time"."""
        ids = self.task_ids()
        span = f"id {ids[0]}" if len(ids) == 1 else f"ids {ids[0]}-{ids[-1]}"
        text = f"{len(ids)} task{'s' if len(ids) != 1 else ''} ({span})"
        return text + (f", at most {self.limit} at a time" if self.limit else ", all may run at once")


def parse_array(text: str, max_array_size: int | None = None) -> ArraySpec:
    """Parse an --array value.

    Args:
        text: the value, e.g. "0-99%10".
        max_array_size: the cluster's MaxArraySize when known (task ids must be below it).

    Raises:
        ArrayFormatError: with a message that says what is wrong and what would work.
    """
    if not text:
        raise ArrayFormatError(f"the array is empty; write {ARRAY_HELP}")
    body, limit = _split_limit(text)
    ceiling = min(max_array_size or HARD_MAX_ARRAY_SIZE, HARD_MAX_ARRAY_SIZE)
    bitmap = bytearray()
    for item in body.split(","):
        for task_id in _expand(item, ceiling, max_array_size):
            if task_id >= len(bitmap):
                bitmap.extend(bytes(task_id + 1 - len(bitmap)))
            bitmap[task_id] = 1
    return ArraySpec(text, bytes(bitmap), limit)


def _split_limit(text: str) -> tuple[str, int | None]:
    body, sep, limit_text = text.partition("%")
    if not sep:
        return body, None
    if not limit_text.isdigit() or not limit_text.isascii():
        raise ArrayFormatError(f"after % comes the number of tasks that may run at once, e.g. 0-99%10; "
                               f"got {limit_text!r}")
    limit = int(limit_text[:12])
    if limit == 0:
        raise ArrayFormatError("%0 would let no task run; use %1 or more")
    return body, limit


def _expand(item: str, ceiling: int, max_array_size: int | None) -> range:
    match = _ITEM.fullmatch(item) if item.isascii() and len(item) < 40 else None
    if not match:
        hint = " (remove the spaces)" if " " in item else ""
        raise ArrayFormatError(f"{item!r} is not a task id or range{hint}; write {ARRAY_HELP}")
    first = int(match.group(1))
    last = int(match.group(2)) if match.group(2) is not None else first
    step = int(match.group(3)) if match.group(3) is not None else 1
    if last < first:
        raise ArrayFormatError(f"range {item!r} runs backwards; write {last}-{first}")
    if step == 0:
        raise ArrayFormatError(f"the step in {item!r} is 0; use :1 or more")
    if last >= ceiling:
        where = f"this cluster's MaxArraySize is {max_array_size}" if max_array_size else \
            f"Slurm never allows ids of {HARD_MAX_ARRAY_SIZE - 1} or more"
        raise ArrayFormatError(f"task id {last} is too large: {where}, so ids must be below {ceiling}")
    return range(first, last + 1, step)
