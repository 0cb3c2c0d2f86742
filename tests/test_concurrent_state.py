"""Shared files updated by many processes at once lose nothing: progress.json, run.json, the job index."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.waiting import poll
from tui.cluster.tracking import JOBS_INDEX, record_submission, record_submitted, tracked_jobs
from tui.course.progress import ProgressStore
from tui.course.workspace import init_workspace

# Each child opens its store, says it is ready, waits for the common start signal, then updates:
# the updates of all children overlap, as those of an app and a shell (or two apps) do.
GATE = """
gate = pathlib.Path(sys.argv[1])
(gate / ("ready-" + sys.argv[2])).touch()
while not (gate / "go").exists():
    time.sleep(0.005)
"""

PROGRESS_CHILD = """
import sys, time, pathlib
from tui.course.progress import ProgressStore
store = ProgressStore.open(pathlib.Path(sys.argv[3]))
""" + GATE + """
for i in range(int(sys.argv[4])):
    store.set_done("01", f"{sys.argv[2]}-{i}")
"""

SUBMIT_CHILD = """
import sys, time, pathlib
from tui.cluster.tracking import record_submission
""" + GATE + """
record_submission(pathlib.Path(sys.argv[3]), "slurm", str(1000 + int(sys.argv[2])), host="login1")
"""


def run_together(tmp_path: Path, code: str, n: int, *args: str) -> None:
    """Start `n` Python children running `code`, let them go at once, and wait for all to succeed."""
    gate = tmp_path / "gate"
    gate.mkdir()
    children = [subprocess.Popen([sys.executable, "-c", code, str(gate), str(i), *args]) for i in range(n)]
    assert poll(lambda: len(list(gate.glob("ready-*"))) == n or any(c.poll() for c in children), 120, 0.05)
    (gate / "go").touch()
    assert [c.wait(timeout=300) for c in children] == [0] * n


def test_concurrent_processes_lose_no_progress_update(tmp_path):
    n, m = 4, 20
    run_together(tmp_path, PROGRESS_CHILD, n, str(tmp_path), str(m))
    done = ProgressStore.open(tmp_path).done_steps("01")
    assert done == {f"{i}-{j}" for i in range(n) for j in range(m)}


def test_a_store_never_writes_back_a_stale_copy(tmp_path):
    app = ProgressStore.open(tmp_path)  # the app, open for a while
    app.visit("tuning", "intro")
    ProgressStore.open(tmp_path).set_completed("02")  # `hptune-tui check 02` in a shell
    assert app.completed("02")  # the app sees it without reopening
    app.visit("tuning", "next")  # opening a lesson in the app keeps the shell's mark
    again = ProgressStore.open(tmp_path)
    assert again.completed("02") and again.current_step("tuning") == "next"


def test_a_file_broken_by_another_process_is_kept_and_not_overwritten(tmp_path):
    store = ProgressStore.open(tmp_path)
    store.visit("tuning", "intro")
    store.path.write_text("{half")
    store.set_done("tuning", "intro")
    assert store.path.read_text() == "{half" and "broken" in store.problem
    assert len(list(store.path.parent.glob("progress.json.broken-*"))) == 1


def test_read_steps_and_done_steps_both_count(tmp_path):
    store = ProgressStore.open(tmp_path)
    store.visit("tuning", "a")
    store.set_done("tuning", "b")
    assert store.read_steps("tuning") == {"a", "b"} and store.done_steps("tuning") == {"b"}
    assert store.fraction("tuning", ["a", "b", "c", "d"]) == 0.5


def test_parallel_submissions_into_one_run_all_stay_listed(tmp_path):
    ws = tmp_path / "ws"
    init_workspace(ws)
    run_dir = ws / "01_random_search" / "runs" / "one"
    run_dir.mkdir(parents=True)
    run_together(tmp_path, SUBMIT_CHILD, 10, str(run_dir))
    data = json.loads((run_dir / "run.json").read_text())
    assert sorted(data["job_ids"]) == [str(1000 + i) for i in range(10)]
    assert sorted(j.job_id for j in tracked_jobs(ws)) == [str(1000 + i) for i in range(10)]
    assert len((ws / JOBS_INDEX).read_text().splitlines()) == 10


def test_a_broken_run_json_is_kept_and_the_job_still_recorded(tmp_path):
    (tmp_path / "run.json").write_text("{half")
    record_submission(tmp_path, "local", "7")
    assert json.loads((tmp_path / "run.json").read_text())["job_ids"] == ["7"]
    assert [p.read_text() for p in tmp_path.glob("run.json.broken-*")] == ["{half"]


def test_jobs_submitted_from_the_root_and_deep_folders_are_tracked(tmp_path):
    ws = tmp_path / "ws"
    init_workspace(ws)
    text = "#!/bin/bash\nRUN_DIR=runs/$SLURM_JOB_ID\n"
    deep = ws / "mine" / "sweeps" / "a"
    deep.mkdir(parents=True)
    assert record_submitted(ws / "job.sh", ws, "slurm", "41", text=text) == ws / "runs" / "41"
    assert record_submitted(deep / "job.sh", deep, "slurm", "42", text=text) == deep / "runs" / "42"
    record_submission(ws / "01_random_search" / "runs" / "43", "slurm", "43")
    jobs = tracked_jobs(ws)
    assert [j.job_id for j in jobs] == ["41", "42", "43"]
    assert [j.run_dir.resolve() for j in jobs][:2] == [ws.resolve() / "runs" / "41", deep.resolve() / "runs" / "42"]


def test_runs_from_before_the_index_and_removed_runs(tmp_path):
    ws = tmp_path / "ws"
    init_workspace(ws)
    old = ws / "01_random_search" / "runs" / "5"
    old.mkdir(parents=True)
    (old / "run.json").write_text(json.dumps({"backend": "slurm", "job_ids": ["5"], "host": "h"}))
    record_submission(ws / "runs" / "6", "slurm", "6", host="h")
    (ws / JOBS_INDEX).open("a").write('{"job_id": "9", "run_d')  # a half-written last line
    assert [j.job_id for j in tracked_jobs(ws)] == ["5", "6"]
    (ws / "runs" / "6" / "run.json").unlink()  # the run was reset: no longer tracked
    assert [j.job_id for j in tracked_jobs(ws)] == ["5"]


def test_a_record_outside_any_workspace_has_no_index(tmp_path):
    record_submission(tmp_path / "runs" / "1", "local", "1")
    assert not (tmp_path / JOBS_INDEX).exists()
    assert json.loads((tmp_path / "runs" / "1" / "run.json").read_text())["job_id"] == "1"


def test_atomic_writes_keep_the_mode_a_plain_write_would_give(tmp_path):
    import os

    from tui.fsutil import atomic_write_text

    old = os.umask(0o022)
    try:
        atomic_write_text(tmp_path / "new.toml", "x = 1\n")
        assert (tmp_path / "new.toml").stat().st_mode & 0o777 == 0o644  # mkstemp alone gave 0600
        (tmp_path / "private.json").write_text("{}")
        (tmp_path / "private.json").chmod(0o600)
        atomic_write_text(tmp_path / "private.json", "{}\n")
        assert (tmp_path / "private.json").stat().st_mode & 0o777 == 0o600  # a file's own mode is kept
    finally:
        os.umask(old)
