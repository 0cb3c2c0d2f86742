"""Run the tasks of a sweep of tiny measurements and write one result file per task.

The sweep is `<run-dir>/sweep.json`: a JSON list of configurations (keyword arguments of the
measurement function). Task N measures configuration N and writes, through the trial logger,
`trials/<N>/params.json` and `trials/<N>/result.json` with `seq_per_s`, `peak_mem_gb` and the
times the app needs for its Gantt chart and overhead figures:

    submitted  when the scheduler got the job (a real SLURM only, whole seconds; else absent)
    launched   when the task's process started (or, in a worker loop, when it took the task)
    ready      when the imports were done (in a worker loop: when it took the task)
    started    when the measurement began                     -- result.json "started"
    ended      when it finished                               -- result.json "ended"
    timed_s    the seconds spent in the timed passes (the useful work)
    cpus       the CPUs the task was given (HyperQueue's or SLURM's request)
    runner     who started the process: slurm, local (the app's runner), hyperqueue or hand

The gap between submitted (or the moment a CPU slot freed up) and launched is the scheduler's
cost; launched to ready is the cost of a new Python and its imports (tui.results.tiny_stats).

Two ways to run tasks:
    python -m tui.runtime.tiny_tasks --run-dir DIR --task N      one task per process
    python -m tui.runtime.tiny_tasks --run-dir DIR --loop        all tasks in one process
    python -m tui.runtime.tiny_tasks --run-dir DIR --loop --first 32     tasks 0-31 in one process
    python -m tui.runtime.tiny_tasks --run-dir DIR --serve SOCKET        a warm Python: each task the
        scheduler starts runs `python -m tui.runtime.warm SOCKET`, and this process forks it, imported
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any, Callable, Iterable

from tui.fsutil import atomic_write_json
from tui.runtime.logger import TrialLogger
from tui.runtime.task_env import cpus_given, process_start_time, runner, slurm_submit_time

Measure = Callable[..., dict[str, Any]]
SWEEP_FILE = "sweep.json"
# What a task imports before it is "ready": the start-up that a worker loop pays once.
PRELOAD = ("torch", "tui.runtime.seqmodel")
WARM_MODE = "hyperqueue_warm"  # tasks run by a warm Python (tui.runtime.warm) that HyperQueue's tasks ask


def load_sweep(run_dir: str | Path) -> list[dict[str, Any]]:
    """The configurations of `run_dir/sweep.json`; ValueError saying what is wrong with it."""
    path = Path(run_dir) / SWEEP_FILE
    try:
        configs = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ValueError(f"{path} is missing: write the sweep first") from None
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path} is not valid JSON: {exc}") from None
    if not isinstance(configs, list) or not configs or not all(isinstance(c, dict) for c in configs):
        raise ValueError(f"{path} must hold a non-empty JSON list of objects (one per task)")
    return configs


def save_sweep(run_dir: str | Path, configs: list[dict[str, Any]]) -> None:
    """Write `run_dir/sweep.json` unless it exists (atomically: many tasks may race to write it)."""
    if not isinstance(configs, list) or not configs or not all(isinstance(c, dict) for c in configs):
        raise ValueError("the sweep must be a non-empty list of dicts (one configuration per task)")
    path = Path(run_dir) / SWEEP_FILE
    if not path.exists():
        atomic_write_json(path, configs)


def task_name(index: int) -> str:
    """The trial folder of task `index` (zero-padded so that folders sort in task order)."""
    return f"{index:05d}"


def preload(modules: Iterable[str]) -> float:
    """Import the measurement's heavy modules now and return when that was done: the moment a
    task is ready to work. A module that is missing is left to the measurement to report."""
    import importlib

    for name in modules:
        try:
            importlib.import_module(name)
        except ImportError:
            pass
    return time.time()


_SUBMITTED: list[float | None] = []


def submitted_time() -> float | None:
    """When the scheduler got this job (asked once per process: a loop's tasks share it)."""
    if not _SUBMITTED:
        _SUBMITTED.append(slurm_submit_time())
    return _SUBMITTED[0]


def run_task(run_dir: str | Path, index: int, config: dict[str, Any], measure: Measure,
             launched: float, mode: str, extra: dict[str, Any] | None = None,
             ready: float | None = None) -> dict[str, Any]:
    """Measure one configuration and write its files; returns result.json's content.

    An exception in `measure` is recorded as a failed result and re-raised.
    """
    with TrialLogger(run_dir, task_name(index)) as logger:
        logger.extra.update(task=index, mode=mode, launched=launched, ready=ready if ready is not None else
                            time.time(), cpus=cpus_given(), runner=runner(), **(extra or {}))
        logger.start(config)
        out = measure(**config)
        if not isinstance(out, dict) or "seq_per_s" not in out:
            raise ValueError(f"the measurement must return a dict with seq_per_s, got {out!r}")
        logger.extra.update(out)
        when = submitted_time()  # after the timed work: a round trip to the scheduler
        if when is not None:
            logger.extra["submitted"] = when
        return logger.finish("complete")


def run_loop(run_dir: str | Path, configs: list[dict[str, Any]], measure: Measure,
             indices: Iterable[int] | None = None, mode: str = "worker_loop",
             launched: float | None = None, ready: float | None = None) -> int:
    """Run tasks one after another in this process (imports paid once); returns how many failed.

    The first task was launched with the process and ready after its imports; each later task
    is launched, and ready, the moment the loop takes it.
    """
    failed = 0
    launched = process_start_time() if launched is None else launched
    for index in indices if indices is not None else range(len(configs)):
        try:
            run_task(run_dir, index, configs[index], measure, launched, mode, ready=ready)
        except Exception as exc:  # one bad configuration must not stop the rest of the sweep
            failed += 1
            print(f"task {index} failed: {exc}", file=sys.stderr)
        launched = ready = time.time()
    return failed


def mode_from_env() -> str:
    """How this process was started: by HyperQueue, as a SLURM array task, or by hand."""
    if os.environ.get("HQ_TASK_ID"):
        return "hyperqueue"
    if os.environ.get("SLURM_ARRAY_TASK_ID") or os.environ.get("SLURM_JOB_ID"):
        return "job_per_task"
    return "process_per_task"


def task_id_from_env() -> int | None:
    """The task id HyperQueue or a SLURM array gives this process (None outside of both)."""
    for key in ("HQ_TASK_ID", "SLURM_ARRAY_TASK_ID"):
        if os.environ.get(key, "").isdigit():
            return int(os.environ[key])
    return None


def main(argv: list[str] | None = None, measure: Measure | None = None,
         configs: list[dict[str, Any]] | None = None) -> int:
    """The command line of a task (or a worker loop).

    Args:
        argv: the arguments (default: sys.argv[1:]).
        measure: the measurement (default: tui.runtime.throughput.measure with --engine).
        configs: the sweep; when given, it is also written to the run's sweep.json (if absent),
            so the run folder records what it measured. Default: read sweep.json.
    """
    launched = process_start_time()
    parser = argparse.ArgumentParser(prog="python -m tui.runtime.tiny_tasks", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--run-dir", required=True, type=Path)
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--task", type=int, help="the task to run (default: $HQ_TASK_ID or $SLURM_ARRAY_TASK_ID)")
    group.add_argument("--loop", action="store_true", help="run every task of the sweep in this process")
    group.add_argument("--serve", metavar="SOCKET", help="import once, then run each task that "
                       "`python -m tui.runtime.warm SOCKET` asks for in a fork of this process (tui.runtime.warm)")
    parser.add_argument("--idle", type=float, default=600.0, metavar="S", help="with --serve: stop after S "
                        "seconds without a task (default 600)")
    parser.add_argument("--first", type=int, metavar="N", help="with --loop: only tasks 0 to N-1 of the sweep")
    parser.add_argument("--engine", choices=("torch", "toy"), default="torch")
    args = parser.parse_args(argv)
    if args.first is not None and (not args.loop or args.first < 1):
        parser.error("--first N goes with --loop, and N must be at least 1")
    try:
        if configs is None:
            configs = load_sweep(args.run_dir)
        else:
            save_sweep(args.run_dir, configs)
    except ValueError as exc:
        print(exc, file=sys.stderr)
        return 2
    if measure is None:
        from tui.runtime.throughput import measure as runtime_measure

        def measure(**config):
            return runtime_measure(**{"engine": args.engine, **config})
    if args.serve:
        preload(PRELOAD if args.engine == "torch" else ())
        return _serve(args.serve, args.run_dir.resolve(), configs, measure, args.idle)
    index = args.task if args.task is not None else task_id_from_env()
    if not args.loop and (index is None or not 0 <= index < len(configs)):
        print(f"task {index} is not in the sweep (0-{len(configs) - 1}); pass --task N", file=sys.stderr)
        return 2
    ready = preload(PRELOAD if args.engine == "torch" else ())
    if args.loop:
        indices = range(min(args.first or len(configs), len(configs)))
        return 1 if run_loop(args.run_dir, configs, measure, indices, launched=launched, ready=ready) else 0
    run_task(args.run_dir, index, configs[index], measure, launched, mode_from_env(), ready=ready)
    return 0


def exit_fast(code: int) -> None:
    """End the process now, skipping the interpreter's teardown: with torch loaded that takes
    0.3-2 s on a loaded machine, which the next task on this CPU slot would wait for (and the
    figures would blame on the scheduler). The result files are already written and closed."""
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def _serve(socket_path: str, run_dir: Path, configs: list[dict[str, Any]], measure: Measure, idle_s: float) -> int:
    """The warm Python (tui.runtime.warm.serve): each task runs in a fork, ready the moment it forks."""
    from tui.runtime.warm import serve

    def run_one(index: int, launched: float, ready: float) -> None:
        if not 0 <= index < len(configs):
            raise ValueError(f"task {index} is not in the sweep (0-{len(configs) - 1})")
        run_task(run_dir, index, configs[index], measure, launched, WARM_MODE, ready=ready)

    print(f"warm Python {os.getpid()} serving {socket_path} for {run_dir} (stops after {idle_s:.0f} s idle)",
          flush=True)
    return serve(socket_path, run_one, idle_s)


if __name__ == "__main__":
    exit_fast(main())
