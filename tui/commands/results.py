"""`hptune-tui results RUN_DIR [--json|--csv]`: the trials table of a run."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

HELP = "print the trials table of a run (RUN_DIR, an exercise folder or id such as 01: its latest run with trials)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("run_dir", metavar="RUN_DIR", help="a run folder, an exercise folder, or an exercise id (01)")
    fmt = parser.add_mutually_exclusive_group()
    fmt.add_argument("--json", action="store_true", help="print JSON: counts, best trial and every trial")
    fmt.add_argument("--csv", action="store_true", help="print the table as CSV")
    parser.add_argument("--sort", help="column to sort by (default: val_acc, best first)")
    parser.add_argument("--metric", default="val_acc", help="the metric that ranks trials (default val_acc)")
    parser.add_argument("--minimize", action="store_true", help="lower metric is better (e.g. val_loss)")


def _resolve(target: str, settings) -> Path | None:
    """The run to print, as the trials screen would pick it; None (and one line on stderr) when there is none."""
    from tui.workflows.results import TargetError, choose, resolve

    try:
        chosen = resolve(target, settings.workspace)
    except TargetError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return None
    pick = choose(chosen)
    if pick.run_dir is None:
        print(f"error: {chosen.where} holds no runs yet: submit the job first", file=sys.stderr)
        return None
    if not chosen.fixed:
        print(pick.note or f"latest run: {pick.run_dir}", file=sys.stderr)
    return pick.run_dir


def run(args: argparse.Namespace, settings) -> int:
    from tui.results.table import TrialTable
    from tui.results.tailer import RunTailer
    from tui.workflows.results import summary

    run_dir = _resolve(args.run_dir, settings)
    if run_dir is None:
        return 2
    tailer = RunTailer(run_dir)
    tailer.refresh()
    for note in tailer.notes():  # files over the tailer's bounds: say what was not read
        print(f"{run_dir}: {note}", file=sys.stderr)
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
    best = table.best()
    print("\n" + summary(run_dir.name, tailer.counts(), (best["trial"], best[args.metric]) if best else None))
    return 0
