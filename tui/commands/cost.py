"""`hptune-tui cost [EXERCISE] [--json]`: what the tracked jobs used, per exercise (tui.results.cost).

Core-hours, GPU-hours, wall time, queue wait and the useful share, then one sentence per
exercise. A backend whose accounting did not answer is a line on stderr (and in `errors` with
--json) and the exit status is 1: its jobs are missing, so the answer is never "no jobs" then.
"""

from __future__ import annotations

import argparse
import sys

HELP = "what the tracked jobs used: core-hours, GPU-hours, wall time, queue wait, useful share"
HEADER = ("EXERCISE", "JOBS", "TASKS", "CORE-H", "GPU-H", "WALL", "WAIT/TASK", "USEFUL")
WIDTHS = (9, 5, 6, 8, 7, 8, 10, 6)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("exercise", nargs="?", metavar="EXERCISE",
                        help='only this exercise ("01", "1" or "01_random_search"); default: every one')
    parser.add_argument("--json", action="store_true",
                        help='print {"jobs": [...], "exercises": {id: totals}, "errors": [...], "notes": [...]}')


def run(args: argparse.Namespace, settings) -> int:
    """Print the ledger; exit 1 when a backend did not answer, 2 on an unknown exercise."""
    from tui.course.catalog import bundled_catalog
    from tui.results.cost import ledger

    exercise = None
    if args.exercise is not None:
        try:
            exercise = bundled_catalog().exercise(args.exercise).id
        except KeyError as exc:
            print(f"hptune-tui cost: {exc.args[0]}", file=sys.stderr)
            return 2
    from tui.commands.backends import print_answer, with_backends

    # the backends are made only if ssh jobs need them
    ok, book = with_backends("cost", settings, lambda backends: ledger(settings, exercise=exercise, backends=backends))
    if not ok:
        return 1
    return print_answer("cost", book.errors, book.to_json() if args.json else None,
                        report(book, exercise) if book.jobs else "",
                        f"no tracked jobs of exercise {exercise}" if exercise else "no tracked jobs")


def report(book, exercise: str | None = None) -> str:
    """The table (one row per exercise), then each exercise's sentence and the ledger's notes."""
    names = [exercise] if exercise else book.exercises()
    rows = [_row(book.totals(name) if name else _no_exercise(book)) for name in names]
    lines = [_line(HEADER)] + [_line(r) for r in rows] + [""]
    lines += [f"{name or 'outside the exercises'}: {_summary(book, name)}" for name in names]
    lines += [f"note: {note}" for note in book.notes]
    return "\n".join(lines)


def _no_exercise(book):
    from tui.results.cost import total

    return total("", [j for j in book.jobs if not j.exercise])


def _summary(book, name: str) -> str:
    from tui.results.cost import summary_line

    return book.summary_line(name) if name else summary_line(_no_exercise(book))


def _row(cost) -> tuple[str, ...]:
    wait = cost.mean_queue_wait_s
    useful = "-" if cost.useful_fraction is None or not cost.useful_s else f"{100 * cost.useful_fraction:.0f}%"
    return (cost.exercise or "-", str(cost.jobs), str(cost.tasks), hours(cost.cpu_hours), hours(cost.gpu_hours),
            duration(cost.wall_s), "-" if wait is None else duration(wait), useful)


def _line(cells) -> str:
    return "  ".join(str(c).ljust(w) for c, w in zip(cells, WIDTHS)).rstrip()


def hours(value: float) -> str:
    """Hours with the decimals that show a small course job: `12.3`, `0.42`, `0.0006`, `0`."""
    if value == 0:
        return "0"
    return f"{value:.1f}" if value >= 10 else f"{value:.2f}" if value >= 0.01 else f"{value:.4f}"


def duration(seconds: float) -> str:
    """`4.2 s`, `12 min`, `1.5 h`."""
    if seconds < 60:
        return f"{seconds:.1f} s"
    return f"{seconds / 60:.0f} min" if seconds < 3600 else f"{seconds / 3600:.1f} h"
