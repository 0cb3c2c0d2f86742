"""Read a batch script's `#SBATCH` directives exactly as sbatch does.

sbatch reads lines that start with `#SBATCH` (or the old `#SLURM`) from the top of the
script until the first line that is neither blank nor a comment; every `#SBATCH` line after
that is a plain comment to it. All words of all directive lines then go through getopt_long
as one command line. `parse_script(text)` does the same and keeps line numbers, so that the
linter, the exercise checks and the local runner all agree with sbatch.

Result type (`ParsedScript`):
    directives   {long option: Directive}, the value sbatch uses (the last one given)
    occurrences  [Directive], every directive sbatch reads, in order
    ignored      [(line, text)], `#SBATCH` lines after the first command (sbatch skips them)
    problems     [ScriptProblem(id, severity, line, message)], what sbatch refuses or skips
    body, body_line   the script from the first command on, and that line's number (0: none)
A Directive has option ("job-name"), value (str, or None for a flag), line (1-based) and
written (the option as written, e.g. "-J" or "--job").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from tui.jobscript.options import SHORT, OptionError, lookup_long
from tui.jobscript.textcheck import HETJOB_WORDS
from tui.jobscript.tokens import C_SPACE, TokenError, split_directive

MAGIC = ("#SBATCH", "#SLURM")
# A comment that looks meant as a directive but is not one: "# SBATCH --x", "#sbatch -x", "  #SBATCH --x".
# Requiring an option after it keeps prose such as "# sbatch reads these lines" out.
_NEAR_MISS = re.compile(r"\s*#\s*sbatch\s*-", re.IGNORECASE)


@dataclass(frozen=True)
class Directive:
    option: str
    value: str | None
    line: int
    written: str


@dataclass(frozen=True)
class ScriptProblem:
    id: str
    severity: str  # "error" (sbatch refuses the script) or "warning" (it silently does something else)
    line: int
    message: str


@dataclass
class ParsedScript:
    directives: dict[str, Directive] = field(default_factory=dict)
    occurrences: list[Directive] = field(default_factory=list)
    ignored: list[tuple[int, str]] = field(default_factory=list)
    problems: list[ScriptProblem] = field(default_factory=list)
    body: str = ""
    body_line: int = 0

    def value(self, option: str, default: str | None = None) -> str | None:
        """The value sbatch uses for the long option `option`, or `default`."""
        found = self.directives.get(option)
        return default if found is None or found.value is None else found.value


def parse_script(text: str) -> ParsedScript:
    """Parse the `#SBATCH` directives of the script `text` as sbatch would."""
    result = ParsedScript()
    lines = text.split("\n")
    words: list[tuple[str, int]] = []
    for number, line in enumerate(lines, start=1):
        if line.startswith(MAGIC):
            if _read_directive_line(line, number, words, result):
                continue
            break  # a heterogeneous-job separator: the rest belongs to other components
        if _is_command(line):
            result.body_line = number
            result.body = "\n".join(lines[number - 1:])
            _note_ignored(lines, number, result)
            break
        if _NEAR_MISS.match(line):
            result.problems.append(ScriptProblem(
                "spaced-directive", "warning", number,
                f"{line.strip()!r} is only a comment: a directive starts with exactly '#SBATCH' at the "
                "very start of the line"))
    _getopt(words, result)
    return result


def _is_command(line: str) -> bool:
    stripped = line.lstrip(C_SPACE)
    return bool(stripped) and not stripped.startswith("#")


def _read_directive_line(line: str, number: int, words: list, result: ParsedScript) -> bool:
    magic = "#SBATCH" if line.startswith("#SBATCH") else "#SLURM"
    if magic == "#SLURM":
        result.problems.append(ScriptProblem("slurm-prefix", "warning", number,
                                             "sbatch reads #SLURM lines but complains; write #SBATCH"))
    # A line whose first word is hetjob (or the older packjob) separates heterogeneous job
    # components (Slurm 22.05 checked; versions before 20.02 split on the word anywhere).
    first = line[len(magic):].lstrip(C_SPACE).split(maxsplit=1)
    if first and first[0].lower() in HETJOB_WORDS:
        result.problems.append(ScriptProblem(
            "hetjob-separator", "warning", number,
            "'hetjob' starts a heterogeneous job component here: the directives from here on do not "
            "apply to the first component"))
        return False
    try:
        words.extend((word, number) for word in split_directive(line[len(magic):]))
    except TokenError as exc:
        result.problems.append(ScriptProblem("bad-directive-line", "error", number, str(exc)))
    return True


def _note_ignored(lines: list[str], first_command: int, result: ParsedScript) -> None:
    for number in range(first_command + 1, len(lines) + 1):
        if lines[number - 1].startswith("#SBATCH"):
            result.ignored.append((number, lines[number - 1]))


def _getopt(words: list[tuple[str, int]], result: ParsedScript) -> None:
    """Walk the words as getopt_long does, recording directives and refusals."""
    index = 0
    while index < len(words):
        word, number = words[index]
        try:
            if word == "--":
                index += 1
                continue
            if word.startswith("--"):
                index = _long_option(words, index, result)
            elif word.startswith("-") and len(word) > 1:
                index = _short_options(words, index, result)
            else:
                result.problems.append(ScriptProblem(
                    "not-an-option", "error", number,
                    f"{word!r} is not an option; sbatch stops with 'Invalid directive found in batch script'"))
                index += 1
        except OptionError as exc:
            result.problems.append(ScriptProblem(exc.args[1], "error", number, exc.args[0]))
            index += 1


def _take_value(words, index: int, written: str) -> tuple[str, int]:
    if index + 1 >= len(words):
        raise OptionError(f"{written} needs a value", "missing-value")
    return words[index + 1][0], index + 2


def _long_option(words, index: int, result: ParsedScript) -> int:
    word, number = words[index]
    name, has_value, value = word[2:].partition("=")
    try:
        option = lookup_long(name)
    except OptionError as exc:
        kind = "ambiguous-option" if "ambiguous" in str(exc) else "unknown-option"
        raise OptionError(str(exc), kind) from None
    written = "--" + name
    if option.arg == "-" and has_value:
        raise OptionError(f"{written} takes no value (got {value!r})", "unexpected-value")
    if option.arg == "=" and not has_value:
        value, index = _take_value(words, index, written)
    else:
        index += 1
    _record(result, option.name, value if has_value or option.arg == "=" else None, number, written)
    return index


def _short_options(words, index: int, result: ParsedScript) -> int:
    word, number = words[index]
    for pos in range(1, len(word)):
        option = SHORT.get(word[pos])
        if option is None:
            raise OptionError(f"-{word[pos]} is not an sbatch option", "unknown-option")
        rest = word[pos + 1:]
        if option.arg == "-":
            _record(result, option.name, None, number, "-" + word[pos])
            continue
        if rest or option.arg == "?":
            _record(result, option.name, rest or None, number, "-" + word[pos])
            return index + 1
        value, index = _take_value(words, index, "-" + word[pos])
        _record(result, option.name, value, number, "-" + word[pos])
        return index
    return index + 1


def _record(result: ParsedScript, option: str, value: str | None, line: int, written: str) -> None:
    directive = Directive(option, value, line, written)
    result.occurrences.append(directive)
    result.directives[option] = directive
