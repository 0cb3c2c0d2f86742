"""`hptune-tui status [--json] [JOBID...]`: the state of every tracked job, array tasks expanded."""

from __future__ import annotations

import argparse
import json
import sys

HELP = "show the jobs submitted from this workspace (or the given ids), array tasks expanded"
COLUMNS = (("job_id", "JOBID", 12), ("state", "STATE", 11), ("exit_code", "EXIT", 5), ("elapsed", "ELAPSED", 9),
           ("time_limit", "LIMIT", 9), ("reason", "REASON", 18), ("name", "NAME", 0))


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("job_ids", nargs="*", metavar="JOBID", help="more job ids to show (123, 123_4, or hq7 for HyperQueue)")
    parser.add_argument("--json", action="store_true", help="print a JSON list of task states")
    parser.add_argument("--backend", choices=["auto", "local", "slurm", "ssh", "hyperqueue"], default=argparse.SUPPRESS,
                        help="backend for the ids given here (default: the settings')")


def run(args: argparse.Namespace, settings) -> int:
    """Print the states; exit 1 when a scheduler did not answer, 2 on a malformed id."""
    from tui.cluster.backend import BackendError

    from tui.cluster.hyperqueue import JOB_ID

    bad = [j for j in args.job_ids if not JOB_ID.fullmatch(j)]
    if bad:
        print(f"hptune-tui status: not a job id: {', '.join(bad)}", file=sys.stderr)
        return 2
    tasks, failed = [], False
    for (name, host), ids in _groups(args, settings).items():
        try:
            tasks.extend(_backend(settings, name, host).status(ids))
        except BackendError as exc:
            print(f"hptune-tui status: {name or 'backend'}: {exc}", file=sys.stderr)
            failed = True
    if args.json:
        print(json.dumps([dict(t.__dict__, finished=t.finished) for t in tasks], indent=2))
    else:
        print(_table(tasks) if tasks else "no jobs")
    return 1 if failed else 0


def _groups(args, settings) -> dict[tuple[str, str], list[str]]:
    """Job ids grouped by the backend (and ssh host) that knows them."""
    from tui.cluster.hyperqueue import is_embedded_id, may_have_jobs
    from tui.cluster.tracking import tracked_jobs

    groups: dict[tuple[str, str], list[str]] = {}
    for job in tracked_jobs(settings.workspace):
        groups.setdefault((job.backend, job.host if job.backend == "ssh" else ""), []).append(job.job_id)
    if not args.job_ids and may_have_jobs(settings.workspace):  # HyperQueue's jobs live outside the runs
        hq_ids = _backend(settings, "hyperqueue", "").job_ids()
        if hq_ids:
            groups.setdefault(("hyperqueue", ""), []).extend(hq_ids)
    for job_id in args.job_ids:
        name = "hyperqueue" if is_embedded_id(job_id) else getattr(args, "backend", None) or ""
        groups.setdefault((name, settings.ssh_host if name in ("", "ssh") else ""), []).append(job_id)
    return {k: list(dict.fromkeys(v)) for k, v in groups.items()}


def _backend(settings, name: str, host: str):
    from tui.cluster.factory import make_backend

    return make_backend(settings.with_changes(ssh_host=host or settings.ssh_host), name or None,
                        interactive=_prompts())


def _table(tasks) -> str:
    lines = ["  ".join(title.ljust(width) for _, title, width in COLUMNS)]
    for task in tasks:
        cells = [str(getattr(task, key) or "-") for key, _, _ in COLUMNS]
        lines.append("  ".join(c.ljust(w) for c, (_, _, w) in zip(cells, COLUMNS)))
    return "\n".join(lines)


def _prompts():
    """Two-factor prompts at the terminal, when there is one to ask at."""
    from tui.cluster.factory import terminal_prompts

    return terminal_prompts if sys.stdin.isatty() else None
