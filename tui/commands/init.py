"""`hptune-tui init [DIR]`: create or refresh a course workspace; never overwrites your edits."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

HELP = "create a course workspace (exercise starters, config); safe to run again"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("dir", nargs="?", type=Path, help="workspace folder (default: the configured workspace)")


def run(args: argparse.Namespace, settings) -> int:
    from tui.course.workspace import WorkspaceError, init_workspace

    target = args.dir or settings.workspace
    try:
        report = init_workspace(target)
    except WorkspaceError as exc:
        print(f"hptune-tui init: {exc}", file=sys.stderr)
        return 2
    print(report.summary())
    return 0
