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
    from tui.cluster.factory import cli_prompts
    from tui.cluster.registry import is_job_id
    from tui.workflows.jobs import Backends, cancel, one_line

    if not is_job_id(args.job_id):
        print(f"hptune-tui cancel: {args.job_id!r} is not a job id (use 123, 123_4 or hq7)", file=sys.stderr)
        return 2
    backends = Backends(settings, interactive=cli_prompts())
    try:
        cancel(settings, backends, args.job_id, getattr(args, "backend", None))
    except OSError:
        raise  # the workspace's own files (another user's?): the CLI's one line for every command
    except Exception as exc:  # noqa: BLE001 - the scheduler's words (or the connection's), one line
        print(f"hptune-tui cancel: {one_line(exc)}", file=sys.stderr)
        return 1
    finally:
        backends.close()
    print(f"cancelled {args.job_id}")
    return 0
