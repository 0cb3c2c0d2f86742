"""Command line entry point. No subcommand opens the app; each subcommand lives in tui/commands/.

Command modules are imported lazily and must keep their top-level imports light (argparse and
the standard library), so that `hptune-tui --help` stays fast on a busy login node.
"""

from __future__ import annotations

import argparse
import importlib
import re
import sys
from pathlib import Path

from tui import __version__
from tui.cluster.registry import choices as backend_choices

# name -> module in tui.commands; each module defines HELP, add_arguments(parser), run(args, settings).
COMMANDS: dict[str, str] = {
    "results": "results",
    "check": "check",
    "init": "init",
    "doctor": "doctor",
    "export": "export",
    "script": "script",
    "lint": "lint",
    "submit": "submit",
    "status": "status",
    "cancel": "cancel",
    "cost": "cost",
    "class": "class_cmd",
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="hptune-tui",
        description="Companion app of the hyperparameter-tuning course. Without a command it opens the app.",
    )
    parser.add_argument("--version", action="version", version=f"hptune-tui {__version__}")
    parser.add_argument("-w", "--workspace", type=Path, help="course workspace (default: HPTUNE_WORKSPACE, "
                        "the current directory if it is one, else ~/hptune-course)")
    parser.add_argument("--backend", choices=backend_choices(), help="where jobs run")
    parser.add_argument("--host", help="login node for the ssh backend (an ~/.ssh/config alias or user@host[:port])")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, module_name in COMMANDS.items():
        module = importlib.import_module(f"tui.commands.{module_name}")
        cmd = sub.add_parser(name, help=module.HELP, description=module.HELP)
        module.add_arguments(cmd)
        cmd.set_defaults(_module=module)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return _run(args)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `hptune-tui results RUN | head`: the reader left, that is fine
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except OSError as exc:  # one place for every command: a line that says what to do, never a traceback
        print(f"hptune-tui {args.command or ''}".rstrip() + f": {os_error_line(exc, args.workspace)}",
              file=sys.stderr)
        return 2


def _run(args: argparse.Namespace) -> int:
    from tui.settings import load_settings

    settings = load_settings(workspace=args.workspace)
    args.workspace = settings.workspace  # os_error_line names it
    if args.backend:
        settings.backend = args.backend
    if args.host:
        settings.ssh_host = args.host
    if args.command is None:
        from tui.commands.open_app import run_app

        return run_app(settings)
    return int(args._module.run(args, settings) or 0)


_TEMP = re.compile(r"\.(.+)\.\w{8}\.tmp")  # tui.fsutil's temp names: .NAME.XXXXXXXX.tmp


def os_error_line(exc: OSError, workspace: Path | None = None) -> str:
    """`permission denied: /home/ann/hptune-course (a workspace of another user? ...)` for any OSError."""
    import errno
    import os

    what = (exc.strerror or type(exc).__name__).lower()
    path = Path(os.path.abspath(exc.filename)) if isinstance(exc.filename, str) else None
    if path is not None and _TEMP.fullmatch(path.name):  # an atomic write's temp file: name the real one
        path = path.with_name(_TEMP.fullmatch(path.name)[1])
    if workspace is not None:
        workspace = Path(os.path.abspath(Path(workspace).expanduser()))
        inside = path is not None and (path == workspace or workspace in path.parents)
    else:  # the settings could not be read: their own file is the workspace's
        inside = path is not None and path.name == "hptune.toml"
    if exc.errno in (errno.EACCES, errno.EPERM):
        hint = "a workspace of another user? choose yours with --workspace" if inside else \
            "check who owns it and its permissions"
    elif exc.errno == errno.EROFS:
        hint = "a read-only file system: choose a writable workspace with --workspace"
    elif exc.errno == errno.ENOSPC:
        hint = "the disk is full: free some space (old runs/ folders?)"
    else:
        hint = ""
    where = f": {path if path is not None else exc.filename}" if exc.filename else ""
    return f"{what}{where}" + (f" ({hint})" if hint else "")


def entry() -> None:  # pragma: no cover - thin wrapper
    sys.exit(main())


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
