"""Exercise 1's seed checks: sample.varies_with_seed and sample.seeds_disjoint.

The exercise asks for a generator that depends on both the task id and the seed. A sampler that
ignores the seed repeats the same sweep whatever seed is given; one that mixes the seed in as
`Random(task_id + seed)` gives every seed a shifted copy of the same sweep, so a second run
with another seed retries the first run's configurations. Both pass the other sample.* checks.
"""

from __future__ import annotations

import json
from itertools import combinations
from typing import Any

from tui.checks.result import CheckResult

SWEEP_SEEDS = (0, 1, 2, 3, 10, 100, 1000)  # near and far seeds: task_id + k * seed collides for some pair
SWEEP_TASKS = 256  # an array of this many tasks must not reach into another seed's sweep
MIN_DISTINCT = 0.9  # share of distinct draws; a correct sampler repeats a float draw almost never

HINTS = {
    "sample.varies_with_seed": [
        "Another seed must give another sweep: the seed picks which random configurations the array tries.",
        "The generator's seed has to depend on seed as well as on task_id.",
        "rng = random.Random(seed * 100_003 + task_id) changes every task's draw when the seed changes.",
    ],
    "sample.seeds_disjoint": [
        "Two runs with different seeds should try different configurations, not the same ones shifted by a task.",
        "Random(task_id + seed) gives sample(1, 0) == sample(0, 1): seed 1's sweep is seed 0's, moved by one task.",
        "Spread the seeds further apart than any array is long: rng = random.Random(seed * 100_003 + task_id), "
        "or numpy's np.random.default_rng([seed, task_id]).",
    ],
}


def draw_key(draw: dict[str, Any]) -> str:
    """A draw as a comparable string (key order and numpy scalars do not matter)."""
    return json.dumps(draw, sort_keys=True, default=repr)


def sweeps_of(first: dict[str, Any]) -> dict[int, list[dict[str, Any]]]:
    """seed -> the draws of tasks 0..SWEEP_TASKS-1 from a probe record (seed 0 is its by_task)."""
    sweeps = {int(seed): draws for seed, draws in first.get("sweeps", {}).items()}
    sweeps[0] = first["by_task"][:SWEEP_TASKS]
    return dict(sorted(sweeps.items()))


def check_varies_with_seed(by_seed: list[dict], sweeps: dict[int, list[dict]]):
    """One task id under different seeds gives different draws (task 0 over all seeds, each task over a few)."""
    cid = "sample.varies_with_seed"
    distinct = len({draw_key(d) for d in by_seed})
    same = [(t, a, b) for a, b in combinations(sweeps, 2) for t in range(min(len(sweeps[a]), len(sweeps[b])))
            if draw_key(sweeps[a][t]) == draw_key(sweeps[b][t])]
    pairs = sum(min(len(sweeps[a]), len(sweeps[b])) for a, b in combinations(sweeps, 2))
    if distinct < MIN_DISTINCT * len(by_seed) or len(same) > (1 - MIN_DISTINCT) * pairs:
        found = f"{distinct} distinct draw{'s' if distinct != 1 else ''} for task 0 under seeds 0-{len(by_seed) - 1}"
        if same:
            t, a, b = same[0]
            found += f"; sample({t}, {a}) == sample({t}, {b}), and {len(same)} of {pairs} such pairs are equal"
        return CheckResult(cid, False, f"expected a different draw for one task id under different seeds; "
                           f"found {found}", HINTS[cid])
    return CheckResult(cid, True, f"{distinct} distinct draws for task 0 under {len(by_seed)} seeds; "
                       f"tasks 0-{SWEEP_TASKS - 1} differ between seeds {', '.join(map(str, sweeps))}", HINTS[cid])


def _shared(sweep_a: list[dict], sweep_b: list[dict]) -> list[tuple[int, int]]:
    """(task in a, task in b) of configurations that both sweeps try, at different task ids."""
    where_b: dict[str, list[int]] = {}
    for task, draw in enumerate(sweep_b):
        where_b.setdefault(draw_key(draw), []).append(task)
    return [(ta, tb) for ta, draw in enumerate(sweep_a) for tb in where_b.get(draw_key(draw), []) if tb != ta]


def check_seeds_disjoint(sweeps: dict[int, list[dict]]):
    """The sweeps of different seeds share no configuration (the same task is varies_with_seed's business)."""
    cid = "sample.seeds_disjoint"
    for a, b in combinations(sweeps, 2):
        shared = _shared(sweeps[a], sweeps[b])
        if shared:
            ta, tb = shared[0]
            count = len({t for t, _ in shared})
            return CheckResult(cid, False, f"expected the sweeps of different seeds (tasks 0-{SWEEP_TASKS - 1}) to "
                               f"share no configuration; found seeds {a} and {b} share {count} of "
                               f"{len(sweeps[a])} (e.g. sample({ta}, {a}) == sample({tb}, {b}))", HINTS[cid])
    return CheckResult(cid, True, f"the sweeps of seeds {', '.join(map(str, sweeps))} (tasks 0-{SWEEP_TASKS - 1}) "
                       "share no configuration", HINTS[cid])
