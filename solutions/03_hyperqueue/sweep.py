"""Exercise 3: the sweep, every configuration that one tiny task measures.

    python sweep.py          prints how many tasks the sweep has and the first few
"""

import itertools

BATCH_SIZES = [1, 2, 4, 8, 16, 32, 64, 128]
THREADS = [1, 2]
PACKING = [False, True]
REPEATS = 4  # the same configuration several times: shows how noisy a 0.1 s measurement is
# On a GPU, tune these instead of the threads:
DTYPES = ["float32", "bfloat16"]
COMPILE = [False, True]


def configs(gpu=False):
    """One dict of measure() arguments per task, in task order."""
    if gpu:
        grid = [{"batch_size": b, "packing": p, "device": "cuda", "dtype": d, "compile": c}
                for b, p, d, c in itertools.product(BATCH_SIZES, PACKING, DTYPES, COMPILE)]
    else:
        grid = [{"batch_size": b, "threads": t, "packing": p}
                for b, t, p in itertools.product(BATCH_SIZES, THREADS, PACKING)]
    return [dict(c) for _ in range(REPEATS) for c in grid]


if __name__ == "__main__":
    tasks = configs()
    print(f"{len(tasks)} tasks (ids 0-{len(tasks) - 1}); the first three:")
    for config in tasks[:3]:
        print(" ", config)
