"""Exercise 3: the sweep, every configuration that one tiny task measures.

    python sweep.py                        prints how many tasks the sweep has and the first few
    python sweep.py --hq-job hq_job.toml   writes the HyperQueue job file of the sweep: one task
                                           per configuration, each asking for the CPUs it uses
    python sweep.py --hq-job hq_job.toml --first 32
                                           only the first 32 tasks (every configuration once):
                                           a shorter sweep for the local runner or a small machine
"""

import argparse
import itertools
from pathlib import Path

BATCH_SIZES = [1, 2, 4, 8, 16, 32, 64, 128]
THREADS = [1, 2]
PACKING = [False, True]
REPEATS = 4  # the same configuration several times: shows how noisy a 0.1 s measurement is
# On a GPU, tune these instead of the threads:
DTYPES = ["float32", "bfloat16"]
COMPILE = [False, True]


def configs(gpu=False):
    """One dict of measure() arguments per task, in task order."""
    # TODO: one dict per task, with measure()'s arguments as keys, e.g.
    #       {"batch_size": 8, "threads": 1, "packing": True}
    #   - CPU: every combination of BATCH_SIZES x THREADS x PACKING (itertools.product),
    #   - GPU (gpu=True): BATCH_SIZES x PACKING x DTYPES x COMPILE, with "device": "cuda",
    #   and the whole grid REPEATS times over: 8 x 2 x 2 x 4 = 128 tasks on a CPU.
    raise NotImplementedError("TODO: complete configs() in sweep.py")


def cpus(config):
    """The CPUs a task needs: one per thread it runs (a GPU task drives its GPU from one)."""
    return config.get("threads", 1)


def write_hq_job(path, tasks, first=None):
    """The HyperQueue job file: task N runs hq_tasks.sh with $HQ_TASK_ID=N on cpus(config N) CPUs
    (tasks 0 to first-1 only, when `first` is given)."""
    from tui.cluster.hq_jobfile import TaskSpec, write

    script = str(Path(__file__).resolve().parent / "hq_tasks.sh")
    chosen = list(enumerate(tasks))[:first]
    return write(path, [TaskSpec(i, ["bash", script], cpus(c)) for i, c in chosen], "tiny-sweep")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--hq-job", metavar="FILE", help="write the sweep as a HyperQueue job file")
    parser.add_argument("--first", type=int, metavar="N", help="the job file runs tasks 0 to N-1 only")
    args = parser.parse_args()
    if args.first is not None and args.first < 1:
        parser.error(f"--first must be at least 1, got {args.first}")
    tasks = configs()
    print(f"{len(tasks)} tasks (ids 0-{len(tasks) - 1}); the first three:")
    for config in tasks[:3]:
        print(" ", config)
    if args.hq_job:
        print(f"wrote {write_hq_job(args.hq_job, tasks, args.first)}: submit it with "
              f"`hptune-tui submit {args.hq_job} --backend hyperqueue` (or `hq job submit-file {args.hq_job}`)")
