"""Two texts compared: a unified diff, or side by side (sdiff marks: | changed, < only left, > only right)."""

from __future__ import annotations

import difflib

from rich.table import Table
from rich.text import Text
from textual.containers import VerticalScroll
from textual.widgets import Static


def unified(left: str, right: str, left_name: str, right_name: str) -> Text:
    """difflib's unified diff, coloured; says so when the texts are the same."""
    lines = list(difflib.unified_diff(left.splitlines(), right.splitlines(), left_name, right_name, lineterm=""))
    if not lines:
        return Text(f"no differences: {left_name} and {right_name} are the same")
    text = Text()
    for line in lines:
        style = ("bold" if line.startswith(("---", "+++")) else "cyan" if line.startswith("@@")
                 else "green" if line.startswith("+") else "red" if line.startswith("-") else "")
        text.append(line + "\n", style=style)
    return text


def side_rows(left: str, right: str) -> list[tuple[str, str, str]]:
    """Aligned (left line, mark, right line) rows; mark is " ", "|", "<" or ">"."""
    a, b = left.splitlines(), right.splitlines()
    rows: list[tuple[str, str, str]] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            rows += [(x, " ", y) for x, y in zip(a[i1:i2], b[j1:j2])]
            continue
        olds, news = a[i1:i2], b[j1:j2]
        for k in range(max(len(olds), len(news))):
            old = olds[k] if k < len(olds) else None
            new = news[k] if k < len(news) else None
            mark = "|" if old is not None and new is not None else "<" if new is None else ">"
            rows.append((old or "", mark, new or ""))
    return rows


def side_by_side(left: str, right: str, left_name: str, right_name: str) -> Table:
    """The two texts in two columns, changed lines marked and coloured."""
    table = Table(box=None, expand=True, padding=(0, 0), show_edge=False)
    table.add_column(left_name, ratio=1, no_wrap=True, overflow="ellipsis", header_style="bold")
    table.add_column("", width=3, no_wrap=True)
    table.add_column(right_name, ratio=1, no_wrap=True, overflow="ellipsis", header_style="bold")
    for old, mark, new in side_rows(left, right):
        changed = mark != " "
        table.add_row(Text(old, style="red" if changed else ""), Text(f" {mark} ", style="bold"),
                      Text(new, style="green" if changed else ""))
    return table


class DiffView(VerticalScroll):
    """A scrollable diff; call `show(left, right, left_name, right_name, side=...)`."""

    DEFAULT_CSS = """
    DiffView { height: 1fr; }
    DiffView > Static { width: 100%; }
    """

    def compose(self):
        yield Static(id="diff-text")

    def show(self, left: str, right: str, left_name: str, right_name: str, side: bool = False) -> None:
        body = side_by_side(left, right, left_name, right_name) if side else unified(left, right, left_name, right_name)
        self.query_one("#diff-text", Static).update(body)
        self.scroll_home(animate=False)
