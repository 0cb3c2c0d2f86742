"""One line on a results screen: what the exercise's jobs cost (tui.results.cost), refreshed slowly.

`CostLine("01")` reads the ledger in a thread worker (one sacct call per backend) on mount and
then every `interval` seconds while its screen is the current one; the next read is armed only
after the last one ended, so reads never overlap. It takes no room until there is a job to cost
(`display: none`), so a screen without jobs looks as it did.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual import on, work
from textual.message import Message
from textual.widgets import Static

MIN_INTERVAL_S = 30.0  # sacct is the scheduler's most expensive question: ask it rarely


@dataclass
class CostRead(Message):
    """Posted by the reader: the line to show ("" for none)."""

    text: str


def cost_text(book, exercise: str) -> str:
    """The line for a ledger: its summary, or the first backend that failed; "" when nothing to cost."""
    if book.errors:
        return f"cost: {book.errors[0]}"
    if not book.jobs:
        return ""
    return book.summary_line(exercise)  # it says what it is: "this tuning used ..."


class CostLine(Static):
    DEFAULT_CSS = """
    CostLine { height: 1; display: none; color: $text-muted; padding: 0 1; }
    CostLine.-shown { display: block; }
    """

    def __init__(self, exercise: str, interval: float | None = None, id: str | None = None) -> None:
        super().__init__("", id=id)
        self.exercise = exercise
        self.interval = interval

    def on_mount(self) -> None:
        settings = self.app.settings
        if "/" in self.exercise or self.exercise.startswith((".", "~")):  # a screen given a folder
            from pathlib import Path

            from tui.results.cost_sources import exercise_of

            self.exercise = exercise_of(Path(self.exercise).expanduser(), settings.workspace)
        if not self.exercise:  # a folder outside the workspace: no tracked jobs of its own to cost
            return
        if self.interval is None:
            self.interval = max(MIN_INTERVAL_S, 3 * float(getattr(settings, "poll_interval", 10.0)))
        self._tick()

    def _tick(self) -> None:
        if not self.screen.is_current:  # nobody looks: ask the scheduler later
            self.set_timer(self.interval, self._tick)
            return
        service = getattr(self.app, "job_service", None)  # its backends hold the ssh connection
        self._read(self.app.settings, getattr(service, "backends", None))

    @work(thread=True, exclusive=True, exit_on_error=False, group="cost-line")
    def _read(self, settings, backends) -> None:
        from tui.results.cost import ledger
        from tui.workflows.jobs import one_line

        try:
            text = cost_text(ledger(settings, exercise=self.exercise, backends=backends), self.exercise)
        except Exception as exc:  # noqa: BLE001 - a line on the screen, never a crash
            text = f"cost: {one_line(exc)}"
        self.post_message(CostRead(text))

    @on(CostRead)
    def _show(self, message: CostRead) -> None:
        message.stop()
        self.update(message.text)
        self.set_class(bool(message.text), "-shown")
        self.set_timer(self.interval, self._tick)
