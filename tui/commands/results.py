"""`hptune-tui results RUN_DIR [--json|--csv]`: the trials table of a run."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

HELP = "print the trials table of a run (RUN_DIR, or an exercise folder for its latest run)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("run_dir", type=Path, metavar="RUN_DIR")
    fmt = parser.add_mutually_exclusive_group()
    fmt.add_argument("--json", action="store_true", help="print JSON: counts, best trial and every trial")
    fmt.add_argument("--csv", action="store_true", help="print the table as CSV")
    parser.add_argument("--sort", help="column to sort by (default: val_acc, best first)")
    parser.add_argument("--metric", default="val_acc", help="the metric that ranks trials (default val_acc)")
    parser.add_argument("--minimize", action="store_true", help="lower metric is better (e.g. val_loss)")


def _resolve(run_dir: Path) -> Path | None:
    from tui.results.runs import is_run, latest_run

    if not run_dir.is_dir():
        print(f"error: {run_dir} is not a folder", file=sys.stderr)
        return None
    if not is_run(run_dir) and (run_dir / "runs").is_dir():
        latest = latest_run(run_dir)
        if latest is None:
            print(f"error: {run_dir}/runs holds no runs yet", file=sys.stderr)
            return None
        print(f"latest run: {latest}", file=sys.stderr)
        return latest
    if not is_run(run_dir):
        print(f"error: {run_dir} is not a run folder (it has no trials/, run.json or job.sh)", file=sys.stderr)
        return None
    return run_dir


def run(args: argparse.Namespace, settings) -> int:
    from tui.results.table import TrialTable
    from tui.results.tailer import RunTailer

    run_dir = _resolve(args.run_dir)
    if run_dir is None:
        return 2
    tailer = RunTailer(run_dir)
    tailer.refresh()
    table = TrialTable(tailer, args.metric, "min" if args.minimize else "max")
    if args.json:
        out = {"run": str(run_dir), "metric": args.metric, "counts": tailer.counts(),
               "best": table.best(), "trials": table.rows()}
        print(json.dumps(out, indent=2, default=str))
        return 0
    if not tailer.trials:
        print(f"{run_dir}: no trials yet", file=sys.stderr)
        return 0
    frame = table.frame(args.sort)
    if args.sort and args.sort not in frame.columns:
        print(f"error: no column {args.sort!r}; columns: {', '.join(frame.columns)}", file=sys.stderr)
        return 2
    if args.csv:
        frame.to_csv(sys.stdout, index=False)
        return 0
    columns = ["trial", "status", args.metric, "best_step", "steps"] + table.param_names(varying_only=True)
    print(frame[[c for c in columns if c in frame.columns]].to_string(index=False, float_format=lambda v: f"{v:.4g}"))
    counts = ", ".join(f"{n} {s}" for s, n in sorted(tailer.counts().items()))
    best = table.best()
    print(f"\n{len(tailer.trials)} trials: {counts}" + (f"; best {best['trial']} {args.metric}={best[args.metric]:.4f}" if best else ""))
    return 0
