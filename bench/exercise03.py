"""Exercise 3's solution, run as the course self-test runs it; prints one JSON object.

The reference run (tui.checks.ex03_reference) on the test cluster: 8 tasks of per_task.sh as one
SLURM job each, the first 16 tasks in one worker-loop job, then the first 32 tasks (every
configuration once) through the embedded HyperQueue. Per way it prints the scheduler's wait, the
start-up (new Python, imports) and the overhead per task, the wall time, and what `check 03`
says; the ratios beside reference.json's margins show how much room the check has.

    python bench/exercise03.py [--hog N] [--oversubscribed 16]

--hog N runs N CPU-bound processes (`while True: pass`) beside it: the check must hold under load.
--oversubscribed N also runs the first N tasks as one HyperQueue array with 1 CPU per task (the
mistake the job file avoids) and reports how slow the 2-thread tasks were.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from load import hogs  # noqa: E402
from tiny_tasks import slurm_env  # noqa: E402

from tui.checks.ex03_reference import reference_run  # noqa: E402
from tui.checks.runner import run_checks  # noqa: E402
from tui.results.tiny_stats import load_tasks, summarize  # noqa: E402


def way(run_dir: Path) -> dict:
    """The figures of one run, rounded for reading."""
    records, _ = load_tasks(run_dir)
    stats = summarize(records)
    keys = ("wait_per_task_s", "startup_per_task_s", "overhead_per_task_s", "work_per_task_s", "wall_s")
    return {"tasks": stats["complete"], **{k: None if stats[k] is None else round(stats[k], 3) for k in keys},
            "runner": sorted({r.runner for r in records})}


def task_seconds(run_dir: Path, threads: int) -> float | None:
    """Median seconds from a task's launch to its end, over the tasks with `threads` threads."""
    records, _ = load_tasks(run_dir)
    spans = [r.ended - r.launched for r in records if r.params.get("threads") == threads]
    return round(statistics.median(spans), 2) if spans else None


def oversubscribed_run(folder: Path, n: int) -> dict:
    """The first n tasks as one array, 1 CPU each, whatever their threads."""
    from tui.cluster.hq_embedded import run_array

    env = {"PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])}
    run_array(folder / "runs" / "hq-1cpu" / "hq-job", ["sh", "-c", "python tiny_task.py --run-dir runs/hq-1cpu "
              '--task "$HQ_TASK_ID"'], list(range(n)), cwd=folder, env=env, cpus=1)
    run = folder / "runs" / "hq-1cpu"
    return {**way(run), "median_task_s_1_thread": task_seconds(run, 1), "median_task_s_2_threads": task_seconds(run, 2)}


def margins(out: dict, reference: dict) -> dict:
    """The ratios the check compares, beside the margins reference.json asks for."""
    loop, hq, job = out["worker_loop"], out["hyperqueue"], out["job_per_task"]
    return {"startup_ratio_hq_over_loop": round(hq["overhead_per_task_s"] / max(loop["overhead_per_task_s"], 1e-9), 1),
            "min_startup_ratio": reference["min_startup_ratio"],
            "wait_ratio_job_over_hq": round((job["wait_per_task_s"] or 0) / max(hq["wait_per_task_s"] or 0, 1e-9), 1),
            "min_wait_ratio": reference["min_wait_ratio"],
            "overhead_job_minus_hq_s": round(job["overhead_per_task_s"] - hq["overhead_per_task_s"], 3)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--hog", type=int, default=0, metavar="N", help="CPU-bound processes beside the run")
    parser.add_argument("--oversubscribed", type=int, default=0, metavar="N")
    args = parser.parse_args()
    reference = json.loads((ROOT / "solutions" / "03_hyperqueue" / "reference.json").read_text())
    out: dict = {"cpus": os.cpu_count(), "hogs": args.hog}
    with tempfile.TemporaryDirectory(prefix="hptune-bench-ex03-") as tmp:
        folder = Path(tmp) / "03_hyperqueue"
        shutil.copytree(ROOT / "solutions" / "03_hyperqueue", folder)
        with slurm_env() as (env, note):
            out["slurm"] = note
            if env is None:
                print(json.dumps(out, indent=2))
                return 1
            with hogs(args.hog):
                began = time.monotonic()
                reference_run(folder, env)
                out["reference_run_s"] = round(time.monotonic() - began, 1)
        runs = folder / "runs"
        for mode, name in (("job_per_task", "per-task"), ("worker_loop", "loop"), ("hyperqueue", "hq")):
            out[mode] = way(runs / name)
        out["margins"] = margins(out, reference)
        report = run_checks("03", path=folder)
        out["checks"] = {c.id: c.passed for c in report.checks}
        out["check_messages"] = {c.id: c.message for c in report.checks if c.id == "hq.overhead" or not c.passed}
        out["best"] = json.loads((folder / "best.json").read_text())
        if args.oversubscribed:
            out["hyperqueue_1cpu_per_task"] = oversubscribed_run(folder, args.oversubscribed)
    print(json.dumps(out, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
