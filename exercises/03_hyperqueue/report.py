"""Exercise 3: compare the runs side by side, and record the best configuration.

    python report.py runs/per-task runs/loop runs/hq            one line per run
    python report.py runs/per-task runs/loop runs/hq --save-best   also writes best.json

Per run: its tasks, and what each task paid before its work, on average:
    wait       from a free CPU slot (or the submission) to the task's process start: the scheduler
    start-up   from process start to imports done: a new Python and `import torch`
    overhead   the two together: the fixed cost this way adds to every task
and the sweep's wall time. best.json holds the fastest configuration of the HyperQueue run (the
first run given that ran tasks through HyperQueue), with its seq/s: `results.best_config` reads it.
"""

import argparse
import json
import sys
from pathlib import Path

from tui.results.tiny_stats import load_tasks, oversubscribed, summarize


def seconds(value):
    return "-" if value is None else f"{value:.3f} s"


def describe(run, records, stats):
    """One line of the table."""
    mode = records[0].mode if records else "-"
    runner = ",".join(sorted({r.runner for r in records if r.runner})) or "-"
    return (f"{str(run):<16} {mode:<15} {stats['complete']:>5} {seconds(stats['wait_per_task_s']):>9} "
            f"{seconds(stats['startup_per_task_s']):>9} {seconds(stats['overhead_per_task_s']):>9} "
            f"{stats['wall_s']:>7.1f} s  {runner}")


def warnings(run, records, broken):
    """What makes a run's figures less than trustworthy."""
    if broken:
        yield f"  {len(broken)} result files could not be read, e.g. {broken[0]}"
    shared = oversubscribed(records)
    if shared:
        yield (f"  warning: {len(shared)} tasks ran more threads than the CPUs they were given (task "
               f"{shared[0].task}: {shared[0].params['threads']} threads on {shared[0].cpus} CPU); their seq/s "
               "measures cores shared with other tasks: ask for one CPU per thread")
    failed = [r for r in records if r.status != "complete"]
    if failed:
        yield f"  warning: {len(failed)} tasks did not finish, e.g. task {failed[0].task}: see its result.json"
    if records and records[0].mode == "job_per_task" and {r.runner for r in records} == {"local"}:
        wait = summarize(records)["wait_per_task_s"] or 0.0
        yield (f"  note: the local runner's per-job overhead is {wait:.3f} s of wait: it has no queue "
               "(on a real SLURM each job waits seconds)")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("runs", nargs="+", type=Path)
    parser.add_argument("--save-best", action="store_true", help="write best.json")
    args = parser.parse_args(argv)
    print(f"{'run':<16} {'mode':<15} {'tasks':>5} {'wait':>9} {'start-up':>9} {'overhead':>9} {'wall':>9}  runner")
    best, least = None, None
    for run in args.runs:
        records, broken = load_tasks(run)
        stats = summarize(records)
        print(describe(run, records, stats))
        for line in warnings(run, records, broken):
            print(line)
        if stats["complete"] and (least is None or stats["overhead_per_task_s"] < least[1]):
            least = (run, stats["overhead_per_task_s"])
        if best is None and records and records[0].mode == "hyperqueue" and stats["best"]:
            best = {"run": str(run), **stats["best"]}
    if least:
        print(f"least overhead per task: {least[0]} ({least[1]:.3f} s)")
    if best:
        print(f"fastest in {best['run']}: {best['params']} at {best['seq_per_s']:.0f} seq/s")
    if args.save_best:
        if best is None:
            print("no HyperQueue run with finished tasks: nothing to save", file=sys.stderr)
            return 1
        Path("best.json").write_text(json.dumps(best, indent=2) + "\n")
        print("wrote best.json")
    return 0


if __name__ == "__main__":
    sys.exit(main())
