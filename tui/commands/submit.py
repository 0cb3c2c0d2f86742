"""`hptune-tui submit SCRIPT`: submit a job script; print the job id (recorded in the run's run.json)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

HELP = "submit a job script to the scheduler (or the local runner); prints the job id"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from tui.cluster.registry import choices as backend_choices

    parser.add_argument("script", type=Path, help="the job script")
    parser.add_argument("--backend", choices=backend_choices(), default=argparse.SUPPRESS,
                        help="where the job runs (default: the settings' backend)")
    parser.add_argument("--host", default=argparse.SUPPRESS, help="login node for the ssh backend")
    parser.add_argument("--test-only", action="store_true", help="ask when it would start; submit nothing")
    parser.add_argument("--force-local", action="store_true",
                        help="let the local runner run jobs even on a host with a working SLURM")


def run(args: argparse.Namespace, settings) -> int:
    """Submit; exit 0 with the id on stdout, 1 when refused (here or by the scheduler), 2 on bad input."""
    from tui.cluster.backend import BackendError
    from tui.cluster.factory import cli_prompts, make_backend
    from tui.workflows.submit import submit_script

    script = args.script.expanduser().resolve()
    if not script.is_file():
        print(f"hptune-tui submit: no such script: {args.script}", file=sys.stderr)
        return 2
    if getattr(args, "host", None):
        settings.ssh_host = args.host
    try:
        backend = make_backend(settings, getattr(args, "backend", None), force_local=args.force_local,
                               interactive=cli_prompts())
        done = submit_script(backend, script, test_only=args.test_only, workspace=settings.workspace,
                             host=settings.ssh_host)
    except BackendError as exc:
        print(f"hptune-tui submit: {exc}", file=sys.stderr)
        return 1
    for line in done.notes + [f"warning: {w}" for w in done.warnings]:
        print(line, file=sys.stderr)
    print(done.message if args.test_only else done.job_id)
    return 0
