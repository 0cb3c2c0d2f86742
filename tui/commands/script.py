"""`hptune-tui script TEMPLATE [--set KEY=VALUE]... [-o FILE]`: render a job script."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

HELP = "render a job script from a template in slurm_templates/ (exit 2 with one line per invalid field)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("template", nargs="?", help="template name, with or without .sh.j2 (see --list)")
    parser.add_argument("--set", dest="pairs", action="append", default=[], metavar="KEY=VALUE",
                        help="set a field, e.g. --set time=1:00:00 --set array=0-31%%8 (repeatable)")
    parser.add_argument("-o", "--output", type=Path, help="write the script to FILE instead of stdout")
    parser.add_argument("--force", action="store_true", help="overwrite FILE if it exists")
    parser.add_argument("--list", action="store_true", help="list the templates and their extra keys")


def run(args: argparse.Namespace, settings) -> int:
    from tui.jobscript.render import list_templates, render
    from tui.jobscript.spec import JobSpec, SpecInputError
    from tui.jobscript.templates import template_info, validate_for

    if args.list:
        for name in list_templates():
            info = template_info(name)
            extras = ", ".join(f"{key}={extra.default}" for key, extra in info.extras.items())
            print(f"{name[:-len('.sh.j2')]:16} {info.title}" + (f"  [extras: {extras}]" if extras else ""))
        return 0
    if not args.template:
        print("hptune-tui script: give a TEMPLATE (see --list)", file=sys.stderr)
        return 2
    try:
        info = template_info(args.template)
    except KeyError as exc:
        print(f"hptune-tui script: {exc.args[0]}", file=sys.stderr)
        return 2
    base = info.default_spec()
    # The learner's configured account and partition are better starting values than none.
    if info.batch:
        base.account = base.account or settings.account
        base.partition = base.partition or settings.partition
    try:
        spec = JobSpec.from_pairs(args.pairs, base=base, extra_keys=tuple(info.extras))
    except SpecInputError as exc:
        for line in exc.problems:
            print(line, file=sys.stderr)
        return 2
    # The limits `doctor` recorded (partitions, accounts, MaxArraySize): the form and lint use them too.
    from tui.jobscript.limits import site_limits

    limits = site_limits(settings.workspace)
    errors = validate_for(info, spec, limits)
    if errors:
        for name, message in errors.items():
            print(f"{name}: {message}", file=sys.stderr)
        return 2
    return _emit(render(info.name, spec, limits), args)


def _emit(text: str, args: argparse.Namespace) -> int:
    if args.output is None:
        sys.stdout.write(text)
        return 0
    if args.output.exists() and not args.force:
        print(f"hptune-tui script: {args.output} exists; use --force to overwrite it", file=sys.stderr)
        return 2
    from tui.fsutil import atomic_write_text

    try:
        atomic_write_text(args.output, text)
    except OSError as exc:
        print(f"hptune-tui script: cannot write {args.output}: {exc}", file=sys.stderr)
        return 2
    print(f"wrote {args.output}", file=sys.stderr)
    return 0
