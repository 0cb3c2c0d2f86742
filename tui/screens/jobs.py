"""The learner's jobs: one row per job, the selected array as a grid of task states, the selected
task's details and its log followed live.

The jobs and their states come from the app's one job service (tui.services.jobs): each tick runs
in an exclusive thread worker that re-reads the jobs to show (a job submitted from the command
line appears by itself) and polls once; the handler of its message owns the widgets and arms the
next tick, whatever the tick brought (a failure shows as stale states, never as silence).
Nothing polls while this screen is not shown. `c` cancels the selected task and `C` the whole
job, after a confirmation.
"""

from __future__ import annotations

import os
import time

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widgets import DataTable, Static

from tui.cluster.backend import TaskState
from tui.screens.base import CourseScreen
from tui.widgets.log_tail import LogTail
from tui.widgets.task_grid import TaskGrid, summary

DEMO_STATES = ["COMPLETED"] * 5 + ["FAILED", "RUNNING", "RUNNING"] + ["PENDING"] * 12


class JobsUpdated(Message):
    """A tick's result for the UI thread: the jobs to show and a copy of the poller's snapshot."""

    def __init__(self, jobs, snapshot) -> None:
        super().__init__()
        self.jobs, self.snapshot = jobs, snapshot


class Cancelled(Message):
    """A cancel's outcome: `error` is "" when the backend accepted it."""

    def __init__(self, target: str, error: str) -> None:
        super().__init__()
        self.target, self.error = target, error


def demo_tasks() -> dict[str, TaskState]:
    """A fixed set of jobs for `export jobs:demo` (slides, snapshots)."""
    tasks = {f"4263_{i}": TaskState(f"4263_{i}", "4263", str(i), "random-search", s, time_limit="10:00",
                                    exit_code="1:0" if s == "FAILED" else "", elapsed="2:31" if s != "PENDING" else
                                    "0:00", reason="JobArrayTaskLimit" if s == "PENDING" else "")
             for i, s in enumerate(DEMO_STATES)}
    tasks["4242"] = TaskState("4242", name="optuna-worker", state="PENDING", reason="Priority", time_limit="30:00",
                              start_time="2026-11-28T09:30:00")
    return tasks


def stale_line(error: str, as_of: float) -> str:
    """The stale notice: the wall-clock time of the last good answer (`as_of`, from time.time())."""
    since = time.strftime("%H:%M:%S", time.localtime(as_of)) if as_of else "never"
    return f"the scheduler is not answering; states as of {since} (retrying): {error}"


def local_note(cores: int | None = None) -> str:
    """Why a local array runs fewer tasks at once than it asks for: the runner's limit is the cores."""
    cores = cores or os.cpu_count() or 1
    return f"local runner: at most {cores} task{'s' * (cores != 1)} at once on this machine's {cores} cores"


