"""How long the lesson computations take (the method race runs in a worker; the rest inline).

Prints one JSON object: seconds per computation on this machine.
"""

from __future__ import annotations

import json
import time


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return round(time.perf_counter() - start, 4)


def main() -> None:
    from tui.sim import grid_random, overhead, priors, race

    figures = {
        "optuna_import_s": timed(lambda: __import__("optuna")),
        "race_5_methods_x_5_seeds_x_30_trials_s": timed(lambda: race.race()),
        "grid_vs_random_200_seeds_s": timed(lambda: grid_random.compare(200)),
        "overhead_all_scenarios_s": timed(lambda: [overhead.simulate(p) for _, p in overhead.SCENARIOS.values()]),
        "priors_5000_draws_and_histogram_s": timed(
            lambda: priors.histogram(priors.draw(priors.Prior(), 5000), 20, log=True)),
    }
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
