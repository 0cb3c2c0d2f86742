"""`hptune-tui status [--json] [JOBID...]`: the state of every tracked job, array tasks expanded.

The jobs are those the jobs screen shows (tui.workflows.jobs), grouped by backend. A backend that
fails is one line on stderr and an entry of `errors` in `--json`; stdout never says "no jobs"
then, since that would not be known.
"""

from __future__ import annotations

import argparse
import sys

HELP = "show the jobs submitted from this workspace (or the given ids), array tasks expanded"
COLUMNS = (("job_id", "JOBID", 12), ("state", "STATE", 11), ("exit_code", "EXIT", 5), ("elapsed", "ELAPSED", 9),
           ("time_limit", "LIMIT", 9), ("reason", "REASON", 18), ("name", "NAME", 0))


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from tui.cluster.registry import choices as backend_choices

    parser.add_argument("job_ids", nargs="*", metavar="JOBID",
                        help="show only these jobs (123, 123_4, or hq7 for HyperQueue)")
    parser.add_argument("--json", action="store_true",
                        help='print {"jobs": [task states], "errors": [one line per backend that failed]}')
    parser.add_argument("--backend", choices=backend_choices(), default=argparse.SUPPRESS,
                        help="backend for the ids given here that no run recorded (default: the settings')")


def run(args: argparse.Namespace, settings) -> int:
    """Print the states; exit 1 when a backend did not answer, 2 on a malformed id."""
    from tui.cluster.registry import is_job_id
    from tui.commands.backends import print_answer, with_backends
    from tui.workflows.jobs import ask, jobs_to_show

    bad = [j for j in args.job_ids if not is_job_id(j)]
    if bad:
        print(f"hptune-tui status: not a job id: {', '.join(bad)}", file=sys.stderr)
        return 2
    ok, report = with_backends("status", settings, lambda backends: ask(
        jobs_to_show(settings, backends, args.job_ids, getattr(args, "backend", None)), backends))
    if not ok:
        return 1
    return print_answer("status", report.errors, report.as_json() if args.json else None,
                        _grouped(report) if report.tasks else "", "no jobs")


def _grouped(report) -> str:
    """One table; a heading per backend when more than one answered."""
    groups = {w: t for w, t in report.by_backend.items() if t}
    if len(groups) == 1:
        return _table(next(iter(groups.values())))
    return "\n\n".join(f"== {where.label()} ==\n{_table(tasks)}" for where, tasks in groups.items())


def _table(tasks) -> str:
    lines = ["  ".join(title.ljust(width) for _, title, width in COLUMNS)]
    for task in tasks:
        cells = [str(getattr(task, key) or "-") for key, _, _ in COLUMNS]
        lines.append("  ".join(c.ljust(w) for c, (_, _, w) in zip(cells, COLUMNS)).rstrip())
    return "\n".join(lines)
