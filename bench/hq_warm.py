"""Exercise 3's HyperQueue way with a warm Python beside it (issue 15): what is left once the wait is gone.

The first N tasks of the solution's sweep (default 32: every configuration once), through the
embedded HyperQueue, three ways, one after the other on this machine:

- `hyperqueue`: the exercise's way: every task a new Python that imports torch (hq_job.toml);
- `hyperqueue_warm`: the same HyperQueue tasks, each a thin client (`python -m tui.runtime.warm`)
  that has a warm Python (`tiny_task.py --serve`, torch imported once) fork its task;
- `worker_loop`: one process runs the tasks in order (`tiny_task.py --loop --first N`).

Per way: the scheduler's wait, the start-up (process start to imports done) and the overhead per
task, the work per task, the wall time, the best seq/s (tui.results.tiny_stats). Prints one JSON
object.

    .venv/bin/python bench/hq_warm.py [--tasks 32] [--hog N]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from load import hogs  # noqa: E402

from tui.cluster.hq_embedded import run_tasks  # noqa: E402
from tui.cluster.hq_jobfile import TaskSpec  # noqa: E402
from tui.results.tiny_stats import load_tasks, summarize  # noqa: E402


def way(run_dir: Path, wall_s: float) -> dict:
    records, broken = load_tasks(run_dir)
    stats = summarize(records)
    keys = ("wait_per_task_s", "startup_per_task_s", "overhead_per_task_s", "work_per_task_s", "wall_s")
    out = {"tasks": stats["complete"], "broken": len(broken), "command_wall_s": round(wall_s, 2)}
    out.update({k: None if stats[k] is None else round(stats[k], 3) for k in keys})
    out["best_seq_per_s"] = round(stats["best"]["seq_per_s"], 1) if stats.get("best") else None
    return out


@contextlib.contextmanager
def warm_python(folder: Path, sock: Path, env: dict):
    """The warm Python of runs/hq-warm, serving on `sock` until the block ends."""
    proc = subprocess.Popen([sys.executable, "tiny_task.py", "--run-dir", "runs/hq-warm", "--serve", str(sock),
                             "--idle", "600"], cwd=folder, env=env, stdout=subprocess.DEVNULL)
    try:
        end = time.monotonic() + 120
        while not sock.exists():
            if proc.poll() is not None or time.monotonic() > end:
                raise RuntimeError(f"the warm Python did not start (exit {proc.poll()})")
            time.sleep(0.05)
        yield
    finally:
        proc.terminate()
        proc.wait(timeout=60)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=32)
    parser.add_argument("--hog", type=int, default=0, metavar="N", help="CPU-bound processes beside the runs")
    args = parser.parse_args()
    out: dict = {"cpus": os.cpu_count(), "tasks": args.tasks, "hogs": args.hog}
    with tempfile.TemporaryDirectory(prefix="hptune-bench-warm-") as tmp:
        folder = Path(tmp) / "03_hyperqueue"
        shutil.copytree(ROOT / "solutions" / "03_hyperqueue", folder)
        env = {**os.environ, "PYTHONPATH": str(ROOT),
               "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])}
        sys.path.insert(0, str(folder))
        from sweep import configs, cpus  # the solution's sweep: one CPU per thread

        chosen = list(enumerate(configs()))[:args.tasks]
        with hogs(args.hog):
            began = time.monotonic()
            run_tasks(folder / "runs" / "hq" / "hq-job", [TaskSpec(i, ["bash", "hq_tasks.sh"], cpus(c))
                                                          for i, c in chosen], cwd=folder, env=env)
            out["hyperqueue"] = way(folder / "runs" / "hq", time.monotonic() - began)
            sock = Path(tmp) / "warm.sock"
            began = time.monotonic()
            with warm_python(folder, sock, env):
                client = [sys.executable, "-m", "tui.runtime.warm", str(sock)]
                run_tasks(folder / "runs" / "hq-warm" / "hq-job", [TaskSpec(i, client, cpus(c)) for i, c in chosen],
                          cwd=folder, env=env)
            out["hyperqueue_warm"] = way(folder / "runs" / "hq-warm", time.monotonic() - began)
            began = time.monotonic()
            subprocess.run([sys.executable, "tiny_task.py", "--run-dir", "runs/loop", "--loop", "--first",
                            str(args.tasks)], cwd=folder, env=env, check=True, stdout=subprocess.DEVNULL)
            out["worker_loop"] = way(folder / "runs" / "loop", time.monotonic() - began)
    hq, warm = out["hyperqueue"], out["hyperqueue_warm"]
    if hq["startup_per_task_s"] and warm["startup_per_task_s"]:
        out["startup_hq_over_warm"] = round(hq["startup_per_task_s"] / warm["startup_per_task_s"], 1)
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
