"""The cost line of the trials and throughput screens (tui.widgets.cost_line)."""

from __future__ import annotations

import json
import time

from tests.apphelpers import app_for
from tests.waiting import pilot_wait
from tui.cluster.local_store import jobs_root
from tui.cluster.tracking import record_submission


def fake_local_job(workspace, exercise_dir: str, job_id: int = 5) -> None:
    """The local runner's records of a finished 2-task job (2 CPUs, 10 s each), tracked in a run."""
    t0 = time.time() - 100
    job_dir = jobs_root(workspace.resolve()) / str(job_id)
    (job_dir / "tasks").mkdir(parents=True)
    tasks = [{"key": str(i), "index": i} for i in (0, 1)]
    (job_dir / "job.json").write_text(json.dumps({"id": job_id, "cpus": 2, "submit_time": t0, "tasks": tasks}))
    for i in (0, 1):
        record = {"state": "COMPLETED", "start": t0 + 1 + i, "end": t0 + 11 + i}
        (job_dir / "tasks" / f"{i}.json").write_text(json.dumps(record))
    run_dir = workspace / exercise_dir / "runs" / str(job_id)
    (run_dir / "trials" / "0000").mkdir(parents=True)
    (run_dir / "trials" / "0000" / "result.json").write_text(json.dumps({"elapsed_s": 5.0, "array_job_id": "5"}))
    record_submission(run_dir, "local", str(job_id), workspace=workspace)


def cost_line(app, selector: str):
    return app.screen.query_one(selector)


async def test_the_trials_screen_shows_what_the_exercises_jobs_cost(workspace):
    fake_local_job(workspace, "01_random_search")
    app = app_for(workspace, start_screen="trials:01", resume=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot_wait(pilot, lambda: "core" in str(cost_line(app, "#trials-cost").content), "the cost line")
        line = cost_line(app, "#trials-cost")
        assert line.display  # 40 core-seconds, of which 2 x 5 useful: 75% overhead
        assert str(line.content) == "this tuning used 40 core-seconds, 75% of it waiting or starting"


async def test_no_jobs_no_line_and_the_layout_is_unchanged(workspace):
    fake_local_job(workspace, "02_optuna")  # another exercise's job is not this one's cost
    app = app_for(workspace, start_screen="trials:01", resume=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        line = cost_line(app, "#trials-cost")
        assert str(line.content) == "" and not line.display and line.region.height == 0


async def test_the_throughput_screen_says_when_the_scheduler_cannot_tell(workspace, monkeypatch):
    run_dir = workspace / "03_hyperqueue" / "runs" / "77"
    run_dir.mkdir(parents=True)
    record_submission(run_dir, "slurm", "77", workspace=workspace)
    monkeypatch.setenv("PATH", str(workspace))  # no sacct here
    app = app_for(workspace, start_screen="throughput", resume=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot_wait(pilot, lambda: "sacct" in str(cost_line(app, "#tp-cost").content), "the error line")
        assert str(cost_line(app, "#tp-cost").content).startswith("cost: slurm: `sacct` was not found")
        assert cost_line(app, "#tp-cost").display
