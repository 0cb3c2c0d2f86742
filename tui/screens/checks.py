"""The checks screen: an exercise's checks, PASS/FAIL with messages and progressive hints.

The checks run in a thread worker (learner code runs in subprocesses there, with a timeout).
`w` starts a watch worker that polls the code files (tui.checks.watch's snapshot/changed)
and asks for a re-run when one is saved; `w` again, or leaving the screen, cancels it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import DataTable, Static

from tui.checks.result import CheckReport, CheckResult
from tui.screens.base import CourseScreen


@dataclass
class ChecksFinished(Message):
    """The check worker's outcome: a report, or why there is none."""

    report: CheckReport | None
    error: str = ""


@dataclass
class CodeSaved(Message):
    """The watch worker saw these code files change."""

    files: list[str]


def detail_text(check: CheckResult, shown: int) -> Text:
    """One check in full: state, message, the error's last lines, and the first `shown` hints."""
    text = Text()
    state, style = ("PASS", "bold green") if check.passed else ("FAIL", "bold red")
    text.append(f"{state} {check.id}\n", style=style)
    text.append(check.message + "\n")
    if check.details:
        text.append("\n" + check.details + "\n", style="dim")
    for i, hint in enumerate(check.hints[:shown]):
        text.append(f"\nHint {i + 1}/{len(check.hints)}: ", style="bold yellow")
        text.append(hint + "\n")
    left = len(check.hints) - shown
    if left > 0:
        text.append(f"\nh: show {'a' if shown == 0 else 'one more'} hint ({left} left)", style="italic")
    return text


def cut(message: str, width: int) -> str:
    """The message's first line, ending in "…" when it is longer than `width`."""
    line = message.splitlines()[0] if message else ""
    more = len(line) > width or "\n" in message.strip()
    return line[:width - 1] + "…" if more and len(line) >= width else line + ("…" if more else "")


