"""Exercise 2: the Optuna objective (reference solution).

Each worker of the array calls `objective(trial)` once per trial. The search space is the one
of exercise 1, now asked of Optuna's sampler (TPE) instead of drawn by hand, and the
validation accuracy is reported every epoch so that the pruner can stop hopeless trials.

Try it alone:  python -m tui.runtime.optuna_worker --run-dir /tmp/try --objective objective.py \\
                   --n-trials 5 --pruner median
"""

import optuna

from tui.runtime.optuna_worker import fit

EPOCHS = 20


def objective(trial: optuna.Trial) -> float:
    """Train one configuration and return its best validation accuracy (to maximise)."""
    params = {
        # Log scale where exercise 1 drew log-uniform: 1e-4..1e-3 gets as many trials as 1e-2..1e-1.
        "lr": trial.suggest_float("lr", 1e-4, 1e-1, log=True),
        "batch_size": trial.suggest_categorical("batch_size", [16, 32, 64, 128, 256]),
        "hidden": trial.suggest_int("hidden", 16, 512, log=True),
        "weight_decay": trial.suggest_float("weight_decay", 1e-6, 1e-2, log=True),
        "dropout": trial.suggest_float("dropout", 0.0, 0.5),
        "optimizer": trial.suggest_categorical("optimizer", ["sgd", "adam", "adamw"]),
        "epochs": EPOCHS,
    }

    def on_epoch(metrics: dict) -> bool:
        # Report the metric the study maximises at this step; the pruner compares it with the
        # other trials at the same step and says whether this one is hopeless.
        trial.report(metrics["val_acc"], metrics["step"])
        return trial.should_prune()

    result = fit(trial, params, on_epoch)
    return result["best"]["val_acc"]
