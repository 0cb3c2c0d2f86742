"""Exercise 2: the Optuna objective. Complete the two TODOs.

Each worker of the array calls `objective(trial)` once per trial. The search space is the one
of exercise 1, but now Optuna's sampler (TPE) chooses the values: you ask the trial for them.
Reporting the validation accuracy every epoch lets the pruner stop hopeless trials early.

Try it alone:  python -m tui.runtime.optuna_worker --run-dir /tmp/try --objective objective.py \\
                   --n-trials 5 --pruner median
"""

import optuna

from tui.runtime.optuna_worker import fit

EPOCHS = 20


def objective(trial: optuna.Trial) -> float:
    """Train one configuration and return its best validation accuracy (to maximise)."""
    # TODO 1: ask the trial for each hyperparameter instead of fixing it, over exercise 1's space:
    #   lr            float in [1e-4, 1e-1], log scale      trial.suggest_float(name, low, high, log=True)
    #   batch_size    one of 16, 32, 64, 128, 256           trial.suggest_categorical(name, choices)
    #   hidden        integer in [16, 512], log scale       trial.suggest_int(name, low, high, log=True)
    #   weight_decay  float in [1e-6, 1e-2], log scale
    #   dropout       float in [0, 0.5] (linear scale)
    #   optimizer     one of "sgd", "adam", "adamw"
    params = {
        "lr": 1e-3,
        "batch_size": 64,
        "hidden": 128,
        "weight_decay": 1e-4,
        "dropout": 0.1,
        "optimizer": "adam",
        "epochs": EPOCHS,
    }

    def on_epoch(metrics: dict) -> bool:
        # TODO 2: report metrics["val_acc"] to the trial at step metrics["step"]
        #         (trial.report(value, step)), then return trial.should_prune():
        #         True stops this trial as pruned.
        return False

    result = fit(trial, params, on_epoch)
    return result["best"]["val_acc"]
