"""The jobs screen on the local runner: tracked jobs appear, the grid and the log follow, cancel asks."""

from __future__ import annotations

import pytest

from tests.apphelpers import app_for
from tui.cluster.local import LocalBackend
from tui.cluster.tracking import record_submission
from tui.widgets.log_tail import LogTail
from tui.widgets.task_grid import TaskGrid, summary
from tests.waiting import pilot_wait

SCRIPT = ("#!/bin/bash\n#SBATCH -J screen\n#SBATCH --array=0-3%2\n#SBATCH -o logs/%x-%A_%a.out\n"
          "echo \"hello from $SLURM_ARRAY_TASK_ID\"\nsleep 30\n")


def test_summary_counts_in_a_stable_order():
    assert summary(["PENDING", "RUNNING", "COMPLETED", "PENDING", "FAILED"]) == "R1 P2 C1 F1"


async def test_jobs_screen_shows_grid_and_log_and_cancels_after_confirmation(tmp_path):
    ws = tmp_path / "ws"
    app = app_for(ws, start_screen="jobs", resume=False)
    run_dir = ws / "01_random_search" / "runs" / "r1"
    (run_dir / "logs").mkdir(parents=True)
    (run_dir / "job.sh").write_text(SCRIPT)
    backend = LocalBackend(ws, force=True)
    job_id = backend.submit(run_dir / "job.sh", run_dir).job_id
    record_submission(run_dir, "local", job_id)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            grid = app.screen.query_one(TaskGrid)
            await pilot_wait(pilot, lambda: [s for _, s in grid.tasks].count("RUNNING") == 2, "two running tasks")
            assert [t for t, _ in grid.tasks] == [f"{job_id}_{i}" for i in range(4)]
            log = app.screen.query_one(LogTail)
            await pilot_wait(pilot, lambda: "hello from 0" in "\n".join(log.lines), "the task's log")
            grid.focus()
            await pilot.press("right")
            await pilot_wait(pilot, lambda: "hello from 1" in "\n".join(log.lines), "the second task's log")
            await pilot.press("c")
            await pilot.press("n")  # said no: nothing cancelled
            await pilot.pause(0.3)
            assert backend.status([f"{job_id}_1"])[0].state == "RUNNING"
            await pilot.press("C")
            await pilot.press("y")
            await pilot_wait(pilot, lambda: {s for _, s in grid.tasks} == {"CANCELLED"}, "the cancelled job", 150)
    finally:
        backend.cancel(job_id)


@pytest.mark.sshd
async def test_unknown_host_key_is_asked_and_added_only_on_yes(sshd_server, tmp_path, monkeypatch):
    from tui.app import make_app
    from tui.course.workspace import init_workspace
    from tui.dialogs.confirm import ConfirmDialog
    from tui.settings import Settings

    monkeypatch.delenv("SSH_AUTH_SOCK", raising=False)
    known = tmp_path / "known_hosts"
    config = tmp_path / "ssh_config"
    config.write_text(f"Host t\n  HostName {sshd_server.host}\n  Port {sshd_server.port}\n  User root\n"
                      f"  IdentityFile {sshd_server.key_path}\n  UserKnownHostsFile {known}\n")
    ws = tmp_path / "ws"
    init_workspace(ws)
    run_dir = ws / "01_random_search" / "runs" / "r1"
    run_dir.mkdir(parents=True)
    record_submission(run_dir, "ssh", "999999", host="t")
    settings = Settings(workspace=ws, backend="ssh", ssh_host="t")
    settings.ssh_config = str(config)  # an optional setting the factory reads when present
    app = make_app(settings, start_screen="jobs", resume=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot_wait(pilot, lambda: isinstance(app.screen, ConfirmDialog), "the host-key question")
        assert not known.exists()
        await pilot.press("n")
        await pilot.pause(0.2)
        assert not known.exists(), "a rejected key must not be stored"
        await pilot.press("r")
        await pilot_wait(pilot, lambda: isinstance(app.screen, ConfirmDialog), "the question again")
        await pilot.press("y")
        await pilot_wait(pilot, known.exists, "known_hosts written")
    assert sshd_server.host_key_line in known.read_text()


def test_jobs_demo_80x24(snap_compare):
    from tests.apphelpers import snapshot_app

    async def settle(pilot):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()

    assert snap_compare(snapshot_app(start_screen="jobs:demo"), terminal_size=(80, 24), run_before=settle)


async def test_grid_cursor_moves_and_reports_the_task():
    from tests.apphelpers import app_for
    import tempfile
    from pathlib import Path

    app = app_for(Path(tempfile.mkdtemp()) / "ws", start_screen="jobs:demo", resume=False)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        grid = screen.query_one(TaskGrid)
        grid.focus()
        await pilot.press("right", "right")
        await pilot.pause()
        assert screen.task_id == "4263_2"
        await pilot.press("left", "left", "left")
        await pilot.pause()
        assert screen.task_id == "4263_19"  # wraps around
        assert "4263_19 PENDING" in str(screen.query_one("#jobs-detail").render())
