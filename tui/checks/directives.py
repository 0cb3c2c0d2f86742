"""Read a job script's #SBATCH directives the way sbatch does, for the script.* checks.

sbatch reads `#SBATCH` lines only up to the first command; later ones are comments to it.
When the job-script package's parser (`tui.jobscript.parser.parse_script`) is present it is
preferred; this small reader is the fallback, so the checks work while that one evolves.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass, field

SHORT = {"a": "array", "t": "time", "o": "output", "e": "error", "J": "job-name", "c": "cpus-per-task",
         "n": "ntasks", "N": "nodes", "p": "partition", "A": "account", "G": "gpus", "D": "chdir"}


@dataclass
class Directives:
    """The options sbatch would read (long names, last one wins) and the lines it would ignore."""

    options: dict[str, str] = field(default_factory=dict)
    ignored: list[tuple[int, str]] = field(default_factory=list)  # (line number, text)

    def get(self, name: str) -> str | None:
        return self.options.get(name)


def _tokens(rest: str) -> list[str]:
    try:
        return shlex.split(rest, comments=True)
    except ValueError:  # an unbalanced quote: sbatch would choke too; take it word by word
        return rest.split()


def _options(tokens: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        nxt = tokens[i + 1] if i + 1 < len(tokens) else ""
        if tok.startswith("--"):
            name, eq, value = tok[2:].partition("=")
            if not eq and nxt and not nxt.startswith("-"):
                value, i = nxt, i + 1
            out[name] = value
        elif tok.startswith("-") and len(tok) >= 2:
            name = SHORT.get(tok[1], tok[1])
            value = tok[2:].lstrip("=")
            if not value and nxt and not nxt.startswith("-"):
                value, i = nxt, i + 1
            out[name] = value
        i += 1
    return out


def read_directives(text: str) -> Directives:
    """Parse the #SBATCH directives of a script (only those before the first command count)."""
    try:
        from tui.jobscript.parser import parse_script
    except ImportError:
        return _read_fallback(text)
    parsed = parse_script(text)
    options = {name: d.value if d.value is not None else "" for name, d in parsed.directives.items()}
    return Directives(options, list(parsed.ignored))


def _read_fallback(text: str) -> Directives:
    result = Directives()
    in_header = True
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if stripped.startswith("#SBATCH"):
            if in_header:
                result.options.update(_options(_tokens(stripped[len("#SBATCH"):])))
            else:
                result.ignored.append((number, stripped))
        elif stripped and not stripped.startswith("#"):
            in_header = False
    return result
