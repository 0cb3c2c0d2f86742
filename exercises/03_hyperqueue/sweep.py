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
    # TODO: one dict per task, with measure()'s arguments as keys, e.g.
    #       {"batch_size": 8, "threads": 1, "packing": True}
    #   - CPU: every combination of BATCH_SIZES x THREADS x PACKING (itertools.product),
    #   - GPU (gpu=True): BATCH_SIZES x PACKING x DTYPES x COMPILE, with "device": "cuda",
    #   and the whole grid REPEATS times over: 8 x 2 x 2 x 4 = 128 tasks on a CPU.
    raise NotImplementedError("TODO: complete configs() in sweep.py")


if __name__ == "__main__":
    tasks = configs()
    print(f"{len(tasks)} tasks (ids 0-{len(tasks) - 1}); the first three:")
    for config in tasks[:3]:
        print(" ", config)
