"""Exercise 3's solution, run as the course self-test runs it; prints one JSON object.

The reference run (tui.checks.ex03_reference): 16 tasks of per_task.sh as one SLURM job each
(2 CPUs per task, as the array asks), then the whole 128-task sweep through the embedded
HyperQueue from the job file (each task with one CPU per thread). Prints both rates, their
ratio against reference.json's min_speedup, the overhead per task, and what `check 03` says.

With --oversubscribed N, also runs the first N tasks as one HyperQueue array with 1 CPU per
task (the mistake the job file avoids) and reports how slow the 2-thread tasks were.

    python bench/exercise03.py [--oversubscribed 16]
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

from tiny_tasks import slurm_env  # noqa: E402

from tui.checks.ex03_reference import reference_run  # noqa: E402
from tui.checks.runner import run_checks  # noqa: E402
from tui.results.tiny_stats import load_tasks, summarize  # noqa: E402


def way(run_dir: Path) -> dict:
    records, _ = load_tasks(run_dir)
    stats = summarize(records)
    return {"tasks": stats["complete"], "tasks_per_s": round(stats["tasks_per_s"], 3),
            "wall_s": round(stats["wall_s"], 1), "overhead_per_task_s": round(stats["overhead_per_task_s"] or 0, 3)}


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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--oversubscribed", type=int, default=0, metavar="N")
    args = parser.parse_args()
    reference = json.loads((ROOT / "solutions" / "03_hyperqueue" / "reference.json").read_text())
    out: dict = {"cpus": os.cpu_count(), "min_speedup": reference["min_speedup"]}
    with tempfile.TemporaryDirectory(prefix="hptune-bench-ex03-") as tmp:
        folder = Path(tmp) / "03_hyperqueue"
        shutil.copytree(ROOT / "solutions" / "03_hyperqueue", folder)
        with slurm_env() as (env, note):
            out["slurm"] = note
            if env is None:
                print(json.dumps(out, indent=2))
                return 1
            began = time.monotonic()
            reference_run(folder, env)
            out["reference_run_s"] = round(time.monotonic() - began, 1)
        runs = folder / "runs"
        out["job_per_task"], out["hyperqueue"] = way(runs / "per-task"), way(runs / "hq")
        out["hyperqueue"].update(median_task_s_1_thread=task_seconds(runs / "hq", 1),
                                 median_task_s_2_threads=task_seconds(runs / "hq", 2))
        out["speedup"] = round(out["hyperqueue"]["tasks_per_s"] / out["job_per_task"]["tasks_per_s"], 2)
        report = run_checks("03", path=folder)
        out["checks"] = {c.id: c.passed for c in report.checks}
        out["best"] = json.loads((folder / "best.json").read_text())
        if args.oversubscribed:
            out["hyperqueue_1cpu_per_task"] = oversubscribed_run(folder, args.oversubscribed)
    print(json.dumps(out, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
