"""`hptune-tui class [DIR] [--json] [--live] [--mine]`: the teacher's class view, or the learner's own summary."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

HELP = "the class view of a class folder (DIR, default: the class_dir setting); --mine: what you publish"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("dir", metavar="DIR", nargs="?", type=Path, help="the class folder (default: class_dir)")
    parser.add_argument("--json", action="store_true",
                        help='print {"learners", "best", "leaderboard", "methods", "notes"} as JSON')
    parser.add_argument("--live", action="store_true", help="open the class screen (refreshes as learners publish)")
    parser.add_argument("--any-owner", action="store_true",
                        help="read summaries whoever owns them (a folder you assembled yourself, e.g. from an archive)")
    parser.add_argument("--mine", action="store_true",
                        help="print the summary your app publishes (and where), built from your workspace now")


def run(args: argparse.Namespace, settings) -> int:
    if args.mine:
        return _mine(settings)
    folder = args.dir or (Path(settings.class_dir) if settings.class_dir else None)
    if folder is None:
        print("hptune-tui class: no class folder: give DIR or set class_dir (course config, hptune.toml "
              "or HPTUNE_CLASS_DIR)", file=sys.stderr)
        return 2
    if args.live:
        return _live(settings, folder)
    return _print(folder, args.json, not args.any_owner)


def _print(folder: Path, as_json: bool, check_owner: bool = True) -> int:
    from tui.classroom.collect import ClassReader
    from tui.classroom.report import (
        COST_COLUMNS,
        LEADER_COLUMNS,
        LEARNER_COLUMNS,
        class_json,
        cost_cells,
        leader_cells,
        learner_cells,
        text_table,
    )

    reader = ClassReader(folder, check_owner=check_owner)
    reader.refresh()
    if reader.problem:
        print(f"hptune-tui class: {reader.problem}", file=sys.stderr)
        return 2
    data = class_json(reader.summaries(), reader.notes(), time.time())
    for note in data["notes"]:
        print(f"skipped: {note}", file=sys.stderr)
    if as_json:
        print(json.dumps(data, indent=2))
        return 0
    print(f"{len(data['learners'])} learners in {folder}\n")
    print(text_table(LEARNER_COLUMNS, [learner_cells(r) for r in data["learners"]]))
    print("\nLeaderboard\n" + text_table(LEADER_COLUMNS, [leader_cells(i, e)
                                                          for i, e in enumerate(data["leaderboard"], 1)]))
    print("\nMethod against cost\n" + text_table(COST_COLUMNS, [cost_cells(r) for r in data["methods"]]))
    return 0


def _mine(settings) -> int:
    from tui.classroom.publish import current_user, target
    from tui.classroom.summary import build_summary

    path = target(settings)
    print(json.dumps(build_summary(settings, current_user()), indent=2, sort_keys=True))
    print(f"published to {path} after each check and each finished run" if path is not None else
          "not publishing: no class folder is set (class_dir)", file=sys.stderr)
    return 0


def _live(settings, folder: Path) -> int:
    """The class screen alone (read-only: the teacher's own workspace is not needed nor touched)."""
    from tui.app import make_app

    make_app(settings, start_screen=f"class:{folder}", resume=False, read_only=True).run()
    return 0
