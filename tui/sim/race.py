"""A method race: Optuna's samplers (and a pruner) on one cheap objective, same compute budget.

The objective imitates training: a trial reports a validation loss after every epoch that
falls towards a final value set by its hyperparameters. The budget is counted in epochs, so
a method that prunes bad trials early (a bandit method) gets to try more configurations.
Optuna is imported inside the functions: the app must not import it before a view needs it.

The population-based entrant is NSGA-II (a genetic algorithm): Optuna's CMA-ES sampler needs
the extra `cmaes` package, which the course environment does not install.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable

UNTRAINED_LOSS = 2.3  # ln(10): a 10-class classifier that has learnt nothing

METHODS: dict[str, str] = {
    "grid": "Grid search",
    "random": "Random search",
    "tpe": "TPE (Bayesian)",
    "hyperband": "Random + Hyperband",
    "nsga2": "NSGA-II (genetic)",
}


def final_loss(lr: float, dropout: float, width: int) -> float:
    """The loss a configuration trains to: best near lr=3e-3, dropout=0.2, width=128."""
    if lr > 0.3:
        return UNTRAINED_LOSS  # diverged
    a = math.log10(lr) + 2.5
    b = dropout - 0.2
    c = (math.log2(width) - 7) / 2
    return min(UNTRAINED_LOSS, 0.25 + 0.3 * a * a + 0.8 * b * b + 0.1 * c * c)


def loss_at(epoch: int, epochs: int, lr: float, dropout: float, width: int) -> float:
    """Validation loss after `epoch` of `epochs`; small learning rates learn more slowly."""
    final = final_loss(lr, dropout, width)
    speed = 4.0 * min(1.0, (lr / 1e-3) ** 0.3)
    return final + (UNTRAINED_LOSS - final) * math.exp(-speed * epoch / epochs)


GRID = {"lr": [1e-5, 1e-4, 1e-3, 1e-2, 1e-1], "dropout": [0.0, 0.4, 0.8], "width": [16, 256]}


def _sampler(method: str, seed: int):
    import optuna

    if method == "grid":
        return optuna.samplers.GridSampler(GRID, seed=seed)
    if method == "tpe":
        return optuna.samplers.TPESampler(seed=seed, n_startup_trials=8)
    if method == "nsga2":
        return optuna.samplers.NSGAIISampler(seed=seed, population_size=8)
    return optuna.samplers.RandomSampler(seed=seed)


def _pruner(method: str, epochs: int):
    import optuna

    if method == "hyperband":
        return optuna.pruners.HyperbandPruner(min_resource=1, max_resource=epochs, reduction_factor=3)
    return optuna.pruners.NopPruner()


def run_one(method: str, seed: int, budget: int, epochs: int) -> list[tuple[int, float]]:
    """Run `method` until `budget` epochs are spent; return (epochs used, best so far) per trial."""
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    # a fixed study name: Hyperband assigns brackets by hashing it, so a random name would
    # make the race differ from run to run
    study = optuna.create_study(study_name=f"race-{method}-{seed}", sampler=_sampler(method, seed),
                                pruner=_pruner(method, epochs))
    state = {"used": 0, "best": UNTRAINED_LOSS}
    curve: list[tuple[int, float]] = []

    def objective(trial) -> float:
        lr = trial.suggest_float("lr", 1e-5, 1e-1, log=True)
        dropout = trial.suggest_float("dropout", 0.0, 0.8)
        width = trial.suggest_int("width", 16, 256, log=True)
        for epoch in range(1, epochs + 1):
            state["used"] += 1
            loss = loss_at(epoch, epochs, lr, dropout, width)
            trial.report(loss, epoch)
            if epoch < epochs and trial.should_prune():
                curve.append((state["used"], state["best"]))
                raise optuna.TrialPruned()
        state["best"] = min(state["best"], loss)  # only finished trials count as found
        curve.append((state["used"], state["best"]))
        return loss

    def stop_at_budget(study, _trial) -> None:
        if state["used"] >= budget:
            study.stop()

    # n_trials bounds the loop; a grid stops itself when exhausted (its budget is left unused)
    study.optimize(objective, n_trials=budget, callbacks=[stop_at_budget])
    return curve


def best_at(curve: list[tuple[int, float]], x: int) -> float:
    """Best so far once `x` epochs were spent (the curve is a step function)."""
    best = UNTRAINED_LOSS
    for used, value in curve:
        if used > x:
            break
        best = value
    return best


@dataclass
class RaceResult:
    """Best-so-far curves per method, averaged over seeds, at common budget points."""

    budget: int
    xs: list[int]
    mean: dict[str, list[float]] = field(default_factory=dict)
    trials: dict[str, float] = field(default_factory=dict)  # mean number of trials started

    def final(self, method: str) -> float:
        return self.mean[method][-1]


def race(methods: list[str] | None = None, seeds: int = 5, trials: int = 30, epochs: int = 9,
         points: int = 30, seed0: int = 0, progress: Callable[[str, int], None] | None = None,
         cancelled: Callable[[], bool] = lambda: False) -> RaceResult:
    """Race `methods` with a budget of `trials` x `epochs` epochs each, averaged over `seeds`.

    Seeds run from `seed0`. `progress(method, seed)` is called after each run; `cancelled()` stops early (the
    result then holds the methods finished so far).
    """
    methods = methods or list(METHODS)
    unknown = [m for m in methods if m not in METHODS]
    if unknown or seeds < 1 or trials < 1 or epochs < 1:
        raise ValueError(f"bad race settings (unknown methods: {unknown}; seeds, trials and epochs >= 1)")
    budget = trials * epochs
    xs = [round(budget * (i + 1) / points) for i in range(points)]
    result = RaceResult(budget, xs)
    for method in methods:
        curves = []
        for seed in range(seeds):
            if cancelled():
                return result
            # each method its own random stream, so curves do not start identical
            stream = 1000 * (seed0 + seed) + list(METHODS).index(method)
            curves.append(run_one(method, stream, budget, epochs))
            if progress:
                progress(method, seed)
        result.mean[method] = [sum(best_at(c, x) for c in curves) / seeds for x in xs]
        result.trials[method] = sum(len(c) for c in curves) / seeds
    return result
