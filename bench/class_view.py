"""Class view refresh: the time to read a class folder of 30 and of 300 learners and build every table.

Synthetic summaries (a realistic size: 9 lessons and exercises, failing checks, best results with
their configurations, cost) in a temporary folder. For each class size, prints the median of
`--repeat` refreshes of three kinds: cold (a new reader: every file read, as when the screen opens),
one changed (one learner republished: one file re-read) and quiet (nothing changed: nothing read).
The owner check is off (the files all belong to the user running the benchmark). Target: under
0.5 s for 300 learners. Prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tui.classroom.collect import ClassReader  # noqa: E402
from tui.classroom.report import class_json  # noqa: E402

ITEMS = [("tuning", "lesson"), ("grid-random", "lesson"), ("bayes", "lesson"), ("bandits", "lesson"),
         ("priors", "lesson"), ("queue", "lesson"), ("01", "exercise"), ("02", "exercise"), ("03", "exercise")]
CHECKS = ["sample.bounds", "sample.distribution", "script.array", "results.trials_complete", "results.best_metric"]


def summary(user: str, rng: random.Random, now: float) -> dict:
    params = {"lr": rng.uniform(1e-4, 0.1), "batch_size": rng.choice([16, 64, 256]), "hidden": rng.randint(16, 512),
              "weight_decay": rng.uniform(1e-6, 1e-2), "dropout": rng.uniform(0, 0.5), "optimizer": "adam"}
    return {
        "version": 1, "user": user, "updated": now - rng.uniform(0, 600),
        "progress": {i: {"kind": k, "read": rng.random(), "done": rng.random() < 0.3, "quiz": [1, 3]}
                     for i, k in ITEMS},
        "checks": {ex: {"at": now, "passed": 8, "total": 12,
                        "failing": {c: now - rng.uniform(0, 3600) for c in rng.sample(CHECKS, 2)}}
                   for ex in ("01", "02")},
        "best": {ex: {"method": m, "metric": "val_acc", "value": rng.uniform(0.85, 0.98), "params": params,
                      "run": "1234", "trials": 32} for ex, m in (("01", "random"), ("02", "optuna"))},
        "cost": {ex: {"cpu_hours": rng.uniform(0.1, 1), "gpu_hours": 0.0, "elapsed_s": 900.0, "wall_s": 300.0,
                      "queue_wait_s": 60.0, "useful_fraction": 0.6} for ex in ("01", "02")},
    }


def write(folder: Path, user: str, data: dict) -> None:
    tmp = folder / f".{user}.json.tmp"
    tmp.write_text(json.dumps(data, indent=1))
    os.replace(tmp, folder / f"{user}.json")  # as a learner's app publishes


def timed(reader: ClassReader) -> float:
    began = time.perf_counter()
    reader.refresh()
    class_json(reader.summaries(), reader.notes(), time.time())
    return time.perf_counter() - began


def measure(n: int, repeat: int) -> dict:
    rng, now = random.Random(n), time.time()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for i in range(n):
            write(folder, f"learner{i:03d}", summary(f"learner{i:03d}", rng, now))
        cold, changed, quiet = [], [], []
        for r in range(repeat):
            reader = ClassReader(folder, check_owner=False)
            cold.append(timed(reader))
            write(folder, f"learner{r % n:03d}", summary(f"learner{r % n:03d}", rng, now))
            changed.append(timed(reader))
            quiet.append(timed(reader))
        size = sum(p.stat().st_size for p in folder.glob("*.json"))
        return {"learners": n, "folder_bytes": size, "learners_shown": len(reader.summaries()),
                "cold_s": round(statistics.median(cold), 4), "one_changed_s": round(statistics.median(changed), 4),
                "quiet_s": round(statistics.median(quiet), 4)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    results = [measure(n, args.repeat) for n in (30, 300)]
    print(json.dumps({"refresh": results, "target_s_300": 0.5,
                      "meets_target": all(r["cold_s"] < 0.5 for r in results)}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
