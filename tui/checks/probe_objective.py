"""Child process of exercise 2's code checks: one short, real trial of the learner's objective.

    python -m tui.checks.probe_objective OBJECTIVE.py OUT.json [--epochs 3]

The objective runs as a worker would run it, but `fit()` trains only a few epochs (the worker's
epochs override) on the bundled digits, on the CPU: a few seconds, most of them importing torch.
The sampler suggests gentle values (a trial that diverges would say nothing about the objective)
and no pruner stops the trial. Writes {"distributions": {name: {...}}, "reported": {step: value},
"metrics": [each epoch's val_acc, val_loss, train_loss], "used_fit", "epochs", "value", "state",
"error"}; an objective that raises still has its suggested distributions recorded.
"""

from __future__ import annotations

import argparse
import json
import sys
import traceback
from typing import Any

EPOCHS = 3
KEPT = ("step", "val_acc", "val_loss", "train_loss")
GENTLE = {"lr": 3e-3, "batch_size": 64, "hidden": 64, "weight_decay": 1e-5, "dropout": 0.1, "optimizer": "adam"}


class _Recorder:
    """Stands in for the worker's TrialLogger: keeps each epoch's metrics instead of writing files."""

    def __init__(self) -> None:
        self.metrics: list[dict[str, Any]] = []
        self.extra: dict[str, Any] = {}
        self.started = False

    def start(self, params: dict[str, Any]) -> None:  # noqa: ARG002 - the logger's signature
        self.started = True

    def log(self, metrics: dict[str, Any]) -> None:
        self.metrics.append({k: metrics[k] for k in KEPT if k in metrics})


def gentle_sampler():
    """A sampler that suggests GENTLE's value where the distribution holds it, else a seeded random one."""
    import optuna

    class Gentle(optuna.samplers.RandomSampler):
        def sample_independent(self, study, trial, name, distribution):
            if name in GENTLE:
                try:
                    if distribution._contains(distribution.to_internal_repr(GENTLE[name])):
                        return GENTLE[name]
                except (ValueError, TypeError):  # e.g. a categorical without that choice
                    pass
            return super().sample_independent(study, trial, name, distribution)

    return Gentle(seed=0)


def describe(dist) -> dict[str, Any]:
    """A distribution as plain JSON: its type, bounds, log flag and choices."""
    out: dict[str, Any] = {"type": type(dist).__name__}
    for attr in ("low", "high", "log", "step"):
        if hasattr(dist, attr):
            out[attr] = getattr(dist, attr)
    if hasattr(dist, "choices"):
        out["choices"] = list(dist.choices)
    return out


def run_probe(objective, epochs: int) -> dict[str, Any]:
    """Run one trial of `objective` with fit() cut to `epochs`; what it suggested, reported and returned."""
    import optuna
    from optuna.trial import TrialState

    from tui.runtime import optuna_worker

    recorder = _Recorder()
    study = optuna.create_study(direction="maximize", sampler=gentle_sampler(), pruner=optuna.pruners.NopPruner())
    trial = study.ask()
    optuna_worker._CURRENT = optuna_worker._Current(recorder, 0, None, "cpu", epochs)
    value, state, error = None, TrialState.COMPLETE, ""
    try:
        value = float(objective(trial))
    except optuna.TrialPruned:
        state = TrialState.PRUNED
    except Exception as exc:  # the learner's mistake: record it, keep what was suggested
        state, error = TrialState.FAIL, f"{type(exc).__name__}: {exc}"
        print("".join(traceback.format_exception(type(exc), exc, exc.__traceback__)), file=sys.stderr)
    finally:
        optuna_worker._CURRENT = None
    frozen = study.tell(trial, value if state == TrialState.COMPLETE else None, state=state,
                        skip_if_finished=True)
    return {"distributions": {k: describe(d) for k, d in frozen.distributions.items()},
            "reported": {str(k): v for k, v in sorted(frozen.intermediate_values.items())},
            "metrics": recorder.metrics, "used_fit": recorder.started, "epochs": epochs,
            "value": value, "state": state.name.lower(), "error": error}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("objective")
    parser.add_argument("out")
    parser.add_argument("--epochs", type=int, default=EPOCHS)
    args = parser.parse_args(argv)
    import optuna

    from tui.runtime.optuna_worker import load_objective

    optuna.logging.set_verbosity(optuna.logging.ERROR)
    record = run_probe(load_objective(args.objective), args.epochs)
    with open(args.out, "w", encoding="utf-8") as handle:
        json.dump(record, handle, default=repr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
