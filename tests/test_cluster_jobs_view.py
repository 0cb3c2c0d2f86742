"""The jobs to show, one way: the CLI and the jobs screen list the same jobs; the screen follows new
submissions, goes stale on any failure with the right clock and recovers by itself, and says what a
finished task's log holds (empty, or the telling line and its hint)."""

from __future__ import annotations

import json
import time
from datetime import datetime

import pytest
from textual.widgets import DataTable

from tests.waiting import pilot_wait
from tui.app import make_app
from tui.cli import main
from tui.cluster.backend import TaskState
from tui.cluster.tracking import record_submission
from tui.settings import Settings
from tui.widgets.log_tail import LogTail

QUICK = "#!/bin/bash\n#SBATCH -J quick\n#SBATCH --array=0-1\n#SBATCH -o logs/%x-%A_%a.out\n{body}\n"


def _app(ws, backend="local"):
    return make_app(Settings(workspace=ws, backend=backend, poll_interval=2), start_screen="jobs", resume=False)


def _submit(capsys, ws, run_dir, body="true"):
    (run_dir / "logs").mkdir(parents=True, exist_ok=True)
    (run_dir / "job.sh").write_text(QUICK.format(body=body))
    assert main(["-w", str(ws), "submit", str(run_dir / "job.sh"), "--backend", "local", "--force-local"]) == 0
    capsys.readouterr()  # inside a running app the printed id does not reach capsys: read the record
    return json.loads((run_dir / "run.json").read_text())["job_id"]


def _fake_hq_job(ws, number: int) -> None:
    """An embedded HyperQueue job that has finished, as its driver leaves it on disk."""
    job = ws / ".hptune" / "hq-jobs" / str(number)
    (job / "tasks").mkdir(parents=True)
    (job / "state.json").write_text(json.dumps({"state": "finished", "ids": "0-1"}))
    (job / "name").write_text("toy")
    for task in (0, 1):
        (job / "tasks" / f"{task}.start").write_text(str(time.time() - 5))
        (job / "tasks" / f"{task}.end").write_text(f"0 {time.time()}")


def _rows(app) -> list[str]:
    table = app.screen.query_one("#jobs-table", DataTable)
    return [str(key.value) for key in table.rows]


async def test_the_cli_and_the_screen_show_the_same_jobs(workspace, capsys, monkeypatch):
    monkeypatch.setenv("PATH", "/usr/bin:/bin")  # no hq binary: the embedded jobs on disk count
    local = _submit(capsys, workspace, workspace / "01_random_search" / "runs" / "r1")
    _fake_hq_job(workspace, 2)
    assert main(["-w", str(workspace), "status", "--json"]) == 0
    cli_jobs = {t["array_job_id"] or t["job_id"] for t in json.loads(capsys.readouterr().out)["jobs"]}
    assert cli_jobs == {local, "hq2"}
    app = _app(workspace)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot_wait(pilot, lambda: len(_rows(app)) == 2, "both jobs")
        assert set(_rows(app)) == cli_jobs


async def test_a_job_submitted_from_the_cli_appears_without_reopening(workspace, capsys):
    first = _submit(capsys, workspace, workspace / "01_random_search" / "runs" / "r1")
    app = _app(workspace)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot_wait(pilot, lambda: _rows(app) == [first], "the first job")
        grid = app.screen.query_one("#jobs-grid")
        await pilot_wait(pilot, lambda: {s for _, s in grid.tasks} == {"COMPLETED"}, "the first job done", 200)
        second = _submit(capsys, workspace, workspace / "01_random_search" / "runs" / "r2")
        await pilot_wait(pilot, lambda: second in _rows(app), "the job submitted from the CLI", 200)


async def test_a_finished_task_with_an_empty_log_says_so_and_a_failed_one_shows_its_hint(workspace, capsys):
    job = _submit(capsys, workspace, workspace / "01_random_search" / "runs" / "r1",
                  body='if [ "$SLURM_ARRAY_TASK_ID" = 1 ]; then echo "ModuleNotFoundError: No module named '
                       '\'torch\'" >&2; exit 1; fi')
    app = _app(workspace)
    async with app.run_test(size=(80, 24)) as pilot:
        grid = app.screen.query_one("#jobs-grid")
        await pilot_wait(pilot, lambda: [s for _, s in grid.tasks] == ["COMPLETED", "FAILED"], "the ended tasks", 200)
        log = app.screen.query_one(LogTail)
        await pilot_wait(pilot, lambda: any("the log is empty" in line for line in log.lines), "an empty log")
        detail = app.screen.query_one("#jobs-detail")
        assert "local runner: at most" in str(detail.content)
        grid.focus()
        await pilot.press("right")
        await pilot_wait(pilot, lambda: "training packages" in str(detail.content), "the failed task's hint")
        assert f"{job}_1 FAILED" in str(detail.content) and "No module named 'torch'" in str(detail.content)


class Flaky:
    """A scheduler that answers, then fails with a library's own exception, then answers again."""

    name = "slurm"

    def __init__(self):
        self.fail = False

    def status(self, ids):
        if self.fail:
            raise RuntimeError("No existing session")  # not a BackendError, as paramiko's SSHException
        return [TaskState(f"{i}_0", i, "0", "w", "RUNNING", elapsed="0:10") for i in ids]

    def read_file(self, path, offset=0):
        return b""


