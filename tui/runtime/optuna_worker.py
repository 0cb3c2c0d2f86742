"""One Optuna worker of exercise 2: open the shared study, run trials until the budget is used up.

    python -m tui.runtime.optuna_worker --run-dir DIR --objective objective.py \\
        --n-trials N --timeout S --pruner median|sha|hyperband|none --seed K

Every array task runs one worker. All of them open the same study (`load_if_exists`) on
`JournalStorage(JournalFileBackend(<run>/study.journal))`, or on a PostgreSQL/MySQL URL given
with `--storage`; SQLite is refused (its file locking breaks on the network file systems of
clusters). The trial budget counts the trials of the whole study, not of one worker, and
a lock around "count, then ask" keeps the workers from overshooting it together.

Each trial records its worker (job id, array task id, host, pid) in the user attribute
`worker` and writes the trial files of exercise 1 (params.json, metrics.jsonl, result.json),
so the trials screen reads both exercises alike. The objective trains through `fit()`.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from tui.runtime import sigterm
from tui.runtime.logger import TrialLogger, job_info
from tui.runtime.sigterm import WorkerStopped

PRUNERS = ("median", "sha", "hyperband", "none")
SAMPLERS = ("tpe", "random")
DEFAULT_STUDY = "hptune"
JOURNAL_NAME = "study.journal"
MAX_CONSECUTIVE_FAILURES = 5
SQLITE_REFUSAL = ("SQLite is refused for parallel workers: it locks its file with fcntl(), which is "
                  "broken on the network file systems (NFS, Lustre, GPFS) that cluster jobs share, "
                  "so parallel writers corrupt or block the study. Leave --storage out to use the "
                  f"journal file <run>/{JOURNAL_NAME}, or give a postgresql:// or mysql:// URL.")


class StorageRefused(ValueError):
    """A storage URL the workers must not share (SQLite) or do not know."""


@dataclass
class _Current:
    """The trial that `fit()` logs into (set by the worker around each objective call)."""

    logger: TrialLogger
    seed: int
    data_path: str | None
    device: str
    epochs: int | None
    started: bool = False


_CURRENT: _Current | None = None


def trial_name(number: int) -> str:
    """The trial folder of Optuna trial `number` (zero-padded like exercise 1's task ids)."""
    return f"{number:04d}"


def worker_info() -> dict[str, Any]:
    """Who runs this worker: host, pid and the scheduler's job/array ids when there are any."""
    return job_info()


def worker_index(default: int = 0) -> int:
    """This worker's index: the array task id (SLURM or HyperQueue), else `default`."""
    for key in ("SLURM_ARRAY_TASK_ID", "HQ_TASK_ID"):
        value = os.environ.get(key, "")
        if value.isdigit():
            return int(value)
    return default


def make_storage(run_dir: Path, url: str | None = None):
    """The shared storage: the run's journal file, or an RDB URL (PostgreSQL/MySQL).

    Raises:
        StorageRefused: for SQLite or an unknown scheme, with the reason in the message.
    """
    import optuna
    from optuna.storages import JournalStorage
    from optuna.storages.journal import JournalFileBackend, JournalFileOpenLock

    if not url:
        run_dir.mkdir(parents=True, exist_ok=True)
        path = str(run_dir / JOURNAL_NAME)
        # O_EXCL lock files work on NFSv3+ and on local disks alike.
        return JournalStorage(JournalFileBackend(path, lock_obj=JournalFileOpenLock(path)))
    scheme = url.split(":", 1)[0].split("+", 1)[0].lower()
    if scheme == "sqlite":
        raise StorageRefused(SQLITE_REFUSAL)
    if scheme not in ("postgresql", "mysql"):
        raise StorageRefused(f"unknown storage {url!r}: give a postgresql:// or mysql:// URL, "
                             f"or leave --storage out for the journal file")
    # RDB storage has what the journal lacks: a heartbeat that fails trials of dead workers.
    return optuna.storages.RDBStorage(url, heartbeat_interval=60, grace_period=180)


def make_pruner(name: str):
    """The pruner for `--pruner`: median, sha (successive halving), hyperband or none."""
    import optuna

    if name == "median":
        return optuna.pruners.MedianPruner(n_startup_trials=5, n_warmup_steps=2)
    if name == "sha":
        return optuna.pruners.SuccessiveHalvingPruner(min_resource=2, reduction_factor=3)
    if name == "hyperband":
        return optuna.pruners.HyperbandPruner(min_resource=2, reduction_factor=3)
    if name == "none":
        return optuna.pruners.NopPruner()
    raise ValueError(f"pruner must be one of {', '.join(PRUNERS)}, got {name!r}")


def make_sampler(name: str, seed: int):
    """TPE (Optuna 5 defaults: multivariate, constant liar) or random, seeded per worker."""
    import optuna

    if name == "tpe":
        return optuna.samplers.TPESampler(seed=seed)
    if name == "random":
        return optuna.samplers.RandomSampler(seed=seed)
    raise ValueError(f"sampler must be one of {', '.join(SAMPLERS)}, got {name!r}")


def load_objective(path: str | Path) -> Callable:
    """Import `objective(trial)` from a Python file; raises with the file named."""
    from tui.runtime.learner import load_function

    return load_function(path, "objective", "objective(trial)")


def fit(trial, params: dict[str, Any], on_epoch: Callable[[dict[str, Any]], Any] | None = None) -> dict[str, Any]:
    """Train `params` for the objective, logging to the trial's files when a worker runs it.

    Args:
        trial: the Optuna trial (its number seeds training outside a worker).
        params: hyperparameters (see tui.runtime.train.DEFAULTS).
        on_epoch: called with each epoch's metrics; returning True (for example
            `trial.should_prune()`) stops the trial as pruned.

    Returns:
        {"best": {"val_acc", "step"}, "final": last metrics, "history": every epoch}.

    Raises:
        optuna.TrialPruned: when on_epoch asked to stop (or raised it itself).
        RuntimeError: when training diverged (the trial then ends as failed).
    """
    import optuna

    from tui.runtime.train import resolve_params, train

    ctx = _CURRENT
    seed = ctx.seed if ctx else int(getattr(trial, "number", 0))
    params = dict(params)
    if ctx and ctx.epochs:
        params["epochs"] = ctx.epochs
    if ctx:
        ctx.logger.start(resolve_params(params))
        ctx.started = True

    def step(metrics: dict[str, Any]):
        if ctx:
            ctx.logger.log(metrics)
        return on_epoch(metrics) if on_epoch is not None else None

    outcome = train(params, seed=seed, data_path=ctx.data_path if ctx else None,
                    device=ctx.device if ctx else "auto", on_epoch=step)
    if ctx:
        ctx.logger.extra.update(device=outcome.device, threads=outcome.threads)
    if outcome.status == "pruned":
        raise optuna.TrialPruned(outcome.reason)
    if outcome.status == "failed":
        raise RuntimeError(outcome.reason)
    accs = [(m["val_acc"], m["step"]) for m in outcome.history]
    best = max(accs, key=lambda a: a[0])
    return {"best": {"val_acc": best[0], "step": best[1]}, "final": outcome.history[-1],
            "history": outcome.history}


def counts_toward_budget(trial) -> bool:
    """Whether a trial uses up the study's trial budget.

    Finished trials (complete, pruned, failed) and running or queued ones count; a trial
    that stale-trial recovery failed (user attribute `stale`) does not: its worker died, so
    the work is owed to the study.
    """
    from optuna.trial import TrialState

    if trial.state == TrialState.FAIL:
        return not trial.user_attrs.get("stale")
    return True


def ask_within_budget(study, lock, n_trials: int):
    """Ask for the next trial unless the study's budget is used up (None then).

    The lock makes "count, then ask" one step for all workers, so that together they create
    exactly `n_trials` trials. A queued (WAITING) trial is always taken: asking pops it.
    """
    from optuna.trial import TrialState

    lock.acquire()
    try:
        trials = study.get_trials(deepcopy=False)
        waiting = any(t.state == TrialState.WAITING for t in trials)
        used = sum(counts_toward_budget(t) for t in trials)
        return study.ask() if waiting or used < n_trials else None
    finally:
        lock.release()


def _objective_value(value: Any) -> float:
    import math

    if isinstance(value, bool) or not isinstance(value, (int, float)) and not hasattr(value, "item"):
        raise TypeError(f"objective returned {type(value).__name__}, expected a number")
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"objective returned {value}")
    return value


