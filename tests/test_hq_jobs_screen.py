"""HyperQueue jobs in the jobs screen: a task array submitted with `--backend hyperqueue` shows its
tasks by state next to the settings' own backend (here the local runner), through the embedded
LocalCluster with the toy tiny task."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import pytest
from textual.widgets import DataTable

from tests.apphelpers import app_for
from tui.cli import main
from tui.cluster.backend import BackendError, TaskState
from tui.cluster.hyperqueue import HyperQueueBackend, WithHyperQueue, with_hyperqueue_jobs
from tui.runtime.tiny_tasks import save_sweep
from tui.widgets.log_tail import LogTail
from tui.widgets.task_grid import TaskGrid
from tests.waiting import pilot_wait

TOY = f"""#!/bin/bash
#SBATCH --array=0-5
set -euo pipefail
if [ "$HQ_TASK_ID" = 4 ]; then echo "task 4 breaks on purpose" >&2; exit 3; fi
{sys.executable} -m tui.runtime.tiny_tasks --engine toy --run-dir runs/toy --task "$HQ_TASK_ID"
"""


class FakeBackend:
    name = "slurm"
    IMPLEMENTS_TEST_ONLY = True

    def __init__(self, fail: bool = False) -> None:
        self.asked: list[list[str]] = []
        self.cancelled: list[str] = []
        self.fail = fail

    def status(self, job_ids):
        self.asked.append(list(job_ids))
        if self.fail:
            raise BackendError("hq server is not running")
        return [TaskState(i, state="RUNNING") for i in job_ids]

    def cancel(self, job_id):
        self.cancelled.append(job_id)

    def job_ids(self):
        return ["41"]


def test_ids_go_to_the_backend_that_owns_them(tmp_path):
    main_backend, hq = FakeBackend(), FakeBackend()
    both = WithHyperQueue(main_backend, hq, ["hq1", "7"])  # 7: a job id tracked as HyperQueue's (hq CLI)
    assert [t.job_id for t in both.status(["41", "hq1", "7", "42"])] == ["41", "42", "hq1", "7"]
    assert main_backend.asked == [["41", "42"]] and hq.asked == [["hq1", "7"]]
    both.cancel("hq1")
    both.cancel("42")
    assert hq.cancelled == ["hq1"] and main_backend.cancelled == ["42"]
    assert both.name == "slurm" and both.IMPLEMENTS_TEST_ONLY
    assert both.job_ids() == ["41", "hq1", "7"]  # HyperQueue's in number order


def test_a_silent_hq_server_leaves_the_other_jobs_fresh():
    both = WithHyperQueue(FakeBackend(), FakeBackend(fail=True), ["hq1"])
    assert [t.job_id for t in both.status(["41", "hq1"])] == ["41"]


def test_without_hq_jobs_the_backend_is_left_alone(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")  # no hq binary: the embedded jobs on disk count
    backend = FakeBackend()
    assert with_hyperqueue_jobs(backend, tmp_path, []) is backend
    assert isinstance(with_hyperqueue_jobs(backend, tmp_path, ["hq3"]), WithHyperQueue)
    (tmp_path / ".hptune" / "hq-jobs" / "2").mkdir(parents=True)
    assert with_hyperqueue_jobs(backend, tmp_path, []).hq_ids == {"hq2"}


def test_single_tasks_cannot_be_cancelled(tmp_path):
    with pytest.raises(BackendError, match="cancel the whole job hq1"):
        HyperQueueBackend(tmp_path, embedded=True).cancel("hq1_3")


def _wait_finished(job_dir: Path, timeout: float = 90.0) -> dict:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            state = json.loads((job_dir / "state.json").read_text())
        except (OSError, ValueError):
            state = {}
        if state.get("state") in ("finished", "failed", "cancelled"):
            return state
        time.sleep(0.2)
    pytest.fail(f"the embedded HyperQueue job in {job_dir} did not finish")


@pytest.mark.timeout(180)
async def test_a_hyperqueue_submission_shows_its_tasks_by_state(workspace, monkeypatch, capsys):
    monkeypatch.setenv("PATH", "/usr/bin:/bin")  # no hq binary: the embedded LocalCluster runs the array
    monkeypatch.setenv("HPTUNE_WORKSPACE", str(workspace))
    folder = workspace / "03_hyperqueue"
    save_sweep(folder / "runs" / "toy", [{"batch_size": 2 ** i, "budget_s": 0.005, "warmup": 1} for i in range(6)])
    (folder / "toy.sh").write_text(TOY)
    monkeypatch.chdir(folder)
    assert main(["submit", "toy.sh", "--backend", "hyperqueue"]) == 0
    job_id = capsys.readouterr().out.strip()
    assert job_id == "hq1"
    state = _wait_finished(workspace / ".hptune" / "hq-jobs" / "1")
    assert (state["finished"], state["failed"]) == (5, 1)

    app = app_for(workspace, start_screen="jobs", resume=False)  # the settings say local, not hyperqueue
    async with app.run_test(size=(80, 24)) as pilot:
        grid = app.screen.query_one(TaskGrid)
        await pilot_wait(pilot, lambda: len(grid.tasks) == 6, "the six HyperQueue tasks", tries=150)
        table = app.screen.query_one("#jobs-table", DataTable)
        assert [str(c) for c in table.get_row("hq1")][:3] == ["hq1", "toy", "C5 F1"]
        assert [s for _, s in grid.tasks] == ["COMPLETED"] * 4 + ["FAILED", "COMPLETED"]
        grid.focus()
        await pilot.press(*["right"] * 4)
        assert "hq1_4 FAILED" in str(app.screen.query_one("#jobs-detail").content)
        log = app.screen.query_one(LogTail)
        await pilot_wait(pilot, lambda: "task 4 breaks on purpose" in "\n".join(log.lines), "the failed task's stderr", tries=150)
    assert len(list((folder / "runs" / "toy" / "trials").glob("*/result.json"))) == 5
