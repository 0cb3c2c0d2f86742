"""The throughput screen (exercise 3): the numbers of each way, its Gantt chart, the best
configuration, live refresh, no run yet, unreadable files. Fake task results with fixed times."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from textual.widgets import DataTable

from tests.apphelpers import app_for, snapshot_app
from tui.screens.throughput import ThroughputScreen
from tui.screens.throughput_data import gather, timeline_bars, verdict
from tui.results.tiny_stats import load_tasks

T0 = 1_800_000_000.0  # a fixed epoch: the screen shows times relative to the first launch only
SNAP_DIR = Path("/tmp/hptune-snap-throughput/03_hyperqueue")
PARAMS = {"batch_size": 8, "threads": 1, "packing": False}
BEST = {"batch_size": 64, "threads": 2, "packing": True}


def write_task(run: Path, task: int, mode: str, launched: float, ready: float, ended: float,
               timed_s: float, seq_per_s: float = 1000.0, status: str = "complete", params=None,
               peak: float = 0.125, runner: str = "slurm", submitted: float | None = 0.0) -> None:
    """One task's result.json, as tui.runtime.tiny_tasks writes it (times relative to T0)."""
    folder = run / "trials" / f"{task:05d}"
    folder.mkdir(parents=True, exist_ok=True)
    (run / "sweep.json").write_text(json.dumps([PARAMS] * 8))
    result = {"task": task, "mode": mode, "status": status, "runner": runner, "launched": T0 + launched,
              "ready": T0 + ready, "started": T0 + ready, "ended": T0 + ended, "timed_s": timed_s,
              "seq_per_s": seq_per_s if status == "complete" else None, "peak_mem_gb": peak,
              "params": params or PARAMS, "reason": "" if status == "complete" else "boom"}
    if submitted is not None:
        result["submitted"] = T0 + submitted
    (folder / "result.json").write_text(json.dumps(result))


def write_per_task(folder: Path) -> None:
    """4 SLURM tasks submitted at 0, one after another: each waits 1.5 s, starts up for 1 s, works 0.5 s.

    wait 1.5 s, start-up 1.0 s, overhead 2.5 s per task; wall 12 s."""
    for i in range(4):
        write_task(folder / "runs" / "per-task", i, "job_per_task", 3.0 * i + 1.5, 3.0 * i + 2.5, 3.0 * i + 3.0, 0.4)


def write_loop(folder: Path) -> None:
    """8 tasks in one job submitted at 0: the process starts at 0.4, imports until 1.0, then 0.5 s
    per task, back to back.

    wait 0.4 / 8 = 0.05 s, start-up 0.6 / 8 = 0.075 s, overhead 0.125 s; wall 5 s; task 3 is the fastest."""
    for i in range(8):
        launched, ready = (0.4, 1.0) if i == 0 else (1.0 + 0.5 * i, 1.0 + 0.5 * i)
        write_task(folder / "runs" / "loop", i, "worker_loop", launched, ready, 1.5 + 0.5 * i, 0.4,
                   seq_per_s=5000.0 if i == 3 else 1000.0 + i, params=BEST if i == 3 else PARAMS, peak=0.25)


