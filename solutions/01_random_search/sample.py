"""Random search, reference solution: draw one configuration per array task.

`sample(task_id, seed)` is a pure function of its arguments: the same task id and seed give
the same hyperparameters on any machine, in any process, in any order of calls.
"""

import math
import random

BATCH_SIZES = [16, 32, 64, 128, 256]
OPTIMIZERS = ["sgd", "adam", "adamw"]


def log_uniform(rng: random.Random, low: float, high: float) -> float:
    """A value whose logarithm is uniform on [log(low), log(high)]: every decade equally likely."""
    return math.exp(rng.uniform(math.log(low), math.log(high)))


def sample(task_id: int, seed: int = 0) -> dict:
    """Draw the hyperparameters of one trial (one array task)."""
    # One generator per call, seeded by both numbers: reproducible per task, different across tasks.
    rng = random.Random(seed * 100_003 + task_id)
    return {
        "lr": log_uniform(rng, 1e-4, 1e-1),
        "batch_size": rng.choice(BATCH_SIZES),
        "hidden": int(round(log_uniform(rng, 16, 512))),
        "weight_decay": log_uniform(rng, 1e-6, 1e-2),
        "dropout": rng.uniform(0.0, 0.5),
        "optimizer": rng.choice(OPTIMIZERS),
    }


if __name__ == "__main__":  # python sample.py: print the first few draws
    for task in range(4):
        print(task, sample(task))
