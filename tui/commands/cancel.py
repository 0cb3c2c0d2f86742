"""`hptune-tui cancel JOBID`: cancel a job, or one array task (`JOB_TASK`)."""

from __future__ import annotations

import argparse
import sys

HELP = "cancel a job or one array task (JOB_TASK)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("job_id", help="the job id, or JOB_TASK for one array task")
    parser.add_argument("--backend", choices=["auto", "local", "slurm", "ssh", "hyperqueue"], default=argparse.SUPPRESS,
                        help="where the job runs (default: the one that submitted it, else the settings')")


def run(args: argparse.Namespace, settings) -> int:
    """Cancel; exit 0 when done, 1 when the scheduler refused, 2 on a malformed id."""
    from tui.cluster.backend import BackendError
    from tui.cluster.factory import make_backend
    from tui.cluster.hyperqueue import JOB_ID, is_embedded_id

    if not JOB_ID.fullmatch(args.job_id):
        print(f"hptune-tui cancel: {args.job_id!r} is not a job id (use 123, 123_4 or hq7)", file=sys.stderr)
        return 2
    name = getattr(args, "backend", None) or ("hyperqueue" if is_embedded_id(args.job_id) else None) \
        or _recorded_backend(settings, args.job_id.split("_")[0])
    try:
        make_backend(settings, name, interactive=_prompts()).cancel(args.job_id)
    except BackendError as exc:
        print(f"hptune-tui cancel: {exc}", file=sys.stderr)
        return 1
    print(f"cancelled {args.job_id}")
    return 0


def _recorded_backend(settings, job_id: str) -> str | None:
    from tui.cluster.tracking import tracked_jobs

    for job in tracked_jobs(settings.workspace):
        if job.job_id == job_id and job.backend:
            if job.backend == "ssh" and job.host and not settings.ssh_host:
                settings.ssh_host = job.host
            return job.backend
    return None


def _prompts():
    """Two-factor prompts at the terminal, when there is one to ask at."""
    from tui.cluster.factory import terminal_prompts

    return terminal_prompts if sys.stdin.isatty() else None