class JobsScreen(CourseScreen):
    """Watch, inspect and cancel the jobs submitted from this workspace."""

    BACK_KEYS = "escape"
    BINDINGS = [
        Binding("r", "refresh", "Refresh"),
        Binding("c", "cancel_task", "Cancel task"),
        Binding("C", "cancel_job", "Cancel job"),
    ]

    def __init__(self, demo: bool = False) -> None:
        super().__init__()
        self.demo = demo
        self.service = None
        self.jobs = None  # tui.workflows.jobs.JobList of the last tick
        self.tasks: dict[str, TaskState] = {}
        self.job: str | None = None
        self.task_id: str | None = None
        self.finding = ""  # the selected failed task's telling log line and hint
        self._timer = None
        self._held = False  # polling waits for the learner (an unknown host key) until `r`

    @classmethod
    def from_arg(cls, arg: str | None) -> "JobsScreen":
        """`export jobs` (the workspace's jobs) or `export jobs:demo` (fixed sample jobs)."""
        return cls(demo=arg == "demo")

    def compose_body(self) -> ComposeResult:
        yield Static("", id="jobs-status")
        table = DataTable(id="jobs-table", cursor_type="row", zebra_stripes=False)
        table.add_column("job")
        table.add_column("name", width=20)  # a fixed width: refills after clear() kept it at the label's
        table.add_columns("tasks", "elapsed", "limit")
        yield table
        yield TaskGrid(id="jobs-grid")
        yield Static("", id="jobs-detail")
        yield LogTail(id="jobs-log")

    def on_mount(self) -> None:
        if self.demo:
            self._show(demo_tasks(), "", 0.0)
            self._status("demo jobs (not from a scheduler)")
            self.query_one("#jobs-log", LogTail).write_line("the selected task's log is followed here")
            return
        self.service = self.app.job_service  # made here, on the UI thread, once for the app
        self._status("asking the scheduler ...")
        self._tick()

    # -- polling ---------------------------------------------------------------------------
    @work(thread=True, exclusive=True, group="jobs-poll", exit_on_error=False)
    def _tick(self) -> None:
        """Re-read the jobs to show, poll once, post the result; never raises."""
        from textual.worker import get_current_worker

        from tui.cluster.poller import describe_failure

        try:
            jobs = self.service.refresh(self)
        except Exception as exc:  # noqa: BLE001 - e.g. an unreadable run folder: shown, and ticks go on
            jobs, snap = self.service.jobs, self.service.poller.snapshot.copy()
            snap.stale, snap.error, snap.failure = True, describe_failure(exc), exc
        else:
            snap = self.service.tick()
        if not get_current_worker().is_cancelled:
            self.post_message(JobsUpdated(jobs, snap))

    def _arm(self) -> None:
        """The next tick, always: after a failure too, and while every job has finished (a new
        submission must show); the poller's interval backs off while nothing changes."""
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(self.service.interval, self._tick)

    def on_screen_suspend(self) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        if self.service is not None:
            self.service.unwatch(self)

    def on_screen_resume(self) -> None:
        if self.service is not None and self._timer is None and not self._held:
            self._tick()

    def on_unmount(self) -> None:
        self.on_screen_suspend()

    @on(JobsUpdated)
    def _updated(self, event: JobsUpdated) -> None:
        from tui.cluster.ssh_target import UnknownHostKey

        self.jobs, snap = event.jobs, event.snapshot
        wanted = set(self.jobs.ids())
        tasks = {k: t for k, t in snap.tasks.items() if (t.array_job_id or t.job_id) in wanted or k in wanted}
        self._show(tasks, snap.error if snap.stale else "", snap.as_of, stale=snap.stale)
        if isinstance(snap.failure, UnknownHostKey):
            self._held = True
            self._ask_host_key(snap.failure)  # polling waits for the learner's answer
            return
        self._arm()

    def _ask_host_key(self, failure) -> None:
        """Show the unknown host's fingerprint; only a yes adds it to known_hosts."""
        from tui.cluster.ssh_target import add_known_host
        from tui.dialogs.confirm import ConfirmDialog

        def answered(yes: bool | None) -> None:
            if yes:
                add_known_host(failure.known_hosts, failure.hostname, failure.port, failure.key)
                self.action_refresh()
            else:
                self._status("host key not accepted: not connected (r tries again)")

        body = (f"{failure.key.get_name()} key fingerprint:\n{failure.fingerprint}\n\n"
                f"Compare it with your cluster's documentation. Accepting adds it to {failure.known_hosts}.")
        self.app.push_screen(ConfirmDialog(f"Unknown host {failure.hostname}:{failure.port}", body,
                                           yes="Accept key", no="Reject"), answered)

    # -- showing ---------------------------------------------------------------------------
    def _status(self, text: str) -> None:
        self.query_one("#jobs-status", Static).update(text)

    def _show(self, tasks: dict[str, TaskState], error: str, as_of: float, stale: bool = False) -> None:
        self.tasks = tasks
        jobs = self._jobs()
        if stale:
            self._status(stale_line(error, as_of))
        else:
            self._status(f"{len(jobs)} jobs, {len(tasks)} tasks; r refresh, c/C cancel task/job"
                         if jobs else "no jobs yet: submit a script (hptune-tui submit SCRIPT or the script form)")
        self._fill_table(jobs)
        self._show_job()

    def _jobs(self) -> dict[str, list[TaskState]]:
        jobs: dict[str, list[TaskState]] = {}
        for task in self.tasks.values():
            jobs.setdefault(task.array_job_id or task.job_id, []).append(task)
        return jobs

    def _fill_table(self, jobs: dict[str, list[TaskState]]) -> None:
        table = self.query_one("#jobs-table", DataTable)
        table.clear()
        for job_id, tasks in sorted(jobs.items(), key=lambda kv: _newest_first(kv[0])):
            first = tasks[0]
            longest = max((t.elapsed for t in tasks), key=lambda e: (len(e), e), default="")
            table.add_row(job_id, first.name[:20], summary([t.state for t in tasks]), longest or "-",
                          first.time_limit or "-", key=job_id)
        if self.job not in jobs:
            self.job = next(iter(sorted(jobs, key=_newest_first)), None)
        if self.job is not None:
            table.move_cursor(row=table.get_row_index(self.job))

    @on(DataTable.RowHighlighted, "#jobs-table")
    def _row(self, event: DataTable.RowHighlighted) -> None:
        if event.row_key is not None and event.row_key.value != self.job:
            self.job = event.row_key.value
            self.task_id = None
            self._show_job()

    def _show_job(self) -> None:
        tasks = sorted(self._jobs().get(self.job, []), key=_index)
        grid = self.query_one("#jobs-grid", TaskGrid)
        grid.set_tasks([(t.job_id, t.state) for t in tasks], keep=self.task_id)
        self.task_id = grid.selected
        self._show_task()

    @on(TaskGrid.Selected)
    def _task_selected(self, event: TaskGrid.Selected) -> None:
        if event.task_id != self.task_id:
            self.task_id = event.task_id
            self.finding = ""
            self._show_task()

    def _show_task(self) -> None:
        task = self.tasks.get(self.task_id or "")
        log = self.query_one("#jobs-log", LogTail)
        if task is None:
            self.query_one("#jobs-detail", Static).update("")
            log.follow(None, None)
            return
        self._detail(task)
        if self.service is not None:
            from tui.cluster.tracking import output_path

            job = task.array_job_id or task.job_id
            log.follow(self.service.backend_for(job), output_path(task, self.jobs.run_dirs.get(job)),
                       finished=task.finished)

    def _detail(self, task: TaskState) -> None:
        parts = [f"{task.job_id} {task.state}", f"{task.elapsed or '-'} of {task.time_limit or '-'}"]
        if task.exit_code and task.finished:
            parts.append(f"exit {task.exit_code}")
        if task.reason:
            parts.append(task.reason)
        if task.state == "PENDING" and task.start_time:
            parts.append(f"starts {task.start_time.replace('T', ' ')}")
        lines = [" │ ".join(parts)]
        if self.finding and task.finished and task.state != "COMPLETED":
            lines.append(self.finding)
        if self.jobs is not None and self.jobs.where(task.array_job_id or task.job_id).backend == "local" \
                and task.array_task_id:
            lines.append(local_note())
        self.query_one("#jobs-detail", Static).update("\n".join(lines))

    @on(LogTail.Loaded)
    def _log_loaded(self, event: LogTail.Loaded) -> None:
        """A failed task's telling log line and its hint, under the task's state."""
        from tui.cluster.log_hints import explain_log

        task = self.tasks.get(self.task_id or "")
        if task is None or not task.finished or task.state == "COMPLETED":
            return
        found = explain_log("\n".join(self.query_one("#jobs-log", LogTail).lines))
        finding = f"log: {found.line}" + (f" — {found.hint}" if found and found.hint else "") if found else ""
        if finding != self.finding:
            self.finding = finding
            self._detail(task)

    # -- actions ---------------------------------------------------------------------------
    def action_refresh(self) -> None:
        """Ask again now: re-read the jobs, poll, and ask a cancelled two-factor login again."""
        from tui.dialogs.two_factor import app_prompter

        app_prompter(self.app).ask_again()
        if self.service is not None:
            self._held = False
            self.service.poke()
            self._tick()

    def action_cancel_task(self) -> None:
        self._ask_cancel(self.task_id)

    def action_cancel_job(self) -> None:
        self._ask_cancel(self.job)

    def _ask_cancel(self, target: str | None) -> None:
        if target is None or self.service is None:
            self.notify("nothing to cancel", severity="warning")
            return
        from tui.dialogs.confirm import ConfirmDialog

        def answered(yes: bool | None) -> None:
            if yes:
                self._cancel(target)

        self.app.push_screen(ConfirmDialog(f"Cancel {target}?", "The scheduler stops it; this cannot be undone.",
                                           yes="Cancel it", no="Keep it"), answered)

    @work(thread=True, exclusive=True, group="jobs-cancel", exit_on_error=False)
    def _cancel(self, target: str) -> None:
        from tui.workflows.jobs import one_line

        try:
            self.service.cancel(target)
        except Exception as exc:  # noqa: BLE001 - the scheduler's words, shown
            self.post_message(Cancelled(target, one_line(exc)))
            return
        self.post_message(Cancelled(target, ""))

    @on(Cancelled)
    def _cancelled(self, event: Cancelled) -> None:
        if event.error:
            self.notify(event.error, title=f"Cancel {event.target}", severity="error")
            return
        self.notify(f"cancelled {event.target}", title="Cancel")
        self._tick()


def _index(task: TaskState) -> int:
    return int(task.array_task_id) if task.array_task_id.isdigit() else -1


def _newest_first(job_id: str) -> tuple[int, str]:
    """Newest job first: SLURM's numbers, and HyperQueue's hq7 by its number."""
    digits = job_id.removeprefix("hq")
    return (-int(digits) if digits.isdigit() else 0, job_id)