def run_one(study, trial, objective: Callable, run_dir: Path, seed: int, info: dict[str, Any],
            data_path: str | None = None, device: str = "auto", epochs: int | None = None) -> str:
    """Run the objective on one asked trial, write its files, tell the study; returns the status."""
    import traceback

    import optuna
    from optuna.trial import TrialState

    global _CURRENT
    logger = TrialLogger(run_dir, trial_name(trial.number))
    logger.extra.update(optuna_number=trial.number, worker=info, seed=seed)
    ctx = _CURRENT = _Current(logger, seed, data_path, device, epochs)
    status, reason, value, stop = "complete", "", None, None
    try:
        sigterm.raise_if_stopped()  # a SIGTERM that came while the trial was being asked for
        value = _objective_value(objective(trial))
    except optuna.TrialPruned as exc:
        status, reason = "pruned", str(exc) or f"pruned after step {logger.last.get('step', 0)}"
    except (Exception, WorkerStopped, KeyboardInterrupt) as exc:
        stop = None if isinstance(exc, Exception) else exc  # record the trial, then stop the worker
        status, reason = "failed", f"{type(exc).__name__}: {exc}"
        tail = traceback.format_exception(type(exc), exc, exc.__traceback__)
        logger.extra["traceback"] = "\n".join("".join(tail).strip().splitlines()[-12:])
    finally:
        _CURRENT = None
    with sigterm.deferred():
        if not ctx.started:  # the objective trained without fit(): still leave the trial's files
            logger.start(trial.params)
        logger.extra["value"] = value
        logger.finish(status, reason)  # result.json first: the metrics are real even if tell fails
        if status == "failed":
            trial.set_user_attr("fail_reason", reason)
            study.tell(trial, state=TrialState.FAIL)
        else:
            study.tell(trial, value) if status == "complete" else study.tell(trial, state=TrialState.PRUNED)
    if stop is not None:
        raise stop
    sigterm.raise_if_stopped()
    return status


