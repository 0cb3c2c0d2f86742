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
    from tui.jobscript.limits import site_limits
    from tui.jobscript.lint import lint_script
    from tui.jobscript.source import ScriptReadError, read_script_text

    try:
        # Bounded: sbatch refuses scripts over 4 MiB, so /dev/zero or a huge file is refused, not read.
        text = read_script_text(args.script)
    except OSError as exc:
        reason = str(exc) if isinstance(exc, ScriptReadError) else f"cannot read {args.script}: {exc.strerror or exc}"
        print(f"hptune-tui lint: {reason}", file=sys.stderr)
        if args.json:  # the error, not an empty list of findings that would read as "all fine"
            print(json.dumps({"script": str(args.script), "error": reason}, indent=2))
        return 2
    # What `doctor` learned (partitions' limits, MaxArraySize, accounts) is what sbatch will check.
    report = lint_script(text, limits=site_limits(settings.workspace), submit_dir=Path.cwd(),
                         remote=getattr(settings, "backend", "") == "ssh")
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
        # Values may hold bytes that were not UTF-8 (surrogate escapes): print those escaped.
        line = f"{where}: {finding.severity}: {finding.message} [{finding.id}]"
        print(line.encode("utf-8", "backslashreplace").decode("utf-8"))
    counts = {level: sum(f.severity == level for f in report.findings) for level in ("error", "warning")}
    directives = len(report.parsed.directives)
    print(f"{directives} directive{'s' * (directives != 1)} read; "
          f"{counts['error']} error(s), {counts['warning']} warning(s)")
