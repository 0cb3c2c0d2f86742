"""The local runner under faults: output it cannot open, a supervisor that crashes or is killed
(status follows the processes, cancel stops them, pids are not trusted blindly), why tasks wait,
and jobs that run with the app's Python when the app's venv is not on PATH."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.waiting import poll
from tui.cluster import local_store
from tui.cluster.backend import BackendError
from tui.cluster.local import LocalBackend
from tui.cluster.local_procs import group_alive, is_running, start_time
from tui.cluster.local_tasks import pending_reason

CORES = os.cpu_count() or 1
CORES_WORD = f"{CORES} core" + ("s" if CORES > 1 else "")
SLEEPERS = "#!/bin/bash\n#SBATCH -J sleepers\n#SBATCH --array=0-1\n#SBATCH -o s-%A_%a.out\nsleep 30\n"


def write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def states(backend, job_id):
    return {t.job_id: t for t in backend.status([job_id])}


def finished(backend, job_id, timeout=60):
    found = poll(lambda: (s := states(backend, job_id)) and all(t.finished for t in s.values()) and s, timeout, 0.2)
    assert found, f"job {job_id} did not finish: {states(backend, job_id)}"
    return found


def job_dir(tmp_path, job_id) -> Path:
    return local_store.jobs_root((tmp_path / "ws").resolve()) / job_id


def running_records(tmp_path, job_id, keys):
    """The task records once every task in `keys` is RUNNING with its pid recorded."""
    def all_running():
        recs = {k: local_store.read_task(job_dir(tmp_path, job_id), k) for k in keys}
        return recs if all(r.get("state") == "RUNNING" and r.get("pid") for r in recs.values()) else None
    recs = poll(all_running, 20, 0.05)
    assert recs, "the tasks never started"
    return recs


def kill_supervisor(tmp_path, job_id) -> None:
    folder = job_dir(tmp_path, job_id)
    os.kill(int((folder / "supervisor.pid").read_text().split()[0]), signal.SIGKILL)
    assert poll(lambda: not local_store.supervisor_alive(folder), 10, 0.05)


# -- 1. output that cannot be opened --------------------------------------------------------------
@pytest.mark.parametrize("option, words", [
    ("-o logs/%x-%A_%a.out", "cannot open the output file logs/miss-1_0.out: No such file or directory"),
    ("-e job.sh/%x.err", "cannot open the output file job.sh/miss.err: Not a directory"),
])
def test_test_only_and_submit_refuse_an_output_that_cannot_be_opened(tmp_path, option, words):
    backend = LocalBackend(tmp_path / "ws", force=True)
    script = write(tmp_path / "job.sh", f"#!/bin/bash\n#SBATCH -J miss\n#SBATCH --array=0-1\n#SBATCH {option}\ntrue\n")
    for test_only in (True, False):
        with pytest.raises(BackendError) as info:
            backend.submit(script, tmp_path, test_only=test_only)
        assert words in info.value.message and "mkdir -p" in info.value.hint
    assert backend.job_ids() == []
    (tmp_path / "logs").mkdir()
    if "logs" in option:
        assert backend.submit(script, tmp_path, test_only=True).message.startswith("would start")


def test_a_task_that_cannot_open_its_output_fails_and_the_others_run(tmp_path):
    for name in ("logs0", "logs1", "logs2"):
        (tmp_path / name).mkdir()
    # One task at a time; task 0 removes the folder of task 1's output before task 1 starts.
    script = write(tmp_path / "job.sh", "#!/bin/bash\n#SBATCH --array=0-2%1\n#SBATCH -o logs%a/x.out\n"
                                        '[ "$SLURM_ARRAY_TASK_ID" = 0 ] && rmdir logs1\necho ran\n')
    backend = LocalBackend(tmp_path / "ws", force=True)
    job_id = backend.submit(script, tmp_path).job_id
    tasks = finished(backend, job_id)
    assert tasks[f"{job_id}_1"].state == "FAILED"
    assert tasks[f"{job_id}_1"].reason == "cannot open its output logs1/x.out: No such file or directory"
    assert [tasks[f"{job_id}_{i}"].state for i in (0, 2)] == ["COMPLETED", "COMPLETED"]
    assert (tmp_path / "logs2" / "x.out").read_text() == "ran\n"
    assert "Traceback" not in (job_dir(tmp_path, job_id) / "supervisor.log").read_text()


def test_a_crashed_supervisor_leaves_its_traceback_and_status_shows_the_reason(tmp_path):
    backend = LocalBackend(tmp_path / "ws", force=True)
    good = backend.submit(write(tmp_path / "ok.sh", "#!/bin/bash\ntrue\n"), tmp_path).job_id
    finished(backend, good)
    # A job record the supervisor cannot use (a key missing) makes it fail in the middle of its work.
    record = json.loads((job_dir(tmp_path, good) / "job.json").read_text())
    del record["parallel"]
    record["id"] = 99
    broken = job_dir(tmp_path, "99")
    (broken / "tasks").mkdir(parents=True)
    (broken / "job.json").write_text(json.dumps(record))
    backend._start_supervisor(broken)
    assert poll(lambda: not local_store.supervisor_alive(broken), 20, 0.05)
    (task,) = backend.status(["99"])
    assert "Traceback" in (broken / "supervisor.log").read_text()
    assert task.state == "NODE_FAIL" and "KeyError: 'parallel'" in task.reason
    assert "restarted" not in task.reason


# -- 2. a supervisor killed under running tasks ---------------------------------------------------
@pytest.mark.skipif(CORES < 2, reason="two tasks at once need two cores")
def test_status_and_cancel_follow_the_processes_after_the_supervisor_is_killed(tmp_path):
    backend = LocalBackend(tmp_path / "ws", force=True)
    job_id = backend.submit(write(tmp_path / "s.sh", SLEEPERS), tmp_path).job_id
    recs = running_records(tmp_path, job_id, ["0", "1"])
    kill_supervisor(tmp_path, job_id)
    tasks = states(backend, job_id)
    assert {t.state for t in tasks.values()} == {"RUNNING"}
    assert all("local runner stopped" in t.reason for t in tasks.values())
    backend.cancel(job_id)
    assert poll(lambda: not any(group_alive(r["pgid"], r["pid_start"]) for r in recs.values()), 20, 0.1), \
        "the tasks' processes outlived the cancel"
    assert {t.state for t in states(backend, job_id).values()} == {"CANCELLED"}


def test_a_task_that_ended_while_the_runner_was_down_is_not_called_running_or_cancelled(tmp_path):
    backend = LocalBackend(tmp_path / "ws", force=True)
    job_id = backend.submit(write(tmp_path / "s.sh", "#!/bin/bash\nsleep 30\n"), tmp_path).job_id
    rec = running_records(tmp_path, job_id, ["job"])["job"]
    kill_supervisor(tmp_path, job_id)
    os.killpg(rec["pgid"], signal.SIGKILL)
    assert poll(lambda: not is_running(rec["pid"], rec["pid_start"]), 10, 0.05)
    (task,) = backend.status([job_id])
    assert task.state == "NODE_FAIL" and "exit code unknown" in task.reason and task.finished
    backend.cancel(job_id)
    assert backend.status([job_id])[0].state == "NODE_FAIL"


def test_a_reused_pid_is_neither_reported_as_the_task_nor_killed(tmp_path):
    backend = LocalBackend(tmp_path / "ws", force=True)
    job_id = backend.submit(write(tmp_path / "s.sh", "#!/bin/bash\nsleep 30\n"), tmp_path).job_id
    rec = running_records(tmp_path, job_id, ["job"])["job"]
    kill_supervisor(tmp_path, job_id)
    os.killpg(rec["pgid"], signal.SIGKILL)
    # Another process now holds the recorded pid (written in as if the kernel had reused it).
    stranger = subprocess.Popen(["sleep", "30"], start_new_session=True)
    try:
        local_store.write_task(job_dir(tmp_path, job_id), "job",
                               {**rec, "pid": stranger.pid, "pgid": stranger.pid, "pid_start": rec["pid_start"] - 1})
        assert backend.status([job_id])[0].state == "NODE_FAIL"
        backend.cancel(job_id)
        assert stranger.poll() is None and is_running(stranger.pid, start_time(stranger.pid))
    finally:
        stranger.kill()
        stranger.wait()


# -- 3. why tasks wait -----------------------------------------------------------------------------
def test_pending_reason_names_the_cap_that_holds_the_task():
    assert pending_reason({"cores": 2, "limit": 0, "parallel": 2, "cpus": 1}) == "local runner: 2 tasks at once (2 cores)"
    assert pending_reason({"cores": 2, "limit": 8, "parallel": 2, "cpus": 1}) == "local runner: 2 tasks at once (2 cores)"
    assert pending_reason({"cores": 8, "limit": 2, "parallel": 2, "cpus": 1}) == "JobArrayTaskLimit"
    assert pending_reason({"cores": 4, "limit": 0, "parallel": 1, "cpus": 4}) == \
        "local runner: 1 task at once (4 cores, 4 CPUs per task)"


def test_pending_tasks_of_a_real_job_say_why_they_wait(tmp_path):
    backend = LocalBackend(tmp_path / "ws", force=True)
    script = f"#!/bin/bash\n#SBATCH --array=0-{CORES}\n#SBATCH -o q-%a.out\nsleep 30\n"
    job_id = backend.submit(write(tmp_path / "q.sh", script), tmp_path).job_id
    try:
        waiting = poll(lambda: [t for t in backend.status([job_id]) if t.state == "PENDING"], 10, 0.1)
        tasks = "tasks" if CORES > 1 else "task"
        assert waiting and waiting[-1].reason == f"local runner: {CORES} {tasks} at once ({CORES_WORD})"
    finally:
        backend.cancel(job_id)
    finished(backend, job_id)


# -- 4. the app's Python for jobs ------------------------------------------------------------------
def test_a_job_runs_with_the_apps_python_when_its_venv_is_not_on_path(tmp_path, monkeypatch):
    venv_bin = str(Path(sys.executable).parent)
    monkeypatch.setenv("PATH", os.pathsep.join(p for p in os.environ["PATH"].split(os.pathsep)
                                               if p and p != venv_bin and "pyenv" not in p))
    script = write(tmp_path / "py.sh", "#!/bin/bash\n#SBATCH -o py.out\n"
                                       "python -c \"import torch, tui; print('ok')\"\n")
    backend = LocalBackend(tmp_path / "ws", force=True)
    job_id = backend.submit(script, tmp_path).job_id
    (task,) = finished(backend, job_id, timeout=120).values()
    assert (tmp_path / "py.out").read_text().strip().splitlines()[-1:] == ["ok"], (tmp_path / "py.out").read_text()
    assert task.state == "COMPLETED"


@pytest.mark.skipif(CORES > 4, reason="a short array must outnumber the cores")
async def test_the_jobs_screen_says_why_a_local_task_waits(tmp_path):
    from tests.apphelpers import app_for
    from tests.waiting import pilot_wait
    from tui.cluster.tracking import record_submission
    from tui.widgets.task_grid import TaskGrid

    ws = tmp_path / "ws"
    app = app_for(ws, start_screen="jobs", resume=False)
    run_dir = ws / "01_random_search" / "runs" / "r1"
    (run_dir / "logs").mkdir(parents=True)
    script = write(run_dir / "job.sh", f"#!/bin/bash\n#SBATCH --array=0-{CORES}\n#SBATCH -o logs/w-%a.out\nsleep 30\n")
    backend = LocalBackend(ws, force=True)
    job_id = backend.submit(script, run_dir).job_id
    record_submission(run_dir, "local", job_id)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            grid = app.screen.query_one(TaskGrid)
            await pilot_wait(pilot, lambda: [s for _, s in grid.tasks].count("RUNNING") == CORES, "the running tasks")
            grid.focus()
            for _ in range(CORES):
                await pilot.press("right")
            detail = app.screen.query_one("#jobs-detail")
            await pilot_wait(pilot, lambda: f"{job_id}_{CORES} PENDING" in str(detail.content), "the pending task")
            assert f"local runner: {CORES} task" in str(detail.content)
            assert f"({CORES_WORD})" in str(detail.content)
    finally:
        backend.cancel(job_id)


def test_a_supervisor_stopped_by_sigterm_says_so_and_its_task_runs_on(tmp_path):
    backend = LocalBackend(tmp_path / "ws", force=True)
    job_id = backend.submit(write(tmp_path / "s.sh", "#!/bin/bash\nsleep 30\n"), tmp_path).job_id
    rec = running_records(tmp_path, job_id, ["job"])["job"]
    folder = job_dir(tmp_path, job_id)
    os.kill(int((folder / "supervisor.pid").read_text().split()[0]), signal.SIGTERM)
    assert poll(lambda: not local_store.supervisor_alive(folder), 10, 0.05)
    (task,) = backend.status([job_id])
    assert task.state == "RUNNING" and "stopped by SIGTERM" in task.reason
    backend.cancel(job_id)
    assert poll(lambda: not group_alive(rec["pgid"], rec["pid_start"]), 20, 0.1)
    assert backend.status([job_id])[0].state == "CANCELLED"