def _record_study(study, **attrs: Any) -> None:
    """Note how the study is run (storage, pruner, budget) once, for the checks and the app."""
    missing = {k: v for k, v in attrs.items() if k not in study.user_attrs}
    for key, value in missing.items():
        study.set_user_attr(key, value)


def run_worker(run_dir: Path, objective_path: str | Path, n_trials: int, timeout: float = 0,
               pruner: str = "median", seed: int = 0, *, sampler: str = "tpe",
               storage_url: str | None = None, study_name: str = DEFAULT_STUDY,
               direction: str = "maximize", index: int | None = None, data_path: str | None = None,
               device: str = "auto", epochs: int | None = None) -> dict[str, Any]:
    """Run trials on the shared study until its trial budget or this worker's time is used up.

    Returns:
        A summary: worker info, sampler seed, and how many trials ended in each status here.
    """
    import optuna
    from optuna.storages.journal import JournalFileOpenLock

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    run_dir = Path(run_dir)
    objective = load_objective(objective_path)
    index = worker_index() if index is None else index
    study = optuna.create_study(
        study_name=study_name, storage=make_storage(run_dir, storage_url), load_if_exists=True,
        direction=direction, sampler=make_sampler(sampler, seed + index), pruner=make_pruner(pruner))
    _record_study(study, storage="rdb" if storage_url else "journal", pruner=pruner, sampler=sampler,
                  n_trials=n_trials, seed=seed)
    lock = JournalFileOpenLock(str(run_dir / "study.budget"))
    info = {**worker_info(), "index": index}
    summary: dict[str, Any] = {"worker": info, "sampler_seed": seed + index,
                               "complete": 0, "pruned": 0, "failed": 0, "stopped": ""}
    deadline = time.monotonic() + timeout if timeout and timeout > 0 else None
    failures_in_row = 0
    while deadline is None or time.monotonic() < deadline:
        with sigterm.deferred():
            trial = ask_within_budget(study, lock, n_trials)
            if trial is not None:
                trial.set_user_attr("worker", info)
        if trial is None:
            summary["stopped"] = "trial budget used up"
            break
        status = run_one(study, trial, objective, run_dir, seed * 1_000_003 + trial.number, info,
                         data_path, device, epochs)
        summary[status] += 1
        failures_in_row = failures_in_row + 1 if status == "failed" else 0
        if failures_in_row >= MAX_CONSECUTIVE_FAILURES:
            summary["stopped"] = f"{failures_in_row} trials in a row failed: fix the objective"
            break
    else:
        summary["stopped"] = "time budget used up"
    return summary


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m tui.runtime.optuna_worker", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--run-dir", type=Path, help="run folder (default $HPTUNE_RUN_DIR or runs/<job id>)")
    parser.add_argument("--objective", required=True, help="Python file that defines objective(trial)")
    parser.add_argument("--n-trials", type=int, required=True, help="trial budget of the whole study")
    parser.add_argument("--timeout", type=float, default=0, help="seconds this worker may start trials (0: no limit)")
    parser.add_argument("--pruner", default="median", choices=PRUNERS)
    parser.add_argument("--sampler", default="tpe", choices=SAMPLERS)
    parser.add_argument("--seed", type=int, default=0, help="base seed; each worker adds its array task id")
    parser.add_argument("--worker-index", type=int, help="override the array task id (seeding, labels)")
    parser.add_argument("--storage", help="postgresql:// or mysql:// URL instead of the journal file")
    parser.add_argument("--study-name", default=DEFAULT_STUDY)
    parser.add_argument("--direction", default="maximize", choices=["maximize", "minimize"])
    parser.add_argument("--epochs", type=int, help="override the objective's number of epochs")
    parser.add_argument("--data", help="an .npz data set instead of the bundled digits")
    parser.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda"])
    return parser


