"""Exercise 3's reference run: the solution run the way a learner runs it, on a real SLURM.

1. `python sweep.py --hq-job hq_job.toml --first 32` writes the job file of the shorter sweep
   (every configuration once; each task asks for its threads' CPUs);
2. `sbatch per_task.sh` (its first `per_task` tasks): one SLURM job per tiny task, waited for;
3. `sbatch worker_loop.sh --first 16`: the first 16 tasks in one job, one process, waited for;
4. the 32 tasks through the embedded HyperQueue (`hq_embedded --job-file hq_job.toml`);
5. `python report.py runs/per-task runs/loop runs/hq --save-best` writes best.json.

The runs go one after the other, so they never compete for the CPUs. The self-test took 2.5 min
in all (the cluster's start included) beside a CPU hog on a 2-core machine busy with other work. The course self-test
calls it with the test cluster's environment; `bench/exercise03.py` prints what it measured.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from tui.checks.subproc import run_python


def _env(env: dict[str, str] | None) -> dict[str, str]:
    """The environment for the jobs and tasks: `python` in their scripts must be this one."""
    out = dict(os.environ if env is None else env)
    out["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), out.get("PATH", os.defpath)])
    return out


def _python(args: list[str], folder: Path, env: dict[str, str], timeout_s: float, what: str) -> None:
    proc = run_python(args, timeout_s=timeout_s, cwd=folder, env=env)
    if not proc.ok:
        raise RuntimeError(f"{what} failed: {proc.describe(timeout_s)}\n{proc.error_tail()}")


def run_sbatch(folder: Path, env: dict[str, str], args: list[str], timeout_s: float) -> None:
    """`sbatch ARGS` in `folder`, then wait until SLURM lists none of the job's tasks."""
    (folder / "logs").mkdir(exist_ok=True)
    done = subprocess.run(["sbatch", "--parsable", *args], cwd=folder, env=env, capture_output=True, text=True,
                          timeout=60)
    if done.returncode != 0:
        raise RuntimeError(f"sbatch {' '.join(args)} failed: {done.stderr.strip() or done.stdout.strip()}")
    job_id = done.stdout.strip().split(";")[0]
    end = time.monotonic() + timeout_s
    while True:
        queue = subprocess.run(["squeue", "-h", "-j", job_id, "-o", "%i %T"], env=env, capture_output=True,
                               text=True, timeout=60)
        if queue.returncode == 0 and not queue.stdout.strip():
            return
        if time.monotonic() > end:
            subprocess.run(["scancel", job_id], env=env, capture_output=True, timeout=60)
            raise RuntimeError(f"{args[-1]} (job {job_id}) did not finish within {timeout_s:g} s:\n{queue.stdout}")
        time.sleep(0.5)


def reference_run(folder: Path, env: dict[str, str] | None = None, per_task: int = 8, loop_tasks: int = 16,
                  hq_tasks: int = 32, timeout_s: float = 600) -> Path:
    """Run the solution in `folder` three ways and save its best configuration; returns runs/hq.

    Args:
        folder: a copy of the solution (it gets runs/, logs/, hq_job.toml and best.json).
        env: the environment with which sbatch and squeue reach the cluster (default: this one).
        per_task: how many tasks of per_task.sh to run (enough to measure SLURM's wait per job).
        loop_tasks: how many tasks the worker loop runs (its imports are paid once over these).
        hq_tasks: how many tasks of the sweep go through HyperQueue (32: every configuration once).
        timeout_s: the most each run may take.

    Raises:
        RuntimeError: saying which step failed, with the end of its output.
    """
    folder, env = Path(folder), _env(env)
    _python(["sweep.py", "--hq-job", "hq_job.toml", "--first", str(hq_tasks)], folder, env, 60,
            "writing the HyperQueue job file")
    run_sbatch(folder, env, [f"--array=0-{per_task - 1}", "per_task.sh"], timeout_s)
    run_sbatch(folder, env, ["worker_loop.sh", "--first", str(loop_tasks)], timeout_s)
    _python(["-m", "tui.cluster.hq_embedded", "--job-dir", "runs/hq/hq-job", "--job-file", "hq_job.toml"],
            folder, env, timeout_s, "the HyperQueue run")
    _python(["report.py", "runs/per-task", "runs/loop", "runs/hq", "--save-best"], folder, env, 60,
            "report.py --save-best")
    return folder / "runs" / "hq"