class ChecksScreen(CourseScreen):
    """r re-runs, h reveals one more hint for the selected check, w watches the code files."""

    WATCH_INTERVAL_S = 1.0
    BINDINGS = [
        Binding("h", "hint", "Hint"),
        Binding("r", "rerun", "Re-run"),
        Binding("w", "watch", "Watch"),
        Binding("s", "solution", "Solution"),
    ]

    def __init__(self, exercise_id: str = "01") -> None:
        super().__init__()
        self.exercise_id = exercise_id
        self.report: CheckReport | None = None
        self.hints_shown: dict[str, int] = {}  # kept across re-runs
        self.runs = 0  # finished runs (tests wait on it)
        self.watching = False

    @classmethod
    def from_arg(cls, arg: str | None) -> "ChecksScreen":
        """`checks:01`; an exercise id, number or folder name (KeyError names the valid ones)."""
        from tui.course.catalog import bundled_catalog

        return cls(bundled_catalog().exercise(arg or "01").id)

    @property
    def item(self):
        return self.app.catalog.exercise(self.exercise_id)

    @property
    def folder(self) -> Path:
        return Path(self.app.settings.workspace) / self.item.dir

    def compose_body(self) -> ComposeResult:
        yield Static(id="checks-title")
        yield DataTable(id="checks-table", cursor_type="row", zebra_stripes=True)
        with VerticalScroll(id="checks-detail"):
            yield Static(id="checks-detail-text")
        yield Static(id="checks-status")

    def on_mount(self) -> None:
        table = self.query_one("#checks-table", DataTable)
        table.add_column("", key="state")
        table.add_column("check", key="id")
        table.add_column("message", key="message")
        self._set_title()
        self.action_rerun()

    def _set_title(self) -> None:
        item, report = self.item, self.report
        score = f" · {sum(c.passed for c in report.checks)}/{len(report.checks)} pass" if report else ""
        self.query_one("#checks-title", Static).update(f"Exercise {item.id}: {item.title}{score}")

    def _status(self, text: str) -> None:
        watch = "  │  watching " + ", ".join(self._code_files()) if self.watching else ""
        self.query_one("#checks-status", Static).update(text + watch)

    def _code_files(self) -> list[str]:
        from tui.checks.runner import check_module

        try:
            return list(check_module(self.item.id).CODE_FILES)
        except KeyError:
            return []

    @work(thread=True, exclusive=True, exit_on_error=False, group="checks")
    def _run_checks(self) -> None:
        from textual.worker import get_current_worker

        from tui.checks.runner import run_checks

        try:
            report, error = run_checks(self.item.id, path=self.folder), ""
        except Exception as exc:  # NoChecks, an unreadable reference, ...: shown, never a crash
            report, error = None, exc.args[0] if isinstance(exc, KeyError) and exc.args else str(exc)
        if not get_current_worker().is_cancelled:
            self.post_message(ChecksFinished(report, error))

    @on(ChecksFinished)
    def _finished(self, message: ChecksFinished) -> None:
        self.runs += 1
        self.report = message.report
        table = self.query_one("#checks-table", DataTable)
        table.loading = False
        if message.report is None:
            self._status(f"cannot run the checks: {message.error}")
            return
        self._fill()
        self._set_title()
        self._show_detail()
        self._report_done(message.report)
        if not self.app.progress.read_only:  # an export only looks
            self._publish(message.report)

    @work(thread=True, exit_on_error=False, group="publish")
    def _publish(self, report: CheckReport) -> None:
        """The learner's summary to the class folder, when one is set (tui.classroom; off the UI thread)."""
        from tui.classroom.publish import after_check

        note = after_check(self.app.settings, report)
        if note:
            self.app.call_from_thread(self.notify, note, severity="warning")

    def _fill(self) -> None:
        """One row per check; a message too long for the row ends in "…" (the pane below has it whole)."""
        table = self.query_one("#checks-table", DataTable)
        if self.report is None:
            return
        row = table.cursor_row
        table.clear()
        width = self._message_width(self.report.checks)
        for check in self.report.checks:
            state = Text("PASS", style="bold green") if check.passed else Text("FAIL", style="bold red")
            table.add_row(state, check.id, cut(check.message, width), key=check.id)
        table.move_cursor(row=min(row, table.row_count - 1))

    def _message_width(self, checks: list[CheckResult]) -> int:
        # the screen's width (the table's own is that of its columns) less the state and id columns,
        # a cell padding of 1 on each side of the three columns, and the vertical scroll bar (2)
        ids = max((len(c.id) for c in checks), default=5)
        return max(12, self.size.width - 4 - ids - 6 - 2)

    def on_resize(self) -> None:
        self.call_after_refresh(self._fill)  # the message column follows the terminal's width

    def _report_done(self, report: CheckReport) -> None:
        self.query_one("#checks-status", Static).set_class(report.passed, "done")
        if not report.passed:
            failed = len(report.failed_ids())
            self._status(f"{failed} check{'s' * (failed != 1)} to go · h: a hint for the selected one, r: re-run")
            return
        self.app.progress.set_completed(self.item.id)
        self._status("✓ Exercise done: every check passes. s: compare with the reference solution")

    @on(DataTable.RowHighlighted, "#checks-table")
    def _show_detail(self) -> None:
        check = self.selected
        if check is not None:
            self.query_one("#checks-detail-text", Static).update(detail_text(check, self.hints_shown.get(check.id, 0)))

    @property
    def selected(self) -> CheckResult | None:
        table = self.query_one("#checks-table", DataTable)
        if self.report is None or not table.row_count:
            return None
        return self.report.checks[min(table.cursor_row, len(self.report.checks) - 1)]

    def action_hint(self) -> None:
        check = self.selected
        if check is None:
            return
        shown = self.hints_shown.get(check.id, 0)
        if shown >= len(check.hints):
            self.notify(f"no more hints for {check.id}", timeout=2)
            return
        self.hints_shown[check.id] = shown + 1
        self._show_detail()
        self.query_one("#checks-detail", VerticalScroll).scroll_end(animate=False)  # the new hint is last

    def action_rerun(self) -> None:
        self.query_one("#checks-table", DataTable).loading = True
        self._status("running the checks…")
        self._run_checks()

    def action_watch(self) -> None:
        self.watching = not self.watching
        if self.watching:
            from tui.checks.watch import snapshot

            names = self._code_files()  # stamps taken now: a save right after `w` counts
            self._watch(names, snapshot(self.folder, names))
        else:
            self.workers.cancel_group(self, "watch")
        self._status("watching: the checks run again when you save a file" if self.watching else "watch off")

    @work(thread=True, exclusive=True, exit_on_error=False, group="watch")
    def _watch(self, names: list[str], stamps: dict) -> None:
        """Poll the code files (tui.checks.watch) until cancelled; post CodeSaved on each change."""
        from textual.worker import get_current_worker

        from tui.checks.watch import changed, snapshot

        worker = get_current_worker()
        while not worker.is_cancelled:
            end = time.monotonic() + self.WATCH_INTERVAL_S
            while time.monotonic() < end and not worker.is_cancelled:
                time.sleep(0.05)  # short naps, so that a cancel ends the loop quickly
            now = snapshot(self.folder, names)
            files = changed(stamps, now)
            stamps = now
            if files and not worker.is_cancelled:
                self.post_message(CodeSaved(files))

    @on(CodeSaved)
    def _code_saved(self, message: CodeSaved) -> None:
        if self.watching:
            self.notify(f"{', '.join(message.files)} changed: checking again", timeout=2)
            self.action_rerun()

    def action_solution(self) -> None:
        if self.report is None or not self.report.passed:
            self.notify("The reference solution opens once every check passes.", severity="information")
            return
        self.app.open_screen(f"solution-diff:{self.item.id}")

    def action_back(self) -> None:
        self.workers.cancel_group(self, "watch")
        super().action_back()
