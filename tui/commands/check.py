"""`hptune-tui check EXERCISE [--json] [--path DIR] [--run RUN_DIR]`: run an exercise's checks."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

HELP = "run the checks of an exercise (exit 0 when all pass, 1 otherwise)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("exercise", metavar="EXERCISE", help="exercise id (01), number (1) or folder name")
    parser.add_argument("--json", action="store_true",
                        help='print {"exercise", "passed", "checks": [{"id", "passed", "message", "hints"}]}')
    parser.add_argument("--path", type=Path, help="the folder to check (default: WORKSPACE/<exercise folder>)")
    parser.add_argument("--run", type=Path, help="the run to check (default: the latest in DIR/runs)")
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds your code may run (default 30)")
    parser.add_argument("--watch", action="store_true", help="run again whenever sample.py or job.sh is saved "
                        "(Ctrl-C stops)")


def _print_text(report) -> None:
    shown = ""
    for check in report.checks:
        print(f"{'PASS' if check.passed else 'FAIL'}  {check.id:<26} {check.message}")
        if not check.passed:
            if check.details and check.details != shown:  # one traceback often fails several checks
                print("      " + check.details.replace("\n", "\n      "))
                shown = check.details
            if check.hints:
                print(f"      hint: {check.hints[0]}")
    n_pass = sum(c.passed for c in report.checks)
    print(f"\n{n_pass}/{len(report.checks)} checks pass" + (": exercise done." if report.passed else "."),
          flush=True)


def run(args: argparse.Namespace, settings) -> int:
    from tui.checks.runner import NoChecks
    from tui.course.catalog import bundled_catalog

    try:
        item = bundled_catalog().exercise(args.exercise)
    except KeyError as exc:
        print(f"error: {exc.args[0]}", file=sys.stderr)
        return 2
    path = args.path or Path(settings.workspace) / item.dir
    if not path.is_dir():
        print(f"error: {path} is not a folder (run `hptune-tui init` to create the workspace, "
              "or give --path)", file=sys.stderr)
        return 2
    if args.run is not None and not args.run.is_dir():
        print(f"error: run folder {args.run} does not exist", file=sys.stderr)
        return 2
    try:
        report = _run_once(args, item.id, path)
    except NoChecks as exc:
        print(f"error: {exc.args[0]}", file=sys.stderr)
        return 2
    if report.passed and args.path is None:
        _mark_done(settings.workspace, item.id)
    own = settings if args.path is None else None  # only the learner's own workspace is published
    _publish(own, report)
    if args.watch:
        _watch(args, item.id, path, own)
    return 0 if report.passed else 1


def _publish(settings, report) -> None:
    """Publish the learner's summary to the class folder (when one is set), saying so if it fails."""
    if settings is None:
        return
    from tui.classroom.publish import after_check

    note = after_check(settings, report)
    if note:
        print(f"note: {note}", file=sys.stderr)


def _mark_done(workspace: Path, exercise: str) -> None:
    """All checks pass in the learner's own workspace: the course map shows the exercise as done."""
    from tui.course.progress import ProgressStore

    store = ProgressStore.open(workspace)
    if store.problem:
        print(f"note: progress not saved: {store.problem}", file=sys.stderr)
    else:
        store.set_completed(exercise)


def _run_once(args: argparse.Namespace, exercise: str, path: Path):
    from tui.checks.runner import run_checks

    report = run_checks(exercise, path=path, run_dir=args.run, timeout_s=args.timeout)
    if args.json:
        print(json.dumps(report.to_dict(), indent=2), flush=True)
    else:
        _print_text(report)
    return report


def _watch(args: argparse.Namespace, exercise: str, path: Path, settings=None) -> None:
    from tui.checks.runner import check_module
    from tui.checks.watch import watch

    files = check_module(exercise).CODE_FILES
    print(f"\nwatching {', '.join(files)} in {path} (Ctrl-C stops)", file=sys.stderr, flush=True)

    def again(changed: list[str]) -> None:
        print(f"\n--- {', '.join(changed)} changed ---", file=sys.stderr, flush=True)
        _publish(settings, _run_once(args, exercise, path))

    watch(path, files, again)
