"""Tasks per second of one sweep of tiny tasks, run three ways in one run; prints one JSON object.

- job_per_task: one SLURM array task per tiny task (on the real test cluster)
- worker_loop:  one SLURM job that runs every task in one Python process
- hyperqueue:   the embedded HyperQueue (LocalCluster): server and workers on this machine
Target (issue 7): worker_loop and hyperqueue each at least 5x job_per_task.

Every way runs the same tiny task (`python -m tui.runtime.tiny_tasks --engine toy`: a few
milliseconds of measuring) and counts from its submission to the last task's end.

SLURM: an existing cluster (sbatch on PATH and answering) is used as it is; otherwise, as
root, the bench starts the test suite's throwaway cluster (tests/services/slurm.py) and stops
it afterwards. Without either, job_per_task and worker_loop are null and "slurm" says why.

    python bench/tiny_tasks.py [--tasks 200] [--per-task 20] [--timeout 300] [--engine toy|torch]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tui.cluster.hq_embedded import run_array  # noqa: E402
from tui.results.tiny_stats import load_tasks, summarize  # noqa: E402
from tui.runtime.tiny_tasks import save_sweep  # noqa: E402

TASK = [sys.executable, "-m", "tui.runtime.tiny_tasks", "--engine", "toy", "--run-dir"]
SCRIPT = """#!/bin/bash
#SBATCH --job-name={name}
#SBATCH --account={account}
#SBATCH --cpus-per-task=1
#SBATCH --mem=200M
#SBATCH --output=/dev/null
{array}
cd {root}
{command}
"""


def sweep(n: int) -> list[dict]:
    """n configurations; with the toy engine 5 ms of timed work each, with torch 0.1 s."""
    cheap = {"budget_s": 0.005, "warmup": 1} if TASK[4] == "toy" else {}
    return [{"batch_size": 2 ** (i % 6), "threads": 1, "packing": bool(i % 2), **cheap} for i in range(n)]


def figures(run_dir: Path, submitted: float, expected: int) -> dict:
    records, _ = load_tasks(run_dir)
    stats = summarize(records, submitted=submitted)
    return {"tasks_per_s": round(stats["tasks_per_s"], 3), "tasks": stats["complete"], "expected": expected,
            "wall_s": round(stats["wall_s"], 3),
            "overhead_per_task_s": None if stats["overhead_per_task_s"] is None else round(stats["overhead_per_task_s"], 4)}


def wait_for_results(run_dir: Path, n: int, timeout: float) -> None:
    end = time.monotonic() + timeout
    while len(list(run_dir.glob("trials/*/result.json"))) < n and time.monotonic() < end:
        time.sleep(0.2)


def sbatch(env: dict, workdir: Path, name: str, array: str, command: list[str]) -> None:
    script = workdir / f"{name}.sh"
    script.write_text(SCRIPT.format(name=name, account=env.get("BENCH_ACCOUNT", "course"), root=ROOT,
                                    array=f"#SBATCH --array={array}" if array else "",
                                    command=" ".join(command)))
    done = subprocess.run(["sbatch", "--parsable", str(script)], env=env, capture_output=True, text=True, timeout=30)
    if done.returncode != 0:
        raise RuntimeError(f"sbatch failed: {done.stderr.strip()}")


def run_slurm_ways(env: dict, work: Path, n_loop: int, n_per_task: int, timeout: float) -> dict:
    out = {}
    per_task = work / "per-task"
    save_sweep(per_task, sweep(n_per_task))
    began = time.time()
    sbatch(env, work, "tiny-per-task", f"0-{n_per_task - 1}", TASK + [str(per_task)])
    wait_for_results(per_task, n_per_task, timeout)
    out["job_per_task"] = figures(per_task, began, n_per_task)
    loop = work / "loop"
    save_sweep(loop, sweep(n_loop))
    began = time.time()
    sbatch(env, work, "tiny-loop", "", TASK + [str(loop), "--loop"])
    wait_for_results(loop, n_loop, timeout)
    out["worker_loop"] = figures(loop, began, n_loop)
    return out


@contextlib.contextmanager
def slurm_env():
    """(env, note) for a working SLURM: this host's, or a throwaway test cluster (root only)."""
    try:
        ok = subprocess.run(["sinfo", "-h"], capture_output=True, timeout=10).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        ok = False
    if ok:
        yield dict(os.environ), "this host's SLURM"
        return
    if os.geteuid() != 0:
        yield None, "no SLURM here and not root: cannot start the test cluster"
        return
    from tests.services.slurm import SlurmCluster, missing

    absent = missing()
    if absent:
        yield None, f"the test cluster needs {', '.join(absent)}"
        return
    cluster = SlurmCluster()
    try:
        cluster.start()
        yield cluster.env, f"the test suite's single-node cluster ({cluster.cpus} CPUs)"
    finally:
        cluster.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tasks", type=int, default=200, help="tasks of the worker loop and HyperQueue runs")
    parser.add_argument("--per-task", type=int, default=20, help="tasks of the one-job-per-task run")
    parser.add_argument("--timeout", type=float, default=300.0)
    parser.add_argument("--engine", choices=("toy", "torch"), default="toy",
                        help="torch: the real encoder (each task imports torch: about 1 s more per task)")
    args = parser.parse_args()
    TASK[4] = args.engine
    out: dict = {"engine": args.engine, "tasks": args.tasks, "per_task_tasks": args.per_task, "cpus": os.cpu_count()}
    with tempfile.TemporaryDirectory(prefix="hptune-bench-tiny-") as tmp:
        work = Path(tmp)
        hq = work / "hq"
        save_sweep(hq, sweep(args.tasks))
        began = time.time()
        run_array(work / "hq-job", TASK + [str(hq)], list(range(args.tasks)), cwd=ROOT)
        details = {"hyperqueue": figures(hq, began, args.tasks)}
        with slurm_env() as (env, note):
            out["slurm"] = note
            if env is not None:
                details.update(run_slurm_ways(env, work, args.tasks, args.per_task, args.timeout))
    rates = {way: details.get(way, {}).get("tasks_per_s") for way in ("job_per_task", "worker_loop", "hyperqueue")}
    base = rates["job_per_task"]
    speedup = {way: round(rates[way] / base, 1) if base and rates[way] else None for way in ("worker_loop", "hyperqueue")}
    out.update(rates, speedup_vs_job_per_task=speedup, details=details,
               meets_5x=bool(base) and all(s is not None and s >= 5 for s in speedup.values()))
    print(json.dumps(out, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
