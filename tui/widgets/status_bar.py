"""One line at the bottom: which backend jobs go to, and which workspace is open."""

from __future__ import annotations

from textual.widgets import Static


class StatusBar(Static):
    DEFAULT_CSS = """
    StatusBar { height: 1; background: $panel; color: $text-muted; padding: 0 1; }
    """

    def __init__(self, backend: str, workspace: str) -> None:
        super().__init__(id="status-bar")
        self.backend = backend
        self.workspace = workspace

    def render(self) -> str:
        return f"jobs: {self.backend}  │  workspace: {self.workspace}"
