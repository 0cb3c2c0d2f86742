"""Benchmark exercise 2's Optuna workers; prints one JSON object.

1. 4 worker processes on one journal file, 400 cheap trials (a quadratic): every trial number
   once, every trial finished and with its files; trials/s beside one worker's.
2. TPE's own cost per trial at 1000 finished trials: the time of ask() on the exercise's
   six-parameter space (in memory and on a journal file).
3. Pruning on the exercise's objective (digits MLP, 20 epochs): the epochs the median pruner
   saves against no pruning at the same number of trials, and the best value of each.

    python bench/optuna_workers.py [--trials 400] [--workers 4] [--prune-trials 30] [--quick]
"""

from __future__ import annotations

import argparse
import json
import math
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

QUADRATIC = """\
def objective(trial):
    x = trial.suggest_float("x", -5.0, 5.0)
    y = trial.suggest_float("y", -5.0, 5.0)
    return (x - 1.0) ** 2 + (y + 2.0) ** 2
"""


def run_workers(folder: Path, n_workers: int, n_trials: int) -> dict:
    """n_workers processes on one fresh journal; wall time, throughput and the integrity checks."""
    from tui.results.study import StudyReader

    objective = folder / "quadratic.py"
    objective.write_text(QUADRATIC)
    run_dir = folder / f"run-{n_workers}"
    argv = [sys.executable, "-m", "tui.runtime.optuna_worker", "--run-dir", str(run_dir), "--objective",
            str(objective), "--n-trials", str(n_trials), "--pruner", "none", "--direction", "minimize"]
    began = time.perf_counter()
    procs = [subprocess.Popen(argv + ["--worker-index", str(i)], cwd=ROOT, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for i in range(n_workers)]
    outs = [p.communicate() for p in procs]
    wall = time.perf_counter() - began
    failed = [err[-500:] for p, (_, err) in zip(procs, outs) if p.returncode != 0]
    view = StudyReader(run_dir).read()
    numbers = [t.number for t in view.trials]
    folders = {p.name for p in (run_dir / "trials").iterdir() if (p / "result.json").is_file()}
    per_worker = sorted(len(ts) for ts in view.workers().values())
    return {"workers": n_workers, "wall_s": round(wall, 2), "trials_per_s": round(len(numbers) / wall, 1),
            "trials": len(numbers), "lost": n_trials - len(set(numbers)),
            "duplicated": len(numbers) - len(set(numbers)),
            "unfinished": sum(t.state not in ("complete", "pruned") for t in view.trials),
            "trial_files": len(folders), "trials_per_worker": per_worker, "worker_errors": failed,
            "best_value": round(view.best().value, 5) if view.best() else None}


def exercise_space():
    from optuna.distributions import CategoricalDistribution, FloatDistribution, IntDistribution

    return {"lr": FloatDistribution(1e-4, 1e-1, log=True),
            "batch_size": CategoricalDistribution([16, 32, 64, 128, 256]),
            "hidden": IntDistribution(16, 512, log=True),
            "weight_decay": FloatDistribution(1e-6, 1e-2, log=True),
            "dropout": FloatDistribution(0.0, 0.5), "optimizer": CategoricalDistribution(["sgd", "adam", "adamw"])}


def fake_value(params: dict) -> float:
    """A smooth stand-in for val_acc, so that TPE has good and bad trials to tell apart."""
    return 1.0 - 0.05 * abs(math.log10(params["lr"]) + 2.5) - 0.02 * abs(math.log2(params["hidden"]) - 7)


def tpe_ask_cost(n_finished: int, n_asks: int, storage=None) -> dict:
    """Median/p90 ask() time of TPE once `n_finished` trials are complete."""
    import optuna

    space, rng = exercise_space(), random.Random(0)
    study = optuna.create_study(direction="maximize", storage=storage, sampler=optuna.samplers.TPESampler(seed=0))
    trials = []
    for _ in range(n_finished):
        params = {name: (rng.choice(d.choices) if hasattr(d, "choices") else
                         _draw(rng, d)) for name, d in space.items()}
        trials.append(optuna.trial.create_trial(params=params, distributions=space, value=fake_value(params)))
    study.add_trials(trials)
    times = []
    for _ in range(n_asks):
        began = time.perf_counter()
        trial = study.ask(space)  # fixed distributions: sampling happens inside ask()
        times.append(time.perf_counter() - began)
        study.tell(trial, fake_value(trial.params))
    times.sort()
    return {"finished_trials": n_finished, "asks": n_asks, "median_ms": round(statistics.median(times) * 1e3, 2),
            "p90_ms": round(times[int(0.9 * (len(times) - 1))] * 1e3, 2)}


def _draw(rng: random.Random, dist) -> float:
    if dist.log:
        value = math.exp(rng.uniform(math.log(dist.low), math.log(dist.high)))
    else:
        value = rng.uniform(dist.low, dist.high)
    return int(round(value)) if type(dist).__name__ == "IntDistribution" else value


def pruning(folder: Path, n_trials: int, epochs: int) -> dict:
    """The exercise's objective with the median pruner and without, one worker each, same seed."""
    from tui.results.study import StudyReader
    from tui.runtime.optuna_worker import run_worker

    objective = ROOT / "solutions" / "02_optuna" / "objective.py"
    out = {"trials": n_trials, "epochs_per_trial": epochs}
    for pruner in ("median", "none"):
        run_dir = folder / f"prune-{pruner}"
        began = time.perf_counter()
        run_worker(run_dir, objective, n_trials, pruner=pruner, seed=0, epochs=epochs, device="cpu")
        view = StudyReader(run_dir).read()
        out[pruner] = {"epochs_run": view.steps_run(), "pruned": view.counts()["pruned"],
                       "best_val_acc": round(view.best().value, 4), "wall_s": round(time.perf_counter() - began, 1)}
    out["epochs_saved_fraction"] = round(1 - out["median"]["epochs_run"] / out["none"]["epochs_run"], 3)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--trials", type=int, default=400)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--tpe-finished", type=int, default=1000)
    parser.add_argument("--prune-trials", type=int, default=30)
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--quick", action="store_true", help="small sizes, to try the script")
    args = parser.parse_args()
    if args.quick:
        args.trials, args.tpe_finished, args.prune_trials, args.epochs = 40, 100, 8, 5
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    from tui.runtime.optuna_worker import make_storage

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        parallel = run_workers(folder, args.workers, args.trials)
        single = run_workers(folder, 1, args.trials)
        tpe = {"in_memory": tpe_ask_cost(args.tpe_finished, 20),
               "journal": tpe_ask_cost(args.tpe_finished, 20, make_storage(folder / "tpe"))}
        prune = pruning(folder, args.prune_trials, args.epochs)
    print(json.dumps({
        "optuna": optuna.__version__, "cpu_cores": __import__("os").cpu_count(),
        "parallel": parallel, "single": single,
        "speedup": round(parallel["trials_per_s"] / single["trials_per_s"], 2),
        "no_trial_lost_or_duplicated": all(r["lost"] == r["duplicated"] == r["unfinished"] == 0
                                           and r["trial_files"] == args.trials for r in (parallel, single)),
        "tpe_ask": tpe, "pruning": prune,
    }, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
