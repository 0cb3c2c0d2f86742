"""The learner's jobs: one row per job, the selected array as a grid of task states, the selected
task's details and its log followed live.

Polling goes through the app's single Poller: each tick runs in an exclusive thread worker and
the next one is armed only after it finished; nothing polls while this screen is not shown.
`c` cancels the selected task and `C` the whole job, after a confirmation.
"""

from __future__ import annotations

import time
from pathlib import Path

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from tui.cluster.backend import TaskState
from tui.widgets.log_tail import LogTail
from tui.widgets.task_grid import TaskGrid, summary

DEMO_STATES = ["COMPLETED"] * 5 + ["FAILED", "RUNNING", "RUNNING"] + ["PENDING"] * 12


class JobsUpdated(Message):
    """A poller tick's result, copied for the UI thread."""

    def __init__(self, tasks: dict[str, TaskState], stale: bool, error: str, when: float,
                 failure: Exception | None = None) -> None:
        super().__init__()
        self.tasks, self.stale, self.error, self.when, self.failure = tasks, stale, error, when, failure


def demo_tasks() -> dict[str, TaskState]:
    """A fixed set of jobs for `export jobs:demo` (slides, snapshots)."""
    tasks = {f"4263_{i}": TaskState(f"4263_{i}", "4263", str(i), "random-search", s, time_limit="10:00",
                                    exit_code="1:0" if s == "FAILED" else "", elapsed="2:31" if s != "PENDING" else
                                    "0:00", reason="JobArrayTaskLimit" if s == "PENDING" else "")
             for i, s in enumerate(DEMO_STATES)}
    tasks["4242"] = TaskState("4242", name="optuna-worker", state="PENDING", reason="Priority", time_limit="30:00",
                              start_time="2026-11-28T09:30:00")
    return tasks


def app_poller(app, backend):
    """The app's one Poller (made on first use and kept on the app)."""
    poller = getattr(app, "_hptune_poller", None)
    if poller is None:
        from tui.cluster.poller import Poller

        poller = Poller(backend, interval=app.settings.poll_interval)
        app._hptune_poller = poller
    return poller


