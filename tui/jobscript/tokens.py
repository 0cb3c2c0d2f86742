"""sbatch's own reader of one `#SBATCH` line: words, quotes, backslashes and comments.

It is not a shell. Words split at C whitespace; '...' and "..." group (and the quote marks
go); a backslash escapes the next character everywhere, even inside single quotes; an
unquoted # ends the line; a word that comes out empty ends the line too (sbatch stops
there). This module repeats those rules exactly, so what we read is what sbatch reads.
"""

from __future__ import annotations

C_SPACE = " \t\n\v\f\r"


class TokenError(ValueError):
    """A line sbatch refuses outright (it stops with a fatal error)."""


def split_directive(rest: str) -> list[str]:
    """The words sbatch reads from the text after `#SBATCH`.

    Raises:
        TokenError: an unmatched quote, or a word that starts with ':' (both fatal in sbatch).
    """
    words, pos = [], 0
    while True:
        word, pos = _next_word(rest, pos)
        if word is None:
            return words
        words.append(word)


def _next_word(text: str, pos: int) -> tuple[str | None, int]:
    while pos < len(text) and text[pos] in C_SPACE:
        pos += 1
    if pos < len(text) and text[pos] == ":":
        raise TokenError("sbatch stops at a word that starts with ':'")
    chars: list[str] = []
    quote, escaped = "", False
    while pos < len(text) and (quote or text[pos] not in C_SPACE):
        char = text[pos]
        pos += 1
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
            continue
        elif quote:
            if char == quote:
                quote = ""
                continue
        elif char in "\"'":
            quote = char
            continue
        elif char == "#":
            pos -= 1  # the comment runs to the end of the line
            break
        chars.append(char)
    if quote:
        raise TokenError(f"unmatched {quote} (sbatch stops with 'Unmatched `{quote}`')")
    return ("".join(chars) if chars else None), pos
