"""`hptune-tui export SCREEN -o FILE.svg`: render a screen headless to SVG (slides, tests, docs)."""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

HELP = "render a screen headless to an SVG file (--list names the screens)"


def _size(text: str) -> tuple[int, int]:
    match = re.fullmatch(r"(\d+)x(\d+)", text)
    if not match or not (20 <= int(match[1]) <= 500 and 10 <= int(match[2]) <= 300):
        raise argparse.ArgumentTypeError(f"size must be COLSxROWS like 100x30, got {text!r}")
    return int(match[1]), int(match[2])


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("screen", nargs="?", help="screen name, or NAME:ARG (e.g. lesson:priors)")
    parser.add_argument("-o", "--output", type=Path, help="SVG file to write")
    parser.add_argument("--size", type=_size, default=(100, 30), help="terminal size COLSxROWS (default 100x30)")
    parser.add_argument("--list", action="store_true", help="list the screens that can be exported")


async def export_svg(settings, spec: str, size: tuple[int, int]) -> str:
    """Run the app headless on screen `spec` and return the SVG of what it shows."""
    from tui.app import make_app

    app = make_app(settings, start_screen=spec, resume=False, read_only=True)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        if len(app.workers):  # a data screen still reading: draw what it brings (home starts none)
            await app.workers.wait_for_complete()
            await pilot.pause()
        return app.export_screenshot(title=f"hptune-tui {spec}")


def run(args: argparse.Namespace, settings) -> int:
    from tui.screens.registry import SCREENS, build_screen

    if args.list:
        for name, (_, _, description) in SCREENS.items():
            print(f"{name:14} {description}")
        return 0
    if not args.screen or not args.output:
        print("hptune-tui export: give a SCREEN and -o FILE.svg (or --list)", file=sys.stderr)
        return 2
    try:
        build_screen(args.screen)  # validate the name (and argument) before starting the app
    except KeyError as exc:
        print(f"hptune-tui export: {exc.args[0]}", file=sys.stderr)
        return 2
    import asyncio

    svg = asyncio.run(export_svg(settings, args.screen, args.size))
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(svg, encoding="utf-8")
    print(args.output)
    return 0