class JobsScreen(Screen):
    """Watch, inspect and cancel the jobs submitted from this workspace."""

    CSS_PATH = "jobs.tcss"
    BINDINGS = [
        Binding("r", "refresh", "Refresh"),
        Binding("c", "cancel_task", "Cancel task"),
        Binding("C", "cancel_job", "Cancel job"),
        Binding("escape", "back", "Back"),
    ]

    def __init__(self, demo: bool = False) -> None:
        super().__init__()
        self.demo = demo
        self.backend = None
        self.poller = None
        self.tasks: dict[str, TaskState] = {}
        self.run_dirs: dict[str, Path] = {}
        self.job: str | None = None
        self.task_id: str | None = None
        self._timer = None

    @classmethod
    def from_arg(cls, arg: str | None) -> "JobsScreen":
        """`export jobs` (the workspace's jobs) or `export jobs:demo` (fixed sample jobs)."""
        return cls(demo=arg == "demo")

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="jobs-status")
        table = DataTable(id="jobs-table", cursor_type="row", zebra_stripes=False)
        table.add_columns("job", "name", "tasks", "elapsed", "limit")
        yield table
        yield TaskGrid(id="jobs-grid")
        yield Static("", id="jobs-detail")
        yield LogTail(id="jobs-log")
        yield Footer()

    def on_mount(self) -> None:
        if self.demo:
            self._show(demo_tasks(), False, "", time.time())
            self._status("demo jobs (not from a scheduler)")
            self.query_one("#jobs-log", LogTail).write_line("the selected task's log is followed here")
            return
        self._status("asking the scheduler ...")
        self._start()

    # -- polling ---------------------------------------------------------------------------
    @work(thread=True, exclusive=True, group="jobs-poll", exit_on_error=False)
    def _start(self) -> None:
        """Build the backend and the job list off the UI thread, then tick."""
        from tui.cluster.factory import make_backend
        from tui.cluster.tracking import tracked_jobs
        from tui.dialogs.two_factor import app_prompter

        try:
            backend = make_backend(self.app.settings, interactive=app_prompter(self.app))
        except Exception as exc:  # noqa: BLE001 - shown, never a crash
            self.post_message(JobsUpdated({}, True, str(exc), time.time()))
            return
        from tui.cluster.hyperqueue import with_hyperqueue_jobs

        tracked = tracked_jobs(self.app.settings.workspace)
        # jobs submitted with --backend hyperqueue show here too, whatever the settings' backend
        backend = with_hyperqueue_jobs(backend, self.app.settings.workspace,
                                       [j.job_id for j in tracked if j.backend == "hyperqueue"])
        jobs = [j for j in tracked if j.backend in ("", backend.name, "hyperqueue")]
        self.run_dirs = {j.job_id: j.run_dir for j in jobs}
        ids = list(self.run_dirs) + [i for i in getattr(backend, "job_ids", lambda: [])()[-20:]
                                     if i not in self.run_dirs]
        self.backend = backend
        self.poller = app_poller(self.app, backend)
        self.poller.backend = backend
        self.poller.watch(self, ids)
        self._tick_now()

    def _tick_now(self) -> None:
        if self.poller is None:
            return
        snap = self.poller.tick()
        self.post_message(JobsUpdated(dict(snap.tasks), snap.stale, snap.error, snap.last_ok, snap.failure))

    @work(thread=True, exclusive=True, group="jobs-poll", exit_on_error=False)
    def _tick(self) -> None:
        self._tick_now()

    def _arm(self) -> None:
        if self._timer is not None:
            self._timer.stop()
        if self.poller is not None and self.poller.due():
            self._timer = self.set_timer(self.poller.interval, self._tick)

    def on_screen_suspend(self) -> None:
        if self._timer is not None:
            self._timer.stop()
        if self.poller is not None:
            self.poller.unwatch(self)

    def on_screen_resume(self) -> None:
        if self.poller is not None and not self.demo:
            self._start()

    def on_unmount(self) -> None:
        self.on_screen_suspend()

    @on(JobsUpdated)
    def _updated(self, event: JobsUpdated) -> None:
        self._show(event.tasks, event.stale, event.error, event.when)
        from tui.cluster.ssh_target import UnknownHostKey

        if isinstance(event.failure, UnknownHostKey):
            self._ask_host_key(event.failure)  # polling waits for the learner's answer
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

    def _show(self, tasks: dict[str, TaskState], stale: bool, error: str, when: float) -> None:
        self.tasks = tasks
        jobs = self._jobs()
        if stale:
            since = time.strftime("%H:%M:%S", time.localtime(when)) if when else "never"
            self._status(f"the scheduler is not answering; states as of {since} (retrying): "
                         f"{error.splitlines()[0] if error else ''}")
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
        for job_id, tasks in sorted(jobs.items(), key=lambda kv: -int(kv[0]) if kv[0].isdigit() else 0):
            first = tasks[0]
            longest = max((t.elapsed for t in tasks), key=lambda e: (len(e), e), default="")
            table.add_row(job_id, first.name[:20], summary([t.state for t in tasks]), longest or "-",
                          first.time_limit or "-", key=job_id)
        if self.job not in jobs:
            self.job = next(iter(sorted(jobs, key=lambda j: -int(j) if j.isdigit() else 0)), None)
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
            self._show_task()

    def _show_task(self) -> None:
        task = self.tasks.get(self.task_id or "")
        detail = self.query_one("#jobs-detail", Static)
        if task is None:
            detail.update("")
            self.query_one("#jobs-log", LogTail).follow(None, None)
            return
        parts = [f"{task.job_id} {task.state}", f"{task.elapsed or '-'} of {task.time_limit or '-'}"]
        if task.exit_code and task.finished:
            parts.append(f"exit {task.exit_code}")
        if task.reason:
            parts.append(task.reason)
        if task.state == "PENDING" and task.start_time:
            parts.append(f"starts {task.start_time.replace('T', ' ')}")
        detail.update(" │ ".join(parts))
        if self.backend is not None:
            from tui.cluster.tracking import output_path

            run_dir = self.run_dirs.get(task.array_job_id or task.job_id)
            self.query_one("#jobs-log", LogTail).follow(self.backend, output_path(task, run_dir))

    # -- actions ---------------------------------------------------------------------------
    def action_refresh(self) -> None:
        from tui.dialogs.two_factor import app_prompter

        app_prompter(self.app).ask_again()  # r after a cancelled two-factor login asks again
        if self.poller is not None:
            self.poller.poke()
            self._tick()

    def action_cancel_task(self) -> None:
        self._ask_cancel(self.task_id)

    def action_cancel_job(self) -> None:
        self._ask_cancel(self.job)

    def _ask_cancel(self, target: str | None) -> None:
        if target is None or self.backend is None:
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
        try:
            self.backend.cancel(target)
        except Exception as exc:  # noqa: BLE001 - the scheduler's words, shown
            self.app.call_from_thread(self.notify, str(exc), title=f"Cancel {target}", severity="error")
            return
        self.app.call_from_thread(self.notify, f"cancelled {target}", title="Cancel")
        self.poller.poke()
        self._tick_now()

    def action_back(self) -> None:
        if len(self.app.screen_stack) > 1:
            self.app.pop_screen()


def _index(task: TaskState) -> int:
    return int(task.array_task_id) if task.array_task_id.isdigit() else -1
