"""Reading a job script from disk with a bound, and saying what is wrong with its bytes.

sbatch refuses a script over `max_script_size` (SchedulerParameters, 4 MiB by default), so
nothing larger is read: a 50 MB file, /dev/zero or an endless pipe is refused with that reason
after at most 4 MiB, instead of taking the login node's memory. Bytes that are not UTF-8 are
kept as surrogate escapes (U+DC80-U+DCFF), so the linter can name the byte and its line.
"""

from __future__ import annotations

import os
import re
import select
import stat
import time
from pathlib import Path

MAX_SCRIPT_SIZE = 4 * 1024 * 1024  # sbatch's default max_script_size
_CHUNK = 1 << 16
_SAMPLE = 8192  # characters looked at to tell text from binary
_UNDECODABLE = re.compile("[\udc80-\udcff]")


class ScriptReadError(OSError):
    """The script cannot be read as a job script; the message says why, in one line."""


def read_script_bytes(path: Path | str, limit: int = MAX_SCRIPT_SIZE, timeout: float = 10.0) -> bytes:
    """The bytes of the script at `path`, at most `limit` of them.

    Opens without blocking (a FIFO with no writer does not hang) and reads in chunks, so a
    device or a pipe that never ends costs at most `limit` bytes and `timeout` seconds.

    Raises:
        ScriptReadError: over `limit`, a folder, or no data within `timeout` seconds.
        OSError: the file cannot be opened (missing, no permission).
    """
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise ScriptReadError(f"{path} is a folder, not a script")
        if stat.S_ISREG(info.st_mode) and info.st_size > limit:
            raise ScriptReadError(_too_large(f"{path} is over {limit / 2**20:g} MiB ({info.st_size / 2**20:.1f} MiB)"))
        return _read_up_to(fd, path, limit, time.monotonic() + timeout)
    finally:
        os.close(fd)


def _read_up_to(fd: int, path, limit: int, deadline: float) -> bytes:
    chunks, total = [], 0
    while total <= limit:
        try:
            chunk = os.read(fd, min(_CHUNK, limit + 1 - total))
        except BlockingIOError:  # a pipe or terminal with nothing to read yet
            left = deadline - time.monotonic()
            if left <= 0:
                raise ScriptReadError(f"{path} gave no end of file within the time allowed "
                                      "(a pipe or device?); give a script file") from None
            select.select([fd], [], [], left)
            continue
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
        total += len(chunk)
    raise ScriptReadError(_too_large(f"{path} goes on past {limit / 2**20:g} MiB (a device or a pipe?)"))


def _too_large(what: str) -> str:
    return (f"{what}; sbatch refuses scripts larger than its max_script_size "
            f"({MAX_SCRIPT_SIZE // 2**20} MiB by default), so it was not read")


def decode_script(raw: bytes) -> str:
    """The text of a script; bytes that are not UTF-8 become U+DC80-U+DCFF (surrogate escapes)."""
    return raw.decode("utf-8", errors="surrogateescape")


def read_script_text(path: Path | str, limit: int = MAX_SCRIPT_SIZE) -> str:
    """`read_script_bytes` then `decode_script`: what `lint` and submit read."""
    return decode_script(read_script_bytes(path, limit))


def _byte_offset(text: str, index: int) -> int:
    try:
        return len(text[:index].encode("utf-8", "surrogateescape"))
    except UnicodeEncodeError:  # a lone surrogate that no decoder made
        return len(text[:index].encode("utf-8", "surrogatepass"))


def _line_of(text: str, index: int) -> int:
    return text.count("\n", 0, index) + 1


def _is_undecodable(char: str) -> bool:
    return "\udc80" <= char <= "\udcff"


def _is_binary_char(char: str) -> bool:
    return _is_undecodable(char) or (char < " " and char not in "\t\n\r\f\v\b\x1b") or char == "\x7f"


def binary_reason(text: str) -> tuple[int, str] | None:
    """(line, message) when `text` is not a text file at all (NUL bytes, or mostly non-text), else None."""
    nul = text.find("\0")
    if nul >= 0:
        return _line_of(text, nul), (f"not a text file: NUL byte at offset {_byte_offset(text, nul)}; "
                                     "sbatch refuses a script with NUL bytes")
    sample = text[:_SAMPLE]
    bad = sum(map(_is_binary_char, sample))
    if bad >= 2 and bad * 4 > len(sample):
        size = _byte_offset(sample, len(sample))
        return 1, (f"not a text file: {bad} of its first {size} bytes are control characters or not UTF-8; "
                   "give the job script (a text file)")
    return None


def undecodable_byte(text: str) -> tuple[int, str] | None:
    """(line, message) naming the first byte that is not UTF-8, else None."""
    found = _UNDECODABLE.search(text)
    if found is None:
        return None
    index, more = found.start(), len(_UNDECODABLE.findall(text)) - 1
    also = f" (and {more} more such byte{'s' * (more != 1)})" if more else ""
    return _line_of(text, index), (f"byte 0x{ord(text[index]) - 0xDC00:02X} at line {_line_of(text, index)} is not "
                                   f"UTF-8{also}; save the file as UTF-8, or names and paths may not be what you see")
