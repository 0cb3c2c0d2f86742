"""Exercise 1: draw the hyperparameters of one random-search trial.

Each task of the job array calls `sample(task_id, seed)` once and trains what it returns.
Complete the TODOs; `hptune-tui check 01` tells you what is still missing.

Search space:
    lr            log-uniform on [1e-4, 1e-1]
    batch_size    one of 16, 32, 64, 128, 256
    hidden        integer log-uniform on [16, 512]
    weight_decay  log-uniform on [1e-6, 1e-2]
    dropout       uniform on [0, 0.5]
    optimizer     one of "sgd", "adam", "adamw"

Try it: python sample.py
"""

import math
import random


def log_uniform(rng: random.Random, low: float, high: float) -> float:
    """A value whose logarithm is uniform on [log(low), log(high)]."""
    # TODO: draw the exponent uniformly (rng.uniform on the logs), then undo the log.
    return low


def sample(task_id: int, seed: int = 0) -> dict:
    """Draw the hyperparameters of the trial that array task `task_id` runs.

    The same (task_id, seed) must always give the same dict, and different task ids
    must give different dicts.
    """
    # TODO: make a generator that depends on both seed and task_id, and draw only from it.
    rng = random.Random(seed)
    return {
        "lr": 1e-3,  # TODO: log-uniform on [1e-4, 1e-1]
        "batch_size": 64,  # TODO: one of 16, 32, 64, 128, 256
        "hidden": 128,  # TODO: integer log-uniform on [16, 512]
        "weight_decay": 1e-4,  # TODO: log-uniform on [1e-6, 1e-2]
        "dropout": 0.1,  # TODO: uniform on [0, 0.5]
        "optimizer": "adam",  # TODO: one of "sgd", "adam", "adamw"
    }


if __name__ == "__main__":  # python sample.py: print the first few draws
    for task in range(4):
        print(task, sample(task))
