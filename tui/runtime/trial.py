"""Run one trial and log it: `python -m tui.runtime.trial --run-dir DIR --trial ID --params-json '{...}'`."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from tui.runtime.logger import TrialLogger


def run_trial(run_dir: str | Path, trial: str, params: dict[str, Any], *, seed: int = 0,
              data_path: str | None = None, device: str = "auto", on_epoch=None,
              meta: dict[str, Any] | None = None) -> dict[str, Any]:
    """Train `params` and write the trial's files under `run_dir/trials/<trial>/`.

    Args:
        run_dir: the run folder.
        trial: the trial's id (its folder name).
        params: hyperparameters; the resolved set (defaults filled in) goes to params.json.
        seed: training seed.
        data_path: an .npz data set instead of the bundled digits.
        device: "auto", "cpu" or "cuda".
        on_epoch: optional callback per epoch; True stops the trial as pruned.
        meta: extra fields for result.json (task id, sampler seed ...).

    Returns:
        The result written to result.json. An exception is recorded there and re-raised.
    """
    from tui.runtime.train import resolve_params, train

    with TrialLogger(run_dir, trial) as logger:
        logger.extra.update(meta or {}, seed=seed)
        logger.start(resolve_params(params))

        def step(metrics: dict[str, Any]):
            logger.log(metrics)
            return on_epoch(metrics) if on_epoch is not None else None

        outcome = train(params, seed=seed, data_path=data_path, device=device, on_epoch=step)
        logger.extra.update(device=outcome.device, threads=outcome.threads)
        return _finish(logger, outcome)


def _finish(logger: TrialLogger, outcome) -> dict[str, Any]:
    """Add the compute budget (CPU or GPU hours) and write the result."""
    import time

    hours = (time.time() - logger.started) / 3600
    key = "gpu_hours" if outcome.device.startswith("cuda") else "cpu_hours"
    logger.extra[key] = hours * (1 if key == "gpu_hours" else outcome.threads)
    return logger.finish(outcome.status, outcome.reason)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m tui.runtime.trial", description=__doc__)
    parser.add_argument("--run-dir", required=True, type=Path, help="the run folder")
    parser.add_argument("--trial", required=True, help="the trial id (its folder name)")
    parser.add_argument("--params-json", required=True, help="hyperparameters as a JSON object")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--epochs", type=int, help="override the number of epochs")
    parser.add_argument("--data", help="an .npz data set instead of the bundled digits")
    parser.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda"])
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        params = json.loads(args.params_json)
        if not isinstance(params, dict):
            raise ValueError("expected a JSON object")
    except ValueError as exc:
        print(f"--params-json is not a JSON object of hyperparameters: {exc}", file=sys.stderr)
        return 2
    if args.epochs:
        params["epochs"] = args.epochs
    result = run_trial(args.run_dir, args.trial, params, seed=args.seed, data_path=args.data,
                       device=args.device)
    print(json.dumps({k: result[k] for k in ("trial", "status", "reason", "best")}))
    return 0 if result["status"] != "failed" else 1


if __name__ == "__main__":
    sys.exit(main())
