"""Exercise 3: compare the runs side by side, and record the best configuration.

    python report.py runs/per-task runs/loop runs/hq            one line per run
    python report.py runs/per-task runs/loop runs/hq --save-best   also writes best.json

best.json holds the fastest configuration of the HyperQueue run (the first run given that
ran tasks through HyperQueue), with its seq/s: the check `results.best_config` reads it.
"""

import argparse
import json
import sys
from pathlib import Path

from tui.results.tiny_stats import load_tasks, oversubscribed, summarize


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("runs", nargs="+", type=Path)
    parser.add_argument("--save-best", action="store_true", help="write best.json")
    args = parser.parse_args(argv)
    print(f"{'run':<16} {'mode':<13} {'tasks':>5} {'tasks/s':>8} {'overhead/task':>14} {'lanes':>5}")
    best = None
    for run in args.runs:
        records, broken = load_tasks(run)
        stats = summarize(records)
        mode = records[0].mode if records else "-"
        overhead = stats["overhead_per_task_s"]
        print(f"{str(run):<16} {mode:<13} {stats['complete']:>5} {stats['tasks_per_s']:>8.2f} "
              f"{'-' if overhead is None else f'{overhead:.3f} s':>14} {stats['lanes']:>5}")
        if broken:
            print(f"  {len(broken)} result files could not be read, e.g. {broken[0]}")
        shared = oversubscribed(records)
        if shared:
            print(f"  warning: {len(shared)} tasks ran more threads than the CPUs they were given (task "
                  f"{shared[0].task}: {shared[0].params['threads']} threads on {shared[0].cpus} CPU); their seq/s "
                  "measures cores shared with other tasks: ask for one CPU per thread")
        if best is None and mode == "hyperqueue" and stats["best"]:
            best = {"run": str(run), **stats["best"]}
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
