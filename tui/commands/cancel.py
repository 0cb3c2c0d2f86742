"""`hptune-tui cancel JOBID`: cancel a job, or one array task (`JOB_TASK`), through the backend
that submitted it (tui.workflows.jobs, the same path as the jobs screen)."""

from __future__ import annotations

import argparse
import sys

HELP = "cancel a job or one array task (JOB_TASK)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from tui.cluster.registry import choices as backend_choices

    parser.add_argument("job_id", help="the job id, or JOB_TASK for one array task")
    parser.add_argument("--backend", choices=backend_choices(), default=argparse.SUPPRESS,
                        help="where the job runs (default: the one that submitted it, else the settings')")


def run(args: argparse.Namespace, settings) -> int:
    """Cancel; exit 0 when done, 1 when the scheduler refused or did not answer, 2 on a malformed id.

    Only "cancelled ..." goes to stdout, and only when the backend said so; any failure is one line
    on stderr (never a traceback).
    """
    from tui.cluster.registry import is_job_id
    from tui.commands.backends import with_backends
    from tui.workflows.jobs import cancel

    if not is_job_id(args.job_id):
        print(f"hptune-tui cancel: {args.job_id!r} is not a job id (use 123, 123_4 or hq7)", file=sys.stderr)
        return 2
    ok, _ = with_backends("cancel", settings,
                          lambda backends: cancel(settings, backends, args.job_id, getattr(args, "backend", None)))
    if not ok:
        return 1
    print(f"cancelled {args.job_id}")
    return 0