def write_hq(folder: Path) -> None:
    """8 HyperQueue tasks on 2 slots, pairs 0.1 s after the previous pair ended; 1 s start-up and
    0.5 s of work each; task 7 failed. No submit time (HyperQueue's tasks do not know it).

    wait 0.1 s (the first pair's is unknown), start-up 1.0 s, overhead 1.1 s; wall 6.3 s."""
    for i in range(8):
        launched = 1.6 * (i // 2)
        write_task(folder / "runs" / "hq", i, "hyperqueue", launched, launched + 1.0, launched + 1.5, 0.4,
                   status="failed" if i == 7 else "complete", runner="hyperqueue", submitted=None)


def write_all(folder: Path) -> Path:
    write_per_task(folder)
    write_loop(folder)
    write_hq(folder)
    return folder


async def settle(pilot) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def text(screen, selector: str) -> str:
    return str(screen.query_one(selector).content)


def rows(screen) -> dict[str, list[str]]:
    table = screen.query_one("#tp-table", DataTable)
    return {key.value: [str(c) for c in table.get_row(key)] for key in table.rows}


def test_gather_groups_the_newest_run_of_each_way(tmp_path):
    snap = gather(write_all(tmp_path / "03_hyperqueue"))
    assert [w.mode for w in snap.ways] == ["job_per_task", "worker_loop", "hyperqueue"]
    assert snap.missing == ()
    assert [w.stats["overhead_per_task_s"] for w in snap.ways] == pytest.approx([2.5, 0.125, 1.1])
    assert [w.runner for w in snap.ways] == ["slurm", "slurm", "hyperqueue"]
    assert snap.best["seq_per_s"] == 5000.0 and snap.best["way"] == "worker loop" and snap.best["params"] == BEST
    assert verdict(snap) == ("Least overhead: worker loop, 0.125 s per task: one process: the scheduler's wait "
                             "and the imports are paid once.\nScheduler's wait per task: one job per task 1.50 s, "
                             "HyperQueue 0.10 s.")


def test_the_verdict_names_the_local_runners_per_job_overhead(tmp_path):
    folder = tmp_path / "03_hyperqueue"
    for i in range(3):
        write_task(folder / "runs" / "per-task", i, "job_per_task", 1.05 * i + 0.05, 1.05 * i + 0.55, 1.05 * i + 1.05,
                   0.4, runner="local", submitted=None)
    assert verdict(gather(folder)).endswith("One job per task on the local runner waited 0.050 s per job: no queue "
                                            "(a real SLURM: seconds).")
    assert verdict(gather(tmp_path / "nothing")) == "No task has finished yet."


def test_timeline_bars_mark_start_up_measuring_and_failures(tmp_path):
    folder = write_all(tmp_path / "03_hyperqueue")
    per_task = timeline_bars(load_tasks(folder / "runs" / "per-task")[0])
    assert per_task[:3] == (("s1", -1, 0.0, 1.5, "pruned"), ("s1", -1, 1.5, 2.5, "waiting"), ("s1", 0, 2.5, 3.0, "complete"))
    hq = timeline_bars(load_tasks(folder / "runs" / "hq")[0])
    assert {b[0] for b in hq} == {"s1", "s2"}
    assert [b[1] for b in hq if b[4] == "fail"] == [7]
    loop = timeline_bars(load_tasks(folder / "runs" / "loop")[0])
    assert [b[4] for b in loop].count("waiting") == 1  # the imports, once
    assert [b[4] for b in loop].count("pruned") == 1  # the scheduler's wait, once


async def test_each_way_shows_its_numbers_and_n_p_switch_the_gantt(tmp_path, workspace):
    folder = write_all(tmp_path / "03_hyperqueue")
    app = app_for(workspace, start_screen=f"throughput:{folder}", resume=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert rows(screen) == {
            "job_per_task": ["job per task", "1.500 s", "1.000 s", "2.500 s", "4", "12.0 s", "1,000"],
            "worker_loop": ["worker loop", "0.050 s", "0.075 s", "0.125 s", "8", "5.0 s", "5,000"],
            "hyperqueue": ["HyperQueue", "0.100 s", "1.000 s", "1.100 s", "7+1x", "6.3 s", "1,000"]}
        assert text(screen, "#tp-best") == \
            "best: batch_size=64 threads=2 packing=True → 5,000 seq/s, 0.250 GB (worker loop)"
        assert text(screen, "#tp-summary") == "03_hyperqueue: newest run of 3 ways"
        assert screen.mode == "hyperqueue"  # the exercise's way comes first
        assert screen.gantt_title == "HyperQueue (hq): 8 tasks on 2 slots"
        assert "Least overhead: worker loop, 0.125 s per task" in text(screen, "#tp-why")
        await pilot.press("n")
        assert screen.mode == "job_per_task"
        assert screen.gantt_title == "job per task (per-task): 4 tasks on 1 slot"
        await pilot.press("p", "p")
        assert screen.mode == "worker_loop"
        await pilot.press("down")  # the table's cursor picks the way too
        assert screen.mode == "hyperqueue"


async def test_runs_that_appear_later_show_up_live(tmp_path, workspace, monkeypatch):
    folder = tmp_path / "03_hyperqueue"
    write_per_task(folder)
    monkeypatch.setattr(ThroughputScreen, "POLL_S", 0.05)
    app = app_for(workspace, start_screen=f"throughput:{folder}", resume=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert list(rows(screen)) == ["job_per_task"]
        assert text(screen, "#tp-summary") == "03_hyperqueue: newest run of 1 way │ no run of worker loop, HyperQueue"
        write_loop(folder)
        await wait_for_row(pilot, screen, "worker_loop")
        await pilot.press("n")
        assert screen.mode == "worker_loop"
        assert "no HyperQueue run: hptune-tui submit hq_job.toml --backend hyperqueue" in text(screen, "#tp-summary")
        write_hq(folder)
        await wait_for_row(pilot, screen, "hyperqueue")
        assert rows(screen)["hyperqueue"][3] == "1.100 s"
        await settle(pilot)
        assert screen.mode == "worker_loop"  # the learner's choice is kept across redraws
        assert screen.query_one("#tp-table", DataTable).cursor_row == 1
        assert screen.gantt_title.startswith("worker loop")


async def wait_for_row(pilot, screen, mode: str) -> None:
    for _ in range(200):  # the re-armed timer reads again; no key pressed
        await pilot.pause(0.02)
        if mode in rows(screen):
            return
    pytest.fail(f"the {mode} run never appeared")


async def test_no_run_yet_says_what_to_submit(tmp_path, workspace):
    folder = tmp_path / "03_hyperqueue"
    folder.mkdir()
    app = app_for(workspace, start_screen=f"throughput:{folder}", resume=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert text(screen, "#tp-summary") == "03_hyperqueue: no run yet"
        message = text(screen, "#tp-empty")
        for command in ("hptune-tui submit per_task.sh", "hptune-tui submit worker_loop.sh",
                        "hptune-tui submit hq_job.toml --backend hyperqueue",
                        "python sweep.py --hq-job hq_job.toml"):
            assert command in message
        assert not screen.query_one("#tp-gantt").display
        await pilot.press("n")  # nothing to switch: a notice, no crash
        assert screen.mode is None


async def test_unreadable_result_files_are_counted_not_fatal(tmp_path, workspace):
    folder = write_all(tmp_path / "03_hyperqueue")
    broken = folder / "runs" / "hq" / "trials" / "00008"
    broken.mkdir()
    (broken / "result.json").write_text('{"task": 8, "mode": "hyperq')  # half written
    app = app_for(workspace, start_screen=f"throughput:{folder}", resume=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert text(app.screen, "#tp-summary").endswith("│ 1 unreadable result files")
        assert rows(app.screen)["hyperqueue"][1:4] == ["0.100 s", "1.000 s", "1.100 s"]  # the readable ones count


async def test_tasks_that_ran_more_threads_than_cpus_are_named_in_the_summary(tmp_path, workspace):
    folder = write_all(tmp_path / "03_hyperqueue")
    for i in (2, 5):
        result = folder / "runs" / "hq" / "trials" / f"{i:05d}" / "result.json"
        result.write_text(json.dumps({**json.loads(result.read_text()), "params": BEST, "cpus": 1}))
    app = app_for(workspace, start_screen=f"throughput:{folder}", resume=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert text(app.screen, "#tp-summary") == "03_hyperqueue: newest run of 3 ways │ HyperQueue: 2 tasks shared cores"


async def test_default_is_the_workspace_exercise_folder(workspace):
    write_hq(workspace / "03_hyperqueue")
    app = app_for(workspace, start_screen="throughput", resume=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert app.screen.folder == workspace / "03_hyperqueue"
        assert list(rows(app.screen)) == ["hyperqueue"]
        assert "Scheduler's wait" not in text(app.screen, "#tp-why")  # no one-job-per-task run to compare with


def test_bad_arguments():
    with pytest.raises(KeyError, match="valid exercises"):
        ThroughputScreen.from_arg("99")
    assert ThroughputScreen.from_arg("03").target == "03"
    assert ThroughputScreen.from_arg(None).target == "03"
    assert ThroughputScreen.from_arg("/no/such/folder").target == "/no/such/folder"  # may appear later


def _snap_app(with_runs: bool):
    shutil.rmtree(SNAP_DIR.parent, ignore_errors=True)
    SNAP_DIR.mkdir(parents=True)
    if with_runs:
        write_all(SNAP_DIR)
    return snapshot_app(start_screen=f"throughput:{SNAP_DIR}")


@pytest.mark.parametrize("with_runs", [True, False], ids=["three-ways", "no-run"])
def test_throughput_snapshot_80x24(snap_compare, with_runs):
    assert snap_compare(_snap_app(with_runs), terminal_size=(80, 24), run_before=settle)
