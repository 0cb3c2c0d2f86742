"""Split a Markdown document into steps at its level-2 headings."""

from __future__ import annotations

import re
from dataclasses import dataclass

_HEADING = re.compile(r"^## +(.+?)\s*#*\s*$")
_FENCE = re.compile(r"^(```|~~~)")


@dataclass(frozen=True)
class Step:
    """One step of a lesson or exercise: a `## ` section of its Markdown."""

    id: str
    title: str
    markdown: str


def slugify(text: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug or "step"


def split_steps(markdown: str) -> tuple[str, list[Step]]:
    """Return the document title (its `# ` heading) and its steps.

    Text before the first `## ` heading becomes an "Introduction" step when it holds more
    than the title. Headings inside fenced code blocks are ignored.
    """
    title = ""
    sections: list[tuple[str, list[str]]] = [("Introduction", [])]
    in_fence = False
    for line in markdown.splitlines():
        if _FENCE.match(line):
            in_fence = not in_fence
        match = None if in_fence else _HEADING.match(line)
        if match:
            sections.append((match.group(1), [f"## {match.group(1)}"]))
        elif not in_fence and not title and line.startswith("# "):
            title = line[2:].strip()
        else:
            sections[-1][1].append(line)
    steps: list[Step] = []
    seen: set[str] = set()
    for heading, lines in sections:
        body = "\n".join(lines).strip()
        if not body:
            continue
        sid = slugify(heading)
        while sid in seen:
            sid += "-2"
        seen.add(sid)
        steps.append(Step(sid, heading, body + "\n"))
    return title, steps
