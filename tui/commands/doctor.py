"""`hptune-tui doctor`: what this machine offers: scheduler, accounts, partitions, limits, hq, ssh target."""

from __future__ import annotations

import argparse
import json
import sys

HELP = "report the scheduler, accounts, partitions, GPU types, limits, HyperQueue and ssh target found"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print the findings as one JSON object")
    parser.add_argument("--cached", action="store_true",
                        help="show the last findings saved in the workspace instead of asking again")


def run(args: argparse.Namespace, settings) -> int:
    """Discover (or read the cache), print the report; exit 1 when a command failed, else 0."""
    from tui.cluster import discovery

    info = discovery.load_cached(settings.workspace) if args.cached else None
    not_saved = ""
    if info is None:
        info = discovery.discover(ssh_target=settings.ssh_host)
        not_saved = _save(settings.workspace, info)
    backend = backend_label(settings, info)
    if args.json:
        print(json.dumps({**info.to_json(), "backend": backend, "backends": backend_list()}, indent=2, sort_keys=True))
    else:
        print(render(info, backend, settings))
    if not_saved:
        print(f"hptune-tui doctor: {not_saved}", file=sys.stderr)
    return 1 if info.errors else 0


def _save(workspace, info) -> str:
    """Save the findings for lint and the form; what went wrong, in one line, when they could not be."""
    from tui.cli import os_error_line
    from tui.cluster import discovery

    try:
        discovery.save_cache(workspace, info)
    except OSError as exc:  # a read-only or another user's workspace: the report is still worth printing
        return (f"the findings were not saved, so lint and the form use Slurm's defaults: "
                f"{os_error_line(exc, workspace)}")
    return ""


def backend_label(settings, info) -> str:
    """Which runner jobs will go to, as the status line names it."""
    if settings.backend == "auto" and not settings.ssh_host:
        return "SLURM on this host" if info.has_slurm else "local runner"
    from tui.cluster.factory import describe

    return describe(settings)


def backend_list() -> dict[str, str]:
    """Every backend `--backend` takes, with its description (tui.cluster.registry)."""
    from tui.cluster.registry import all_backends

    return {info.name: info.description for info in all_backends()}


def _partition_line(part) -> str:
    gpus = ", ".join(part.gpu_types) if part.gpu_types else "none"
    nodes = f"{part.nodes} node{'s' if part.nodes != 1 else ''}"
    name = part.name + ("*" if part.default else "")
    return (f"  {name:<12} {part.available:<5} time limit {part.time_limit:<12} {nodes:<9} "
            f"{part.cpus_per_node} CPUs/node  GPUs: {gpus}")


def _scheduler_lines(info) -> list[str]:
    if not info.has_slurm:
        if info.errors:
            return ["Scheduler    SLURM commands found but not working (see Problems): "
                    "jobs will run with the local runner"]
        return ["Scheduler    no SLURM found (sinfo is not on PATH): jobs will run with the local runner"]
    accounts = ", ".join(info.accounts) or "none found"
    source = f"  (from {info.account_source})" if info.account_source else ""
    lines = [f"Scheduler    SLURM {info.version}", f"User         {info.user or '?'}",
             f"Accounts     {accounts}{source}", "Partitions   (* = default)"]
    lines += [_partition_line(p) for p in info.partitions] or ["  none found"]
    array = f"{info.max_array_size} (array indices 0-{info.max_array_size - 1})" if info.max_array_size else "?"
    lines.append(f"Limits       MaxArraySize {array}, MaxJobCount {info.max_job_count or '?'}")
    return lines


def render(info, backend: str, settings) -> str:
    """The readable report."""
    hq = f"hq {info.hq_version}" if info.hq_version else "hq not on PATH"
    package = "installed" if info.hyperqueue_python else "not installed"
    lines = _scheduler_lines(info) + [
        f"HyperQueue   {hq}; Python package hyperqueue {package}",
        f"SSH target   {info.ssh_target or 'none set (--host or ssh_host in the config)'}",
        f"Backend      {backend}",
        "Backends     (--backend NAME, or backend in the config)",
        *(f"  {name:<12} {description}" for name, description in backend_list().items()),
        f"Workspace    {settings.workspace}",
    ]
    if info.errors:
        lines.append("Problems")
        lines += [f"  {error}" for error in info.errors]
    return "\n".join(lines)
