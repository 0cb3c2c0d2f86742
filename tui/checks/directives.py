"""Read a job script's #SBATCH directives the way sbatch does, for the script.* checks.

sbatch reads `#SBATCH` lines only up to the first command; later ones are comments to it.
The reading is the job-script parser's (`tui.jobscript.parser.parse_script`), the one reader
that `lint`, the form and the runners use too; this module only shapes its result for the checks.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tui.jobscript.parser import parse_script


@dataclass
class Directives:
    """The options sbatch would read (long names, last one wins) and the lines it would ignore."""

    options: dict[str, str] = field(default_factory=dict)
    ignored: list[tuple[int, str]] = field(default_factory=list)  # (line number, text)

    def get(self, name: str) -> str | None:
        return self.options.get(name)


def read_directives(text: str) -> Directives:
    """Parse the #SBATCH directives of a script (only those before the first command count)."""
    parsed = parse_script(text)
    options = {name: d.value if d.value is not None else "" for name, d in parsed.directives.items()}
    return Directives(options, list(parsed.ignored))
