"""`hptune-tui lint SCRIPT [--json]`: read #SBATCH lines as sbatch does and report what it means."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

HELP = "check a job script's #SBATCH directives as sbatch reads them (exit 1 on errors)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("script", type=Path, help="the batch script to check")
    parser.add_argument("--json", action="store_true", help="print the result as one JSON object")


def run(args: argparse.Namespace, settings) -> int:
    from tui.jobscript.lint import lint_script

    try:
        raw = args.script.read_bytes()
    except OSError as exc:
        print(f"hptune-tui lint: cannot read {args.script}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    # A script that is not UTF-8 is still checked; undecodable bytes show as U+FFFD.
    report = lint_script(raw.decode("utf-8", errors="replace"), submit_dir=Path.cwd())
    if args.json:
        print(json.dumps(_as_json(args.script, report), indent=2))
    else:
        _print_text(args.script, report)
    return 1 if report.has_errors else 0


def _as_json(script: Path, report) -> dict:
    directives = {option: {"value": d.value, "line": d.line} for option, d in report.parsed.directives.items()}
    return {"script": str(script), "directives": directives,
            "findings": [finding.to_dict() for finding in report.findings]}


def _print_text(script: Path, report) -> None:
    for finding in report.findings:
        where = f"{script}:{finding.line}" if finding.line else str(script)
        print(f"{where}: {finding.severity}: {finding.message} [{finding.id}]")
    counts = {level: sum(f.severity == level for f in report.findings) for level in ("error", "warning")}
    directives = len(report.parsed.directives)
    print(f"{directives} directive{'s' * (directives != 1)} read; "
          f"{counts['error']} error(s), {counts['warning']} warning(s)")
