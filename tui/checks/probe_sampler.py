"""Child process of the sample.* checks: import the learner's sampler, draw, write JSON.

    python -m tui.checks.probe_sampler SAMPLER OUT.json [--n 400] [--sweep-tasks T --sweep-seeds 1,2]

Writes {"by_task": [...], "by_seed": [...], "repeat": [[task, seed, draw], ...], "sweeps": {seed:
[...]}}: draws for task ids 0..n-1 (seed 0), for seeds 0..n-1 (task 0), a few draws again in
another order, and for each sweep seed the draws of tasks 0..T-1.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

REPEAT = [(7, 0), (3, 0), (0, 0), (5, 0), (3, 0), (11, 0), (2, 1), (9, 3)]


def _plain(value: Any) -> Any:
    if hasattr(value, "item") and callable(value.item):  # numpy scalars keep int/float apart
        return value.item()
    return repr(value)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("sampler")
    parser.add_argument("out")
    parser.add_argument("--n", type=int, default=400)
    parser.add_argument("--sweep-tasks", type=int, default=0)
    parser.add_argument("--sweep-seeds", default="", help="comma-separated seeds")
    args = parser.parse_args(argv)
    from tui.runtime.random_search import draw, load_sampler

    sample = load_sampler(args.sampler)
    by_task = [draw(sample, t, 0) for t in range(args.n)]
    by_seed = [draw(sample, 0, s) for s in range(args.n)]
    repeat = [[t, s, draw(sample, t, s)] for t, s in REPEAT]
    seeds = [int(s) for s in args.sweep_seeds.split(",") if s.strip()]
    sweeps = {str(s): [draw(sample, t, s) for t in range(args.sweep_tasks)] for s in seeds}
    with open(args.out, "w", encoding="utf-8") as handle:
        json.dump({"by_task": by_task, "by_seed": by_seed, "repeat": repeat, "sweeps": sweeps}, handle,
                  default=_plain)
    return 0


if __name__ == "__main__":
    sys.exit(main())