async def test_any_failure_goes_stale_with_the_wall_clock_and_recovers_by_itself(workspace, monkeypatch):
    backend = Flaky()
    monkeypatch.setattr("tui.cluster.factory.make_backend", lambda *a, **kw: backend)
    run_dir = workspace / "01_random_search" / "runs" / "7"
    run_dir.mkdir(parents=True)
    record_submission(run_dir, "slurm", "7")
    app = _app(workspace, backend="slurm")
    async with app.run_test(size=(80, 24)) as pilot:
        status = app.screen.query_one("#jobs-status")
        await pilot_wait(pilot, lambda: _rows(app) == ["7"], "the job")
        backend.fail = True
        await pilot_wait(pilot, lambda: "not answering" in str(status.content), "the stale notice", 200)
        text = str(status.content)
        assert "No existing session" in text and _rows(app) == ["7"]  # the last states stay
        shown = datetime.strptime(text.split("states as of ")[1][:8], "%H:%M:%S").time()
        now = datetime.now()
        seconds = abs((now.hour * 3600 + now.minute * 60 + now.second)
                      - (shown.hour * 3600 + shown.minute * 60 + shown.second))
        assert min(seconds, 86400 - seconds) < 600, (text, now)  # a clock time, not seconds since boot
        backend.fail = False
        await pilot_wait(pilot, lambda: "not answering" not in str(status.content), "the recovery", 300)


def test_the_output_pattern_is_resolved_against_the_submit_folder(tmp_path):
    from tui.cluster.tracking import output_path

    exercise = tmp_path / "01_random_search"
    copied = exercise / "runs" / "57"  # submitted from the exercise folder; the app copied job.sh here
    copied.mkdir(parents=True)
    (copied / "job.sh").write_text("#!/bin/bash\n#SBATCH --array=0-1\n#SBATCH -o logs/%x-%A_%a.out\n"
                                   'RUN_DIR=runs/"$SLURM_ARRAY_JOB_ID"\n')
    task = TaskState("57_0", "57", "0", "rs")
    assert output_path(task, copied) == str(exercise / "logs" / "rs-57_0.out")
    own = exercise / "runs" / "r1"  # a script that lives in its run folder is submitted from there
    own.mkdir()
    (own / "job.sh").write_text("#!/bin/bash\n#SBATCH --array=0-1\n#SBATCH -o logs/%x-%A_%a.out\n")
    assert output_path(TaskState("58_1", "58", "1", "rs"), own) == str(own / "logs" / "rs-58_1.out")
    task.extra["workdir"] = "/scratch/me"  # the working folder the scheduler reports wins
    assert output_path(task, copied) == "/scratch/me/logs/rs-57_0.out"


@pytest.mark.slurm
@pytest.mark.timeout(240)
async def test_the_screen_follows_the_log_file_that_scontrol_reports(slurm_cluster, workspace, monkeypatch):
    monkeypatch.setenv("SLURM_CONF", slurm_cluster.env["SLURM_CONF"])
    exercise = workspace / "01_random_search"
    (exercise / "follow.sh").write_text("#!/bin/bash\n#SBATCH -J follow\n#SBATCH --array=0-1\n"
                                        "#SBATCH -o logs/%x-%A_%a.out\n#SBATCH -t 00:05:00\n"
                                        'RUN_DIR=runs/"$SLURM_ARRAY_JOB_ID"\necho "hello from $SLURM_ARRAY_TASK_ID"\n'
                                        "sleep 90\n")
    monkeypatch.chdir(exercise)
    assert main(["-w", str(workspace), "submit", "follow.sh", "--backend", "slurm"]) == 0
    run_dir = max((exercise / "runs").iterdir(), key=lambda p: p.stat().st_mtime)
    job_id = json.loads((run_dir / "run.json").read_text())["job_id"]
    try:
        app = _app(workspace, backend="slurm")
        async with app.run_test(size=(80, 24)) as pilot:
            log = app.screen.query_one(LogTail)
            await pilot_wait(pilot, lambda: any("hello from 0" in line for line in log.lines), "task 0's log", 600)
            done = slurm_cluster.run("scontrol", "-o", "show", "job", f"{job_id}_0")
            stdout = next(w.split("=", 1)[1] for w in done.stdout.split() if w.startswith("StdOut="))
            assert log.path == stdout == str(exercise / "logs" / f"follow-{job_id}_0.out")
    finally:
        slurm_cluster.run("scancel", job_id)


def test_the_service_asks_each_backend_once_and_a_failing_one_leaves_the_others_fresh(workspace, monkeypatch):
    from tui.services.jobs import JobService

    class Named:
        def __init__(self, name, fail=False):
            self.name, self.fail, self.calls = name, fail, []

        def status(self, ids):
            self.calls.append(list(ids))
            if self.fail:
                raise RuntimeError("slurm_load_jobs error: Unable to contact slurm controller")
            return [TaskState(i, state="RUNNING") for i in ids]

    made = {"local": Named("local"), "slurm": Named("slurm", fail=True)}
    monkeypatch.setattr("tui.cluster.factory.make_backend", lambda settings, name=None, **kw: made[name or "local"])
    for run, backend, job in (("a", "local", "3"), ("b", "slurm", "7"), ("c", "slurm", "8")):
        (workspace / "01_random_search" / "runs" / run).mkdir(parents=True)
        record_submission(workspace / "01_random_search" / "runs" / run, backend, job)
    service = JobService(Settings(workspace=workspace, backend="local"))
    assert sorted(service.refresh("screen").ids()) == ["3", "7", "8"]
    snap = service.tick()
    assert made["local"].calls == [["3"]] and made["slurm"].calls == [["7", "8"]]
    assert snap.stale and snap.error.startswith("slurm: RuntimeError") and snap.tasks["3"].state == "RUNNING"
