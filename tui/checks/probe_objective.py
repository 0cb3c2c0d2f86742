"""Child process of exercise 2's code checks: call the learner's objective once, without training.

    python -m tui.checks.probe_objective OBJECTIVE.py OUT.json

`fit` is replaced in the objective's module by a stub that feeds on_epoch a few made-up
epochs, so the probe takes well under a second. Writes {"distributions": {name: {...}},
"reported": {step: value}, "prune_answers": [...], "value": ...}.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

FAKE_EPOCHS = 5


def _fake_fit(record: dict[str, Any]):
    def fit(trial, params, on_epoch=None):
        record["params"] = {k: v for k, v in dict(params).items()}
        history = []
        for step in range(1, FAKE_EPOCHS + 1):
            metrics = {"step": step, "val_acc": 0.5 + 0.05 * step, "val_loss": 1.0 / step, "train_loss": 1.0 / step}
            history.append(metrics)
            if on_epoch is not None:
                record["prune_answers"].append(repr(on_epoch(metrics)))
        return {"best": {"val_acc": history[-1]["val_acc"], "step": FAKE_EPOCHS}, "final": history[-1],
                "history": history}

    return fit


def describe(dist) -> dict[str, Any]:
    """A distribution as plain JSON: its type, bounds, log flag and choices."""
    out: dict[str, Any] = {"type": type(dist).__name__}
    for attr in ("low", "high", "log", "step"):
        if hasattr(dist, attr):
            out[attr] = getattr(dist, attr)
    if hasattr(dist, "choices"):
        out["choices"] = list(dist.choices)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("objective")
    parser.add_argument("out")
    args = parser.parse_args(argv)
    import optuna

    from tui.runtime.optuna_worker import load_objective

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    objective = load_objective(args.objective)
    record: dict[str, Any] = {"prune_answers": []}
    objective.__globals__["fit"] = _fake_fit(record)  # the name the objective calls
    study = optuna.create_study(direction="maximize", sampler=optuna.samplers.RandomSampler(seed=0))
    trial = study.ask()
    value = objective(trial)
    frozen = study.tell(trial, value)
    record.update(distributions={k: describe(d) for k, d in frozen.distributions.items()},
                  reported={str(k): v for k, v in frozen.intermediate_values.items()}, value=value)
    with open(args.out, "w", encoding="utf-8") as handle:
        json.dump(record, handle, default=repr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
