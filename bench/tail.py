"""Benchmark the results tailer on a large run: 1000 trials x 100 epochs on disk.

Prints one JSON object:
    first_load_s      first refresh of a fresh RunTailer (reads every file)
    refresh_s         a refresh with nothing new, every trial still running (worst case: stats all files)
    refresh_done_s    a refresh with nothing new once every trial has a result.json
    append_refresh_s  a refresh after one new line in each of 10 trials
    pandas_reread_s   re-reading every metrics.jsonl with pandas.read_json(lines=True)
    speedup           pandas_reread_s / refresh_s (target: >= 20)
Targets: first_load_s < 1, refresh_s < 0.02.
"""

from __future__ import annotations

import json
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tui.results.tailer import RunTailer  # noqa: E402

N_TRIALS, N_EPOCHS = 1000, 100


def write_run(root: Path, rng: random.Random) -> None:
    for t in range(N_TRIALS):
        trial = root / "trials" / f"{t:04d}"
        trial.mkdir(parents=True)
        (trial / "params.json").write_text(json.dumps({"lr": rng.random(), "hidden": rng.randint(16, 512)}))
        lines = [json.dumps({"step": e + 1, "time": 1.7e9 + e, "val_loss": rng.random(), "val_acc": rng.random(),
                             "train_loss": rng.random(), "samples_per_s": 1e4 * rng.random(),
                             "elapsed_s": 0.05 * e, "peak_mem_gb": 0.4}) for e in range(N_EPOCHS)]
        (trial / "metrics.jsonl").write_text("\n".join(lines) + "\n")


def timed(func) -> float:
    start = time.perf_counter()
    func()
    return time.perf_counter() - start


def best_of(func, repeat: int = 5) -> float:
    return min(timed(func) for _ in range(repeat))


def pandas_reread(root: Path) -> None:
    import pandas as pd

    for path in sorted((root / "trials").glob("*/metrics.jsonl")):
        pd.read_json(path, lines=True)


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="hptune-bench-tail-") as tmp:
        root = Path(tmp)
        write_run(root, random.Random(0))
        tailer = RunTailer(root)
        first = timed(tailer.refresh)
        assert sum(len(r.metrics) for r in tailer.trials.values()) == N_TRIALS * N_EPOCHS
        refresh = best_of(tailer.refresh)
        for t in range(10):
            with open(root / "trials" / f"{t:04d}" / "metrics.jsonl", "a") as handle:
                handle.write(json.dumps({"step": N_EPOCHS + 1, "val_acc": 0.5}) + "\n")
        append = timed(tailer.refresh)
        for t in range(N_TRIALS):
            (root / "trials" / f"{t:04d}" / "result.json").write_text('{"status": "complete"}')
        tailer.refresh()
        refresh_done = best_of(tailer.refresh)
        import pandas  # noqa: F401  (import time is not part of the re-read)

        reread = timed(lambda: pandas_reread(root))
    print(json.dumps({"trials": N_TRIALS, "epochs": N_EPOCHS, "first_load_s": round(first, 4),
                      "refresh_s": round(refresh, 5), "refresh_done_s": round(refresh_done, 5),
                      "append_refresh_s": round(append, 5), "pandas_reread_s": round(reread, 3),
                      "speedup": round(reread / refresh, 1)}))


if __name__ == "__main__":
    main()
