"""Command line entry point. No subcommand opens the app; each subcommand lives in tui/commands/.

Command modules are imported lazily and must keep their top-level imports light (argparse and
the standard library), so that `hptune-tui --help` stays fast on a busy login node.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from pathlib import Path

from tui import __version__

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
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="hptune-tui",
        description="Companion app of the hyperparameter-tuning course. Without a command it opens the app.",
    )
    parser.add_argument("--version", action="version", version=f"hptune-tui {__version__}")
    parser.add_argument("-w", "--workspace", type=Path, help="course workspace (default: HPTUNE_WORKSPACE, "
                        "the current directory if it is one, else ~/hptune-course)")
    parser.add_argument("--backend", choices=["auto", "local", "slurm", "ssh"], help="where jobs run")
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
    from tui.settings import load_settings

    settings = load_settings(workspace=args.workspace)
    if args.backend:
        settings.backend = args.backend
    if args.host:
        settings.ssh_host = args.host
    if args.command is None:
        from tui.commands.open_app import run_app

        return run_app(settings)
    try:
        return int(args._module.run(args, settings) or 0)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `hptune-tui results RUN | head`: the reader left, that is fine
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


def entry() -> None:  # pragma: no cover - thin wrapper
    sys.exit(main())


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