def main(argv: list[str] | None = None) -> int:
    import json

    from tui.runtime.random_search import default_run_dir

    parser = build_parser()
    args = parser.parse_args(argv)
    if args.n_trials < 1:
        parser.error(f"--n-trials must be at least 1, got {args.n_trials}")
    sigterm.install()
    try:
        summary = run_worker(args.run_dir or default_run_dir(), args.objective, args.n_trials, args.timeout,
                             args.pruner, args.seed, sampler=args.sampler, storage_url=args.storage,
                             study_name=args.study_name, direction=args.direction, index=args.worker_index,
                             data_path=args.data, device=args.device, epochs=args.epochs)
    except (StorageRefused, FileNotFoundError, AttributeError, SyntaxError, ImportError) as exc:
        print(f"optuna_worker: {exc}", file=sys.stderr)
        return 2
    except (WorkerStopped, KeyboardInterrupt) as exc:
        print(f"optuna_worker: {exc or 'interrupted'}", file=sys.stderr)
        return 143 if isinstance(exc, WorkerStopped) else 130
    print(json.dumps(summary), flush=True)
    return 1 if summary["stopped"].endswith("fix the objective") else 0


if __name__ == "__main__":
    # Run the importable module's main, not __main__'s copy: the learner's objective imports
    # fit() from tui.runtime.optuna_worker, and fit() must see the trial that this worker set.
    from tui.runtime.optuna_worker import main as _main

    sys.exit(_main())
